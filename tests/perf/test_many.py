"""The many-connections harness: a smoke run in the normal suite, the full run on demand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MANY = Path(__file__).with_name("many.py")


def run_many(*args: str, timeout: float) -> dict:
    result = subprocess.run(
        [sys.executable, str(MANY), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.mark.slow
def test_quick_run_takes_every_event_and_a_killed_reader_loses_and_doubles_none() -> None:
    figures = run_many("--quick", timeout=300)
    many = figures["many"]
    assert many["events"] == many["expected"] == 5 * 200  # five feeds of 100/s for 2 s
    assert many["processes"] == 2  # the window and one reader
    assert many["frame_ms_p99"] is not None and many["resident_mb_max"] > 0
    kill = figures["kill"]
    assert (kill["connections"], kill["killed"]) == (4, 1)
    assert (kill["lost"], kill["doubled"]) == (0, 0) and kill["events"] > 0


@pytest.mark.perf
def test_full_many_connections_run() -> None:
    """``pytest -m perf tests/perf -s``: the same as ``python tests/perf/many.py``."""
    print(json.dumps(run_many(timeout=1800), indent=2))
