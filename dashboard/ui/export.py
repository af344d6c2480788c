"""Exporting what the log's filter shows, with progress and a way to cancel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QWidget

from dashboard.core.storage.recordformat import CsvWriter, record_line
from dashboard.core.storage.store import EventStore

BLOCK = 5_000  # events written between two looks at the Cancel button
FORMATS = "JSON Lines (*.jsonl);;CSV (*.csv)"
_TEXT = {"encoding": "utf-8", "newline": ""}


def ask_path(parent: QWidget, count: int, start_dir: str = "") -> str | None:
    """Where to save *count* events; the extension picks the format."""
    path, chosen = QFileDialog.getSaveFileName(
        parent, f"Export {count:,} events", str(Path(start_dir) / "events.jsonl"), FORMATS
    )
    if not path:
        return None
    if not path.endswith((".jsonl", ".csv")):
        path += ".csv" if chosen.startswith("CSV") else ".jsonl"
    return path


def export_events(
    parent: QWidget | None,
    store: EventStore,
    seqs: np.ndarray,
    path: str,
    fields: Sequence[str] = (),
) -> int | None:
    """Write the events *seqs* to *path* (``.csv`` or JSON Lines); the number written
    (fewer than asked when some were evicted meanwhile), or None when the operator
    cancelled or the file could not be written (said so). The file appears whole or not at
    all: it is written beside *path* and renamed at the end."""
    seqs = np.array(seqs, copy=True)  # the log may move on while this runs
    progress = _progress_dialog(parent, len(seqs))
    as_csv = path.endswith(".csv")
    partial = Path(f"{path}.part")
    try:
        with partial.open("w" if as_csv else "wb", **_TEXT if as_csv else {}) as stream:
            csv_writer = CsvWriter(stream, fields) if as_csv else None
            written = _write_blocks(store, seqs, stream, csv_writer, progress)
        if not progress.wasCanceled():
            partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        progress.close()
        QMessageBox.warning(parent, "Export failed", f"Could not write {path}:\n{error.strerror}")
        return None
    cancelled = progress.wasCanceled()
    progress.close()  # (closing it counts as cancelling: ask first)
    if cancelled:
        partial.unlink(missing_ok=True)
        return None
    return written


def _progress_dialog(parent: QWidget | None, count: int) -> QProgressDialog:
    progress = QProgressDialog(f"Exporting {count:,} events…", "Cancel", 0, count, parent)
    progress.setWindowTitle("Export")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)
    return progress


def _write_blocks(
    store: EventStore,
    seqs: np.ndarray,
    stream: IO[Any],
    csv_writer: CsvWriter | None,
    progress: QProgressDialog,
) -> int:
    """Write the events still held, BLOCK at a time, until done or cancelled; the number
    written."""
    written = 0
    for start in range(0, len(seqs), BLOCK):
        events = [e for s in seqs[start : start + BLOCK] if (e := store.get(int(s)))]
        if csv_writer is not None:
            csv_writer.write(events)
        else:
            stream.writelines(record_line(event) for event in events)
        written += len(events)
        progress.setValue(start + len(events))
        QApplication.processEvents()
        if progress.wasCanceled():
            break
    return written
