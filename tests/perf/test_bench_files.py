"""The followed-file benchmark: a smoke run in the slow suite, the full run on demand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).with_name("bench_files.py")


def run_bench(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.slow
def test_quick_run_takes_every_line_of_every_stage(tmp_path: Path) -> None:
    out = tmp_path / "perf-files.json"
    result = run_bench("--quick", "--json", str(out), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(out.read_text())
    for stage in ("paced", "file_max", "text_max", "sse", "floor"):
        assert figures[stage]["events"] == 20_000, stage
        assert figures[stage]["rate"] > 0
    assert figures["paced"]["offered_rate"] == 100_000
    assert figures["file_vs_sse"] > 0
    assert "| followed file growing at 100,000 lines/s (20,000 lines) |" in result.stdout


@pytest.mark.perf
def test_full_followed_file_benchmark(tmp_path: Path) -> None:
    """``pytest -m perf tests/perf -s``: the same as ``python tests/perf/bench_files.py``."""
    result = run_bench("--json", str(tmp_path / "perf-files.json"), timeout=1800)
    print(result.stdout)
    assert result.returncode == 0, result.stderr[-2000:]
