"""Test set-up shared by every test: offscreen Qt, no real settings, real loopback feeds."""

from __future__ import annotations

import os
import shutil
import tempfile

# Before anything imports Qt: no display, and keep the user's real config out of tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Every temporary file of the run, its subprocesses' too, goes into one folder of its own,
# removed when the run ends; one a test left behind fails the run (pytest_sessionfinish).
# pytest's own tmp_path folders stay where pytest keeps them (its last three runs).
os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", tempfile.gettempdir())
RUN_TEMP = tempfile.mkdtemp(prefix="dashboard-test-run-")
os.environ["TMPDIR"] = RUN_TEMP
tempfile.tempdir = RUN_TEMP
_config_home = os.path.join(RUN_TEMP, "config")
os.mkdir(_config_home)
os.environ["XDG_CONFIG_HOME"] = _config_home
os.environ["XDG_DATA_HOME"] = _config_home

import asyncio  # noqa: E402
import gc  # noqa: E402
from collections.abc import Awaitable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def qt_loop(qapp: Any, qtbot: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """An asyncio loop on the Qt event loop, running whenever pytest-qt waits."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=5000)
        asyncio.events._set_running_loop(None)
        # Not loop.stop(): it calls QApplication.exit(), and after that every nested
        # QEventLoop (pytest-qt's waits) returns at once, for the rest of the session.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _qt_garbage_dies_in_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """Collect a Qt test's cyclic garbage here, in the GUI thread. Left to chance, a
    collection may run in a feed server's thread and destroy Qt objects there ("Timers
    cannot be stopped from another thread")."""
    yield
    if "qtbot" in request.fixturenames:
        gc.collect()


@pytest.fixture
def run_on_loop(qt_loop: asyncio.AbstractEventLoop, qtbot: Any) -> Any:
    """Run a coroutine on the Qt loop to its end, waiting the pytest-qt way."""

    def run(coro: Awaitable[Any], timeout: int = 10_000) -> Any:
        task = asyncio.ensure_future(coro, loop=qt_loop)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    """A QSettings in a temporary file: tests never touch the user's real settings."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def left_behind(folder: str) -> list[str]:
    """The temporary files and folders the tests' own code left in *folder* (ours are named
    ``dashboard-*``; what libraries leave is theirs to answer for)."""
    return sorted(name for name in os.listdir(folder) if name.startswith("dashboard-"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the run's temporary folder; fail the run if a test left something in it."""
    left = left_behind(RUN_TEMP)
    shutil.rmtree(RUN_TEMP, ignore_errors=True)
    if left:
        print(f"\nTests left temporary files behind: {', '.join(left)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
