"""Memory stays within its budget under wide events (issue #26): the window and its feed's
process, fed events of 700 KB for a while, stop growing once the store is full; and a
reader process comes back to its level after each burst of big and oversized frames."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from aiohttp import web
from PySide6.QtCore import QSettings

from dashboard.core.events.dedupe import DEFAULT_WINDOW_BYTES
from dashboard.core.events.event import PREVIEW_BYTES
from dashboard.core.panels.fieldcatalog import MAX_PATHS
from dashboard.core.storage.store import EventStore
from dashboard.feed.chaos import HUGE_BYTES, PIECE
from dashboard.sources import ConnectionSpec
from dashboard.sources.process import ProcessSource
from dashboard.ui.app import Dashboard
from tests.helpers import run, serve, wait_for
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


# -- the reader process after bursts of big frames ---------------------------------------

BURSTS = 4
BURST_EVENTS = 30  # events of BIG_EVENT bytes in each burst, then one over the limit
BIG_EVENT = 700_000
# Resident memory the reader may keep over its level before the first burst once a burst is
# through: the data of the recent events its repeat detection holds (16 MiB: 22 of these),
# and 8 MiB of slack. Before it gave back what the C allocator held free, it kept 36 to
# 46 MiB after the first burst; since, 15 MiB.
BURST_MARGIN = DEFAULT_WINDOW_BYTES + (8 << 20)


@pytest.mark.slow
def test_the_reader_gives_back_the_memory_of_each_burst_of_big_frames() -> None:
    bursts: asyncio.Queue[None] = asyncio.Queue()

    async def feed(request: web.Request) -> web.StreamResponse:
        """On each put in *bursts*: BURST_EVENTS events of 700 KB, then one of 100 MB (the
        chaos feed's ``huge``), which the reader cuts at the 1 MB limit and rejects."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b'data: {"type": "small"}\n\n')
        n = 0
        while True:
            await bursts.get()
            for _ in range(BURST_EVENTS):
                n += 1
                blob = b"%08d" % n + b"x" * (BIG_EVENT - 8)
                await response.write(b'id: %d\ndata: {"type": "big", "blob": "%s"}\n\n' % (n, blob))
            await response.write(b'data: "')
            for _ in range(HUGE_BYTES // PIECE):
                await response.write(b"x" * PIECE)
            await response.write(b'"\n\n')

    async def scenario() -> None:
        store = EventStore(capacity=10)
        loop = asyncio.get_running_loop()

        def counted() -> tuple[int, int]:
            counts = store.counts.get("big")
            return (counts.accepted, counts.rejected) if counts else (0, 0)

        async with serve(feed) as url:
            source = ProcessSource(ConnectionSpec(url, "big"), store)
            task = asyncio.ensure_future(source.run())
            try:
                await wait_for(lambda: counted() == (1, 0), timeout=30)
                assert source.pid is not None
                reader = psutil.Process(source.pid)
                baseline = reader.memory_info().rss
                for burst in range(1, BURSTS + 1):
                    bursts.put_nowait(None)
                    done = (1 + burst * BURST_EVENTS, burst)  # (accepted, rejected)
                    await wait_for(lambda done=done: counted() == done, timeout=60)
                    # (polled: the reader gives memory back once a second)
                    give_up = loop.time() + 10
                    while (rss := reader.memory_info().rss) > baseline + BURST_MARGIN:
                        if loop.time() > give_up:
                            pytest.fail(
                                f"after burst {burst} the reader kept "
                                f"{(rss - baseline) / 2**20:.0f} MiB over its "
                                f"{baseline / 2**20:.0f} MiB (allowed: {BURST_MARGIN >> 20} MiB)"
                            )
                        await asyncio.sleep(0.05)
                assert counted() == (1 + BURSTS * BURST_EVENTS, BURSTS)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    run(scenario(), timeout=300)


# -- rejected frames just under the size limit --------------------------------------------

BAD_FRAMES = 300
BAD_FRAME = b"{" + b"x" * 899_999  # invalid JSON of 900 KB: under the 1 MB limit, rejected
# What the side taking the frames in may grow by: 300 previews of 4 KiB are 1.2 MB. (When
# each rejected frame was kept whole, 300 of them were 270 MB.)
BAD_MARGIN = 32 << 20


@pytest.mark.slow
def test_rejected_frames_cross_to_the_window_as_previews_and_are_kept_so() -> None:
    async def feed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        message = b"data: " + BAD_FRAME + b"\n\n"
        for _ in range(BAD_FRAMES):
            await response.write(message)
        await asyncio.Event().wait()  # open until the test ends: no reconnect, no repeats
        return response

    async def scenario() -> None:
        store = EventStore(capacity=50)
        window = psutil.Process()
        async with serve(feed) as url:
            source = ProcessSource(ConnectionSpec(url, "bad"), store)
            task = asyncio.ensure_future(source.run())
            try:
                before = window.memory_info().rss
                await wait_for(
                    lambda: "bad" in store.counts and store.counts["bad"].rejected == BAD_FRAMES,
                    timeout=120,
                )
                grown = window.memory_info().rss - before
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        assert grown < BAD_MARGIN, f"the window grew by {grown / 2**20:.0f} MiB"
        kept = store.rejected(0, store.rejected_total)
        assert len(kept) == BAD_FRAMES and store.counts["bad"].accepted == 0
        assert {(r.raw, r.size, r.cut) for r in kept} == {
            (BAD_FRAME[:PREVIEW_BYTES], len(BAD_FRAME), True)
        }

    run(scenario(), timeout=180)
