"""Tests leave no temporary folders behind: the run keeps them in one folder of its own and
fails when a test left one there (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import RUN_TEMP, left_behind


def test_temporary_files_of_tests_and_their_subprocesses_go_to_the_runs_folder() -> None:
    assert tempfile.gettempdir() == RUN_TEMP
    child = subprocess.run(
        [sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == RUN_TEMP
    assert os.environ["XDG_CONFIG_HOME"] == os.path.join(RUN_TEMP, "config")


def test_what_a_test_left_behind_is_named(tmp_path: Path) -> None:
    (tmp_path / "dashboard-cli-config-x1").mkdir()
    (tmp_path / "dashboard-replay-y2").mkdir()
    (tmp_path / "config").mkdir()
    (tmp_path / "some-library-cache").mkdir()
    assert left_behind(str(tmp_path)) == ["dashboard-cli-config-x1", "dashboard-replay-y2"]


def test_the_cli_helper_cleans_its_config_folder_up() -> None:
    from tests.e2e.test_cli import dashboard

    before = set(os.listdir(RUN_TEMP))
    assert dashboard("--version").returncode == 0
    assert set(os.listdir(RUN_TEMP)) == before
