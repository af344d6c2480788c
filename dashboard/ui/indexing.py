"""Opening a recording: indexed in a worker thread, with progress, Cancel and clear errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from dashboard.core.events.summary import one_line
from dashboard.sources.recording import IndexCancelled, Recording, open_recording

POLL_MS = 50
SHOW_AFTER_MS = 400  # a small file opens without a dialog flashing up


class CannotOpen(Exception):
    """A recording that cannot be read; the message says which and why."""


def tell(parent: QWidget | None, error: CannotOpen) -> None:
    text = str(error)
    QMessageBox.warning(parent, "Open recording", text[:1].upper() + text[1:])


async def index_with_progress(parent: QWidget | None, path: Path) -> Recording | None:
    """The recording at *path*, or None when the operator cancelled. Raises
    :class:`CannotOpen` saying why when it cannot be read."""
    done = [0.0]
    cancelled = [False]

    def progress(fraction: float) -> bool:  # called in the worker thread
        done[0] = fraction
        return not cancelled[0]

    dialog = QProgressDialog(f"Opening {path.name}…", "Cancel", 0, 1000, parent)
    dialog.setWindowTitle("Open recording")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(lambda: cancelled.__setitem__(0, True))
    timer = QTimer(dialog)
    timer.setInterval(POLL_MS)
    timer.timeout.connect(lambda: dialog.setValue(int(done[0] * 1000)))
    timer.start()
    loop = asyncio.get_running_loop()
    try:
        recording = await loop.run_in_executor(None, open_recording, path, progress)
        dialog.setValue(dialog.maximum())  # its last look: all of it read
    except IndexCancelled:
        return None
    except (OSError, UnicodeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CannotOpen(f"cannot replay {path}: {reason}") from error
    finally:
        timer.stop()
        dialog.close()
        dialog.deleteLater()
    if not recording.events:
        raise CannotOpen(f"cannot replay {path}: {no_events(recording)}")
    return recording


def no_events(recording: Recording) -> str:
    """Why there is nothing to replay, with the first unreadable line's reason if any."""
    if not recording.bad:
        return "it holds no events" + ("" if len(recording) else " (the file is empty)")
    first = recording.bad[min(recording.bad)]
    return (
        f"it holds no events ({len(recording.bad):,} unreadable lines; the first: "
        f"{one_line(first, 200)})"
    )
