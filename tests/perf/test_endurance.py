"""The endurance runs (tests/perf/endurance.py): a short reconnect storm in the normal suite
for what it leaks, the full soak and storm on demand (``pytest -m perf tests/perf -s``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ENDURANCE = Path(__file__).with_name("endurance.py")


def run_endurance(tmp_path: Path, *args: str, timeout: float) -> dict[str, Any]:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(ENDURANCE), *args, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text())


SETTLING = 3  # descriptors a moment may hold besides the steady ones (a socket closing)


def assert_nothing_leaked(storm: dict[str, Any]) -> None:
    """A leak grows with the restarts (20 connections x N of them); a socket still closing
    when every connection is live again is not one."""
    first, last = storm["first_all_live"], storm["last_all_live"]
    assert storm["recoveries"] >= 3, storm  # restarts happened and all came back each time
    assert storm["reconnects_min"] >= 3, storm  # every connection rode them out
    # one reader process for all of them, and multiprocessing's resource tracker
    assert last["processes"] == first["processes"] == storm["max_processes"] == 2, storm
    assert last["fds"] <= first["fds"] + SETTLING, storm
    assert storm["max_fds"] <= first["fds"] + SETTLING, storm
    assert last["threads"] == first["threads"] == storm["max_threads"], storm


@pytest.mark.slow
def test_a_short_reconnect_storm_leaks_no_descriptor_thread_or_process(tmp_path: Path) -> None:
    assert_nothing_leaked(run_endurance(tmp_path, "storm", "12", timeout=240))


@pytest.mark.perf
def test_two_minutes_of_restarts_every_connection_back_within_its_backoff(
    tmp_path: Path,
) -> None:
    storm = run_endurance(tmp_path, "storm", "120", timeout=600)
    assert_nothing_leaked(storm)
    assert storm["late_s_max"] < 1.0  # live again within a second of its planned attempt


@pytest.mark.perf
def test_ten_minutes_of_chaos_at_5000_events_a_second(tmp_path: Path) -> None:
    soak = run_endurance(tmp_path, "soak", "600", timeout=1200)
    assert soak["sse"]["exact"], soak["sse"]
    assert soak["sse"]["duplicates"] == 0
    assert {"cut", "stall", "huge", "endless", "utf8", "trickle", "restart"} <= {
        fault.split()[0] for fault in soak["faults"]
    }
    assert soak["window_mb"]["growth"] <= 0.10 and soak["readers_mb"]["growth"] <= 0.10
    assert soak["frame_ms_p99"] <= 50.0
