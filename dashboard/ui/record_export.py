"""What the window writes out: a recording of everything from now on (the status bar
shows it), what the log shows as a file, or as a replay of its own."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from dashboard.core.events.summary import one_line
from dashboard.ui import export
from dashboard.ui.recording import RecordingController

if TYPE_CHECKING:
    from dashboard.ui.main_window import MainWindow

RECORDING_COLOUR = "#ff4d6d"


class RecordExport:
    """Recording, export and replaying the log's selection, for *window*."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.recording = RecordingController(window.store, window.bus, parent=window)
        self.label = QLabel()
        self.label.setStyleSheet(f"color: {RECORDING_COLOUR}; padding: 0 8px;")
        self.label.hide()
        window.status.addPermanentWidget(self.label)
        self.recording.changed.connect(self.show_recording)
        self.recording.failed.connect(self.recording_failed)

    def toggle_recording(self, on: bool) -> None:
        w = self.window
        if not on:
            self.recording.stop()
            return
        folder = str(w.settings.value("record/dir", ""))
        default = Path(folder) / time.strftime("recording-%Y%m%d-%H%M%S.jsonl.gz")
        path, _chosen = QFileDialog.getSaveFileName(
            w, "Record to", str(default), "Recordings (*.jsonl.gz *.jsonl)"
        )
        if not path:
            w.record_action.setChecked(False)
            return
        w.settings.setValue("record/dir", str(Path(path).parent))
        self.start_recording(path)

    def start_recording(self, path: str | Path) -> bool:
        try:
            self.recording.start(path)
        except OSError as error:
            self.window.record_action.setChecked(False)
            text = f"Cannot record to {path}:\n{error.strerror}"
            QMessageBox.warning(self.window, "Recording", text)
            return False
        self.window.banner.dismiss()  # an earlier recording's failure is old news
        return True

    def recording_failed(self, why: str) -> None:
        """Said once, in the banner: the feeds and the window go on as they were."""
        self.window.banner.show_message(
            f"Recording stopped: {why}. The live view goes on, without recording."
        )

    def show_recording(self) -> None:
        recorder = self.recording.recorder
        self.window.record_action.setChecked(recorder is not None)
        self.label.setVisible(recorder is not None)
        if recorder is not None:
            self.label.setToolTip(f"Recording to {recorder.path} (Ctrl+R stops)")
        self.refresh()

    def refresh(self) -> None:
        recorder = self.recording.recorder
        if recorder is not None:
            self.label.setText(
                f"● REC {one_line(recorder.path.name, 40)} · {recorder.events:,} events"
            )

    def export_log(self) -> None:
        w = self.window
        seqs = w.log_model.shown_seqs().copy()  # the log moves on while the dialog is open
        if len(seqs) == 0:
            w.statusBar().showMessage("Nothing to export: the log shows no events", 5000)
            return
        last_dir = str(w.settings.value("export/dir", ""))
        path = export.ask_path(w, len(seqs), last_dir)
        if path is None:
            return
        w.settings.setValue("export/dir", str(Path(path).parent))
        written = export.export_events(w, w.store, seqs, path, w.log_model.fields)
        if written is not None:
            gone = len(seqs) - written
            note = f" ({gone:,} were evicted before they could be written)" if gone else ""
            w.statusBar().showMessage(f"Exported {written:,} events to {path}{note}", 10_000)

    def replay_log(self) -> None:
        """Replay what the log shows (its filter, its time range) in a window of its own."""
        w = self.window
        seqs = w.log_model.shown_seqs().copy()
        if len(seqs) == 0:
            w.statusBar().showMessage("Nothing to replay: the log shows no events", 5000)
            return
        folder = tempfile.mkdtemp(prefix="dashboard-replay-")
        path = str(Path(folder) / "selection.jsonl")
        written = export.export_events(w, w.store, seqs, path)
        if written:
            query = w.log_model.query.text or "everything"
            w.selection_requested.emit(path, f"log selection: {one_line(query, 60)}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    def ask_recording(self) -> None:
        w = self.window
        folder = str(w.settings.value("replay/dir", ""))
        path, _chosen = QFileDialog.getOpenFileName(
            w, "Open recording", folder, "Recordings (*.jsonl *.jsonl.gz *.gz);;All files (*)"
        )
        if path:
            w.settings.setValue("replay/dir", str(Path(path).parent))
            w.open_recording(path)
