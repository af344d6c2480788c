"""Memory stays within its budget under wide events (issue #26): the window and its feed's
process, fed events of 700 KB for a while, stop growing once the store is full."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from PySide6.QtCore import QSettings

from dashboard.core.panels.fieldcatalog import MAX_PATHS
from dashboard.sources import ConnectionSpec
from dashboard.ui.app import Dashboard
from tests.wide_feed import KEYS

ROOT = Path(__file__).resolve().parents[2]
RATE = 6.0  # events a second: each of the three kinds twice, as in the issue
CAPACITY = 30  # full after 5 s
WARM_UP_EVENTS = 60  # 10 s: the store full, every cache and buffer at its size
SAMPLE_S = 1.0
SAMPLES = 20
COMPARED = 5  # samples averaged at each end
# Allowed growth of the mean RSS from the first COMPARED samples to the last: noise, not a
# trend. (Before the fix the window grew by 10 MB and its feed's process by 4 MB a second.)
MARGIN = 0.10
MARGIN_BYTES = 16 << 20


@pytest.fixture
def wide_feed() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.wide_feed", "--rate", str(RATE)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()


def mib(samples: list[int]) -> str:
    return " ".join(f"{s / 2**20:.0f}" for s in samples)


@pytest.mark.slow
def test_memory_stops_growing_under_wide_events(
    qtbot: Any, qt_loop: Any, settings: QSettings, run_on_loop: Any, wide_feed: str
) -> None:
    dash = Dashboard([ConnectionSpec(wide_feed, "wide")], capacity=CAPACITY, settings=settings)
    qtbot.addWidget(dash.window)
    dash.start()  # every panel of a zero-config window: log, fields, a chart, alerts
    try:
        source = dash.connections.sources[0]
        qtbot.waitUntil(lambda: dash.store.end_seq >= WARM_UP_EVENTS, timeout=60_000)
        assert source.pid is not None
        processes = {"window": psutil.Process(), "feed process": psutil.Process(source.pid)}
        samples: dict[str, list[int]] = {name: [] for name in processes}
        due = [time.monotonic()]

        def sampled_enough() -> bool:
            if time.monotonic() >= due[0]:
                due[0] += SAMPLE_S
                for name, process in processes.items():
                    samples[name].append(process.memory_info().rss)
            return len(samples["window"]) >= SAMPLES

        qtbot.waitUntil(sampled_enough, timeout=int(SAMPLES * SAMPLE_S * 2000))
        received = dash.store.end_seq
        assert received >= WARM_UP_EVENTS + (SAMPLES - 1) * SAMPLE_S * RATE * 0.8  # it kept up
        grew = []
        for name, rss in samples.items():
            first = statistics.mean(rss[:COMPARED])
            last = statistics.mean(rss[-COMPARED:])
            if last - first > max(first * MARGIN, MARGIN_BYTES):
                grew.append(f"the {name} grew: {mib(rss)} MiB, a sample a second")
        assert not grew, "; ".join(grew)

        # The fields browser says what its cap left out, with the count.
        dash.window.fields.refresh()
        assert dash.window.fields.status.text() == (
            f"3 types · {2 * MAX_PATHS + 1} fields; showing the first {MAX_PATHS} fields of "
            f"order.placed; its newest event has {KEYS:,} (and 1 other type like it)"
        )
        assert dash.store.counts["wide"].rejected == 0 and source.status.duplicates == 0
    finally:
        run_on_loop(dash.aclose())
