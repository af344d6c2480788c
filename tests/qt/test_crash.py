"""An unexpected error is reported, saved without secrets, and the app goes on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from dashboard.ui.crash import CrashReporter, crash_report


def failing_slot() -> None:
    raise RuntimeError("feed header was Authorization: Bearer s3cr3t-t0ken")


@pytest.fixture
def reporter(tmp_path: Path) -> Iterator[CrashReporter]:
    crash = CrashReporter(tmp_path / "logs")
    yield crash
    crash.uninstall()
    if crash.dialog is not None:
        crash.dialog.close()


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_reported_once_and_counted(
    qtbot: Any, reporter: CrashReporter
) -> None:
    reporter.install()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(failing_slot)
    timer.start(0)
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    dialog = reporter.dialog
    assert dialog is not None
    text = dialog.text.toPlainText()
    assert text.startswith("Live Dashboard ") and "crash report" in text.splitlines()[0]
    assert "in failing_slot" in text
    assert text.rstrip().endswith("RuntimeError: feed header was Authorization: Bearer ••••")
    assert "s3cr3t" not in text
    assert reporter.log_file.read_text(encoding="utf-8") == text + "\n"

    timer.start(0)  # the same error again: one dialog, counted
    qtbot.waitUntil(lambda: dialog.repeats == 2)
    assert dialog.windowTitle() == "Something went wrong (2 times)"
    assert dialog.text.toPlainText() == text and len(reporter.reports) == 2
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == text


def test_an_error_in_an_asyncio_callback_is_reported(
    qt_loop: asyncio.AbstractEventLoop, qtbot: Any, reporter: CrashReporter
) -> None:
    reporter.install(qt_loop)
    qt_loop.call_soon(failing_slot)
    qtbot.waitUntil(lambda: len(reporter.reports) == 1)
    assert "In: Exception in callback failing_slot()" in reporter.reports[0]
    assert "s3cr3t" not in reporter.reports[0]
    qt_loop.set_exception_handler(None)


def test_a_report_shows_what_a_server_said_with_its_controls_escaped() -> None:
    try:
        raise ValueError("server said \x1b[2J\x1b]0;pwned\x07\u202eevil")
    except ValueError as error:
        report = crash_report(error, where="reading \x1b[31mfeed")
    assert "In: reading \\x1b[31mfeed" in report.splitlines()
    assert report.rstrip().endswith("ValueError: server said \\x1b[2J\\x1b]0;pwned\\x07\\u202eevil")
    assert not any(c in report for c in "\x1b\x07\u202e")
