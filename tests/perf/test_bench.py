"""The benchmark harness: a smoke run in the normal suite, the full run on demand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).with_name("bench.py")


def run_bench(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_quick_run_measures_every_stage_on_the_same_events(tmp_path: Path) -> None:
    out = tmp_path / "perf.json"
    result = run_bench("--quick", "--json", str(out), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(out.read_text())
    for stage in ("floor", "pipeline", "app"):
        assert figures[stage]["events"] == 3000, stage
        assert figures[stage]["rate"] > 0
    assert figures["app_10k"]["events"] == 10_000 and figures["app_10k"]["offered"] == 10_000
    assert figures["app_50k"]["frame_ms_p99"] is not None
    assert figures["latency_1k"]["latency_ms_p99"] is not None
    assert figures["memory"]["events"] == 20_000
    assert figures["memory"]["filters"]["type glob"]["matches"] > 0
    wide = figures["memory_wide"]
    assert wide["events"] == 30 and wide["frame_bytes"] > 600_000
    assert "| memory per retained wide event (30 events of " in result.stdout
    assert figures["app_100k"]["frame_ms_p99"] is not None
    assert figures["replay"]["events"] == 20_000 and figures["replay"]["rate"] > 0
    assert figures["replay"]["index_seconds"] > 0 and figures["replay"]["seek_end_seconds"] > 0
    assert "| full app, as fast as it goes |" in result.stdout
    lines = figures["lines"]
    for stage in ("floor", "reader", "sse_reader", "pipeline"):
        assert lines[stage]["events"] == 3000, stage
    assert lines["reader_vs_floor"] > 0 and lines["reader_vs_sse"] > 0
    assert "| our source, JSON lines into a store (one process) |" in result.stdout


@pytest.mark.perf
def test_full_benchmark(tmp_path: Path) -> None:
    """``pytest -m perf tests/perf -s``: the same as ``python tests/perf/bench.py``."""
    result = run_bench("--json", str(tmp_path / "perf.json"), timeout=1800)
    print(result.stdout)
    assert result.returncode == 0, result.stderr[-2000:]
