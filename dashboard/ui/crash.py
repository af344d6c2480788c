"""Unexpected errors: caught, reported, and the app keeps running.

An exception that escapes a slot (Qt hands it to ``sys.excepthook``) or an asyncio task
becomes a crash report: the version, the platform and the traceback, with credentials
masked. It is appended to ``crash.log`` in the user's log folder and shown in a dialog
with a Copy button. A burst of the same error (a slot failing on every frame) opens one
dialog, which counts the repeats.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dashboard import __version__
from dashboard.core.text.inert import inert
from dashboard.core.text.redact import redact
from dashboard.ui.theme import monospace_font

log = logging.getLogger("dashboard.crash")

APP_NAME = "live-dashboard"


def default_log_folder() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def crash_report(error: BaseException, where: str = "") -> str:
    """The report for *error*: what ran, where, the traceback; credentials masked, control
    and bidi characters (an error may quote a server) escaped but for line breaks."""
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    lines = [
        f"Live Dashboard {__version__} crash report, {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"Python {platform.python_version()}, PySide6 {pyside_version}, {platform.platform()}",
    ]
    if where:
        lines.append(f"In: {where}")
    return inert(redact("\n".join([*lines, "", trace.rstrip(), ""])), None, keep="\n")


class CrashReporter:
    """Installs itself as ``sys.excepthook`` and as the asyncio loop's exception handler."""

    def __init__(self, log_folder: Path | None = None, parent: QWidget | None = None) -> None:
        self.log_folder = log_folder or default_log_folder()
        self.parent = parent
        self.reports: list[str] = []
        self.dialog: CrashDialog | None = None
        self._previous_hook = sys.excepthook

    @property
    def log_file(self) -> Path:
        return self.log_folder / "crash.log"

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        sys.excepthook = self._excepthook
        if loop is not None:
            loop.set_exception_handler(self._loop_exception)

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook

    def _excepthook(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, error, trace)
            return
        error.__traceback__ = trace
        self.report(error)

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if error is None:
            log.warning("asyncio: %s", redact(str(context.get("message"))))
            return
        self.report(error, where=str(context.get("message", "")))

    def report(self, error: BaseException, where: str = "") -> None:
        """Save the report and show it; never raises (it is the last resort)."""
        text = crash_report(error, where)
        self.reports.append(text)
        log.error("unexpected error: %s", redact(f"{type(error).__name__}: {error}"))
        try:
            self.log_folder.mkdir(parents=True, exist_ok=True)
            with self.log_file.open("a", encoding="utf-8") as stream:
                stream.write(text + "\n")
            saved = str(self.log_file)
        except OSError as exc:
            saved = f"(could not be saved to {self.log_file}: {exc.strerror})"
        if QApplication.instance() is None:
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add(text)
            return
        self.dialog = CrashDialog(text, saved, self.parent)
        QTimer.singleShot(0, self.dialog.show)  # not from inside the failing slot


class CrashDialog(QDialog):
    """The report, selectable, with a Copy button; repeats are counted, not stacked."""

    def __init__(self, text: str, saved: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        self.repeats = 1
        self.summary = QLabel(
            "An unexpected error happened inside the dashboard. It keeps running, and the "
            "events received so far are kept.\nThe report below was saved to "
            f"{saved}; please send it to the developers (credentials are masked)."
        )
        self.summary.setWordWrap(True)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setFont(monospace_font())
        self.text.setMinimumSize(640, 260)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy report")
        self.copy_button.clicked.connect(
            lambda: QApplication.clipboard().setText(self.text.toPlainText())
        )
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def add(self, text: str) -> None:
        self.repeats += 1
        self.setWindowTitle(f"Something went wrong ({self.repeats} times)")
        if text.split("\n", 2)[-1] != self.text.toPlainText().split("\n", 2)[-1]:
            self.text.appendPlainText("\n" + text)  # a different error: keep it too
