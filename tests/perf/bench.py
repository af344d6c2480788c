"""The benchmark harness: how fast the dashboard takes events, against the library floor.

    python tests/perf/bench.py                 # the full run (a few minutes), table + JSON
    python tests/perf/bench.py --quick         # a small run that only checks it all works

The endurance runs (a 10-minute soak under chaos, a reconnect storm) are in endurance.py.

A demo feed runs in its own process on loopback (``dashboard feed``) and serves the same
realistic events to every stage (``/events?count=N[&rate=R]``). Each stage runs in a fresh
Python process of its own, so one cannot warm up or bloat another:

* floor     a bare httpx-sse loop that only parses each event's JSON
* pipeline  source -> decode (in the feed's own process, as in the app) -> store, with a
            bus-like range read every 33 ms (no Qt)
* app       the whole application offscreen, with the demo layout live; sustained rate,
            UI frame interval (how late each bus tick fires) and event-to-screen latency
* replay    a 1,000,000-event recording opened (read and indexed for seeking), then
            played back at full speed into the store
* memory    resident memory per retained event, with 1,000,000 events in the store, and
            then the time the log's filter takes over all of them, for each kind of query
* lines     JSON lines over HTTP (``dashboard.feed.watch``'s ``/ndjson?count=N``, the same
            demo events one per line): a bare httpx ``aiter_lines`` + orjson loop, our
            source reading the stream into a store in the same process (and the SSE
            source on the SSE feed, for the rate per event of either path), and the
            headless pipeline on it (``--lines`` runs only these)
* wide      the same for wide events (``tests/wide_feed.py``: 700 KB of 50,000 new keys,
            of the same 50,000 keys, or of one string) with the store full at 200 of
            them; and how much more the window holds after as many again
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TICK_MS = 33


def scratch_settings() -> Any:
    """Window settings in a file of their own that nobody reads again. (Not os.devnull: Qt
    saves settings by writing a new file and renaming it over the old, and on Linux that
    replaced /dev/null with a plain file for every program on the machine.)"""
    from PySide6.QtCore import QSettings

    return QSettings(str(Path(scratch_folder()) / "settings.ini"), QSettings.Format.IniFormat)


def scratch_folder() -> str:
    """A temporary folder, removed when the process ends."""
    folder = tempfile.mkdtemp(prefix="dashboard-bench-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


# -- stages (each runs in its own process) ----------------------------------------------


def stage_floor(url: str, count: int) -> dict[str, Any]:
    import httpx
    import orjson
    from httpx_sse import aconnect_sse

    async def run() -> dict[str, Any]:
        received = 0
        async with httpx.AsyncClient(timeout=None) as client:
            started = time.perf_counter()
            async with aconnect_sse(client, "GET", f"{url}?count={count}") as source:
                async for sse in source.aiter_sse():
                    orjson.loads(sse.data)
                    received += 1
            elapsed = time.perf_counter() - started
        return {"events": received, "seconds": elapsed, "rate": received / elapsed}

    return asyncio.run(run())


def stage_lines_floor(url: str, count: int) -> dict[str, Any]:
    """A bare httpx ``aiter_lines`` + orjson loop over a JSON-lines stream."""
    import httpx
    import orjson

    async def run() -> dict[str, Any]:
        received = 0
        async with httpx.AsyncClient(timeout=None) as client:
            started = time.perf_counter()
            async with client.stream("GET", f"{url}?count={count}") as response:
                async for line in response.aiter_lines():
                    if line:
                        orjson.loads(line)
                        received += 1
            elapsed = time.perf_counter() - started
        return {"events": received, "seconds": elapsed, "rate": received / elapsed}

    return asyncio.run(run())


def stage_reader(url: str, count: int) -> dict[str, Any]:
    """Our HTTP source (SSE or JSON lines, as the answer's Content-Type says) in this
    process, decoding into a store: the reader's own cost, without the reader process."""
    from dashboard import settle_gc_for_streaming
    from dashboard.core.storage.store import EventStore
    from dashboard.core.transport.connection import ConnectionSpec
    from dashboard.sources.sse import SSESource

    async def run() -> dict[str, Any]:
        store = EventStore(capacity=max(count, 1))
        settle_gc_for_streaming()
        source = SSESource(ConnectionSpec(f"{url}?count={count}", "bench"), store)
        started = time.perf_counter()
        task = asyncio.create_task(source.run())
        while store.end_seq < count:
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - started
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return {"events": store.end_seq, "seconds": elapsed, "rate": store.end_seq / elapsed}

    return asyncio.run(run())


def stage_pipeline(url: str, count: int) -> dict[str, Any]:
    from dashboard import settle_gc_for_streaming
    from dashboard.core.storage.store import EventStore
    from dashboard.core.transport.connection import ConnectionSpec
    from dashboard.sources.process import ProcessSource

    async def run() -> dict[str, Any]:
        store = EventStore(capacity=max(count, 1))
        settle_gc_for_streaming()  # as the app does
        source = ProcessSource(ConnectionSpec(f"{url}?count={count}", "bench"), store)
        started = time.perf_counter()
        task = asyncio.create_task(source.run())
        seen = 0
        while store.end_seq < count:  # what the bus does once per frame tick
            await asyncio.sleep(TICK_MS / 1000)
            end = store.end_seq
            store.events(seen, end)
            store.release(end)  # as the bus does once the panels have the batch
            seen = end
        elapsed = time.perf_counter() - started
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return {"events": store.end_seq, "seconds": elapsed, "rate": store.end_seq / elapsed}

    return asyncio.run(run())


def stage_app(url: str, count: int, rate: float) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from dashboard import settle_gc_for_streaming
    from dashboard.core.layouts.layoutfile import builtin
    from dashboard.core.transport.connection import ConnectionSpec
    from dashboard.ui.app import Dashboard, make_application

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    feed_url = f"{url}?count={count}" + (f"&rate={rate:g}" if rate else "")
    settings = scratch_settings()
    dashboard = Dashboard(
        [ConnectionSpec(feed_url, "bench")],
        capacity=max(count, 1_000_000),
        tick_ms=TICK_MS,
        settings=settings,
        layout=builtin("demo"),
    )
    settle_gc_for_streaming()  # as the app does
    ticks: list[float] = []
    latencies: list[float] = []
    first_event: list[float] = []

    def on_tick() -> None:
        ticks.append(time.perf_counter())

    def on_events(start: int, end: int) -> None:
        now = time.time()
        if not first_event:
            first_event.append(time.perf_counter())
        if rate:
            events = dashboard.store.events(start, end)
            latencies.extend(now - e.time for e in events if e.connection == "bench")

    dashboard.bus.ticked.connect(on_tick)
    dashboard.bus.events_appended.connect(on_events)

    def received() -> int:  # the feed's events (the store also holds alert events)
        counts = dashboard.store.counts.get("bench")
        return counts.accepted if counts else 0

    async def run() -> float:
        started = time.perf_counter()
        dashboard.start()
        while not (arrived and ticks and ticks[-1] >= arrived[0]):  # until a tick shows all
            if received() >= count and not arrived:
                arrived.append(time.perf_counter())
            await asyncio.sleep(0.005)
        shown = ticks[-1]
        await dashboard.aclose()
        return shown - started

    arrived: list[float] = []
    with loop:
        elapsed = loop.run_until_complete(run())
    streaming = [t for t in ticks if first_event and first_event[0] <= t <= arrived[0]]
    intervals = [(b - a) * 1000 for a, b in itertools.pairwise(streaming)]
    result: dict[str, Any] = {
        "events": received(),
        "seconds": elapsed,
        "rate": received() / elapsed,
        "offered": rate or None,
        "frame_ms_p50": percentile(intervals, 50),
        "frame_ms_p99": percentile(intervals, 99),
        "frame_ms_max": max(intervals) if intervals else None,
        "ticks": len(intervals),
    }
    if rate:
        ms = [x * 1000 for x in latencies]
        result["latency_ms_p50"] = percentile(ms, 50)
        result["latency_ms_p99"] = percentile(ms, 99)
    return result


def stage_memory(count: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import gc

    import psutil

    from dashboard.core.events.decode import Decoder
    from dashboard.core.layouts.layoutfile import builtin
    from dashboard.feed.server import BenchPool
    from dashboard.sources.sse_protocol import SSEParser
    from dashboard.ui.app import Dashboard, make_application

    app = make_application()
    settings = scratch_settings()
    dashboard = Dashboard([], capacity=count, settings=settings, layout=builtin("demo"))
    dashboard.window.show()
    frames = BenchPool().frames
    parser, decoder = SSEParser(), Decoder("bench")
    app.processEvents()
    gc.collect()
    process = psutil.Process()
    before = process.memory_info().rss
    batch = 10_000
    now = time.time()
    for start in range(0, count, batch):
        stop = min(count, start + batch)
        blob = b"".join(
            b"id: %d\n%s" % (i + 1, frames[i % len(frames)]) for i in range(start, stop)
        )
        dashboard.store.extend(
            decoder.decode(m.data, received=now, event_type=m.event or None, event_id=m.id)
            for m in parser.feed(blob)
        )
        dashboard.bus.flush()  # the panels take the batch in, as on a tick
    app.processEvents()
    gc.collect()
    after = process.memory_info().rss
    return {
        "events": len(dashboard.store),
        "rss_before_mb": before / 2**20,
        "rss_after_mb": after / 2**20,
        "bytes_per_event": (after - before) / max(1, len(dashboard.store)),
        "filters": time_filters(dashboard.store),
    }


WIDE_BATCH = 6  # wide events per bus tick (a second of the feed, three times over)


def stage_memory_wide(count: int) -> dict[str, Any]:
    """Resident memory per retained wide event, the store full at *count* of them; then how
    much more the window holds after *count* more (the log, the field browser and the
    store's caches at work: it should be noise)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import gc

    import psutil

    from dashboard.core.events.decode import Decoder
    from dashboard.sources.sse_protocol import SSEParser
    from dashboard.ui.app import Dashboard, make_application
    from tests.wide_feed import frame

    app = make_application()
    settings = scratch_settings()
    dashboard = Dashboard([], capacity=count, settings=settings)  # zero config: log, fields
    dashboard.window.show()
    parser, decoder = SSEParser(), Decoder("bench")
    app.processEvents()
    gc.collect()
    process = psutil.Process()
    before = process.memory_info().rss
    frame_bytes = 0
    rss = []
    for start in range(0, 2 * count, WIDE_BATCH):
        messages = parser.feed(b"".join(frame(n) for n in range(start, start + WIDE_BATCH)))
        frame_bytes += sum(len(m.data) for m in messages)
        dashboard.store.extend(
            decoder.decode(m.data, received=time.time(), event_type=m.event or None)
            for m in messages
        )
        dashboard.bus.flush()  # the panels take the batch in, as on a tick
        app.processEvents()  # and paint it
        if any(start < mark <= start + WIDE_BATCH for mark in (count, 2 * count)):
            gc.collect()
            rss.append(process.memory_info().rss)
    full, after = rss
    return {
        "events": len(dashboard.store),
        "frame_bytes": frame_bytes / (2 * count),
        "rss_before_mb": before / 2**20,
        "rss_full_mb": full / 2**20,
        "rss_after_mb": after / 2**20,
        "bytes_per_event": (full - before) / count,
        "growth_after_full_mb": (after - full) / 2**20,
    }


FILTERS = {
    "type glob": "type:payment.*",
    "full text": "declined",
    "phrase": '"insufficient funds"',
    "severity": "severity>=warning",
    "field comparison": "cpu>90",
    "combined": "type:metrics.* cpu>90 source:web-*",
}


def time_filters(store: Any) -> dict[str, dict[str, float]]:
    """The log's own scan (LogRows, block by block) of each filter over the whole store."""
    from dashboard.core.lang.query import parse
    from dashboard.core.panels.logrows import LogRows

    timings = {}
    for name, text in FILTERS.items():
        start = time.perf_counter()
        rows = LogRows(store, parse(text))
        while not rows.caught_up:
            rows.seqs.extend(rows.advance())
        timings[name] = {"ms": (time.perf_counter() - start) * 1000, "matches": len(rows)}
    return timings


def stage_replay(count: int) -> dict[str, Any]:
    """Record *count* realistic events to a file, then replay it at full speed into a store
    the way the headless pipeline does (the bus's range read every tick)."""

    from dashboard.core.events.decode import Decoder
    from dashboard.core.storage.recordwriter import Recorder
    from dashboard.core.storage.store import EventStore
    from dashboard.feed.server import BenchPool
    from dashboard.sources.recording import open_recording
    from dashboard.sources.replay import ReplayPlayer
    from dashboard.sources.sse_protocol import SSEParser

    frames = BenchPool().frames
    parser, decoder = SSEParser(), Decoder("bench")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.jsonl"
        recorder = Recorder(path)
        now = time.time()
        for start in range(0, count, 10_000):
            stop = min(count, start + 10_000)
            blob = b"".join(
                b"id: %d\n%s" % (i + 1, frames[i % len(frames)]) for i in range(start, stop)
            )
            recorder.extend(
                decoder.decode(m.data, received=now + i / 1e5, event_type=m.event or None)
                for i, m in enumerate(parser.feed(blob), start=start)
            )
        recorder.close()
        size = path.stat().st_size

        started = time.perf_counter()
        recording = open_recording(path)
        indexed = time.perf_counter() - started

        async def run() -> float:
            store = EventStore(capacity=count)
            player = ReplayPlayer(recording, store, speed=None)
            started = time.perf_counter()
            task = asyncio.create_task(player.run())
            seen = 0
            while not player.at_end:
                await asyncio.sleep(TICK_MS / 1000)
                store.events(seen, store.end_seq)
                store.release(store.end_seq)
                seen = store.end_seq
            task.cancel()
            assert store.end_seq == count, store.end_seq
            return time.perf_counter() - started

        seconds = asyncio.run(run())
        seek_end, seek_back = seek_in_window(recording)
    return {
        "events": count,
        "index_seconds": indexed,
        "seek_end_seconds": seek_end,
        "seek_back_seconds": seek_back,
        "seconds": seconds,
        "rate": count / seconds,
        "file_mb": size / 2**20,
    }


def seek_in_window(recording: Any) -> tuple[float, float]:
    """Seconds a replay window (offscreen, every panel live) takes to seek from the start
    to the end of *recording*, then back to its middle (from the first event again)."""
    import qasync
    from PySide6.QtCore import QSettings

    from dashboard.core.layouts.layoutfile import builtin
    from dashboard.ui.app import Dashboard, make_application

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def seek(dash: Any, position: int) -> float:
        started = time.perf_counter()
        dash.player.seek(position)
        while dash.player.position != position or dash.player._target is not None:
            await asyncio.sleep(0.005)
        dash.bus.flush()
        return time.perf_counter() - started

    async def run() -> tuple[float, float]:
        with tempfile.TemporaryDirectory() as folder:
            settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
            dash = Dashboard(
                [], replay=recording, speed=None, settings=settings, layout=builtin("demo")
            )
            dash.player.playing = False
            dash.start()
            to_end = await seek(dash, len(recording))
            back = await seek(dash, len(recording) // 2)
            await dash.aclose()
            return to_end, back

    with loop:
        return loop.run_until_complete(run())


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


# -- the orchestrator --------------------------------------------------------------------


def run_stage(*args: str, script: str = __file__) -> dict[str, Any]:
    """``script --stage ARGS...`` in a fresh process offscreen: the JSON it prints last."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, script, "--stage", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"stage {args[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_feed(rate: float = 1) -> tuple[subprocess.Popen[str], str]:
    """``dashboard feed`` on a free port, producing *rate* shared events a second (the
    stages read their own ``?count=`` streams): the process and its /events URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "feed", "--port", "0", "--rate", f"{rate:g}"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    match = re.search(r"(http://127\.0\.0\.1:\d+/events)", process.stdout.readline())
    if not match:
        process.kill()
        raise RuntimeError("the feed did not start")
    return process, match[1]


def start_lines_feed() -> tuple[subprocess.Popen[str], str]:
    """``dashboard.feed.watch`` on a free port: the process and its /ndjson URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.feed.watch"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    match = re.search(r"(http://127\.0\.0\.1:\d+/ndjson)", process.stdout.readline())
    if not match:
        process.kill()
        raise RuntimeError("the JSON-lines feed did not start")
    return process, match[1]


def measure_lines(url: str, n: int) -> dict[str, Any]:
    """The JSON-lines stages, with the SSE reader on *url* (the SSE feed) to compare."""
    feed, lines_url = start_lines_feed()
    try:
        lines = {
            "floor": run_stage("lines_floor", lines_url, str(n)),
            "reader": run_stage("reader", lines_url, str(n)),
            "sse_reader": run_stage("reader", url, str(n)),
            "pipeline": run_stage("pipeline", lines_url, str(n)),
        }
    finally:
        feed.terminate()
        feed.wait(10)
    lines["reader_vs_floor"] = lines["reader"]["rate"] / lines["floor"]["rate"]
    lines["reader_vs_sse"] = lines["reader"]["rate"] / lines["sse_reader"]["rate"]
    return lines


def lines_table(lines: dict[str, Any], sse_pipeline: float | None = None) -> str:
    floor = lines["floor"]["rate"]
    rows = [
        "| JSON lines over HTTP | result | vs its floor | vs SSE |",
        "| --- | --- | --- | --- |",
        f"| bare httpx `aiter_lines` + orjson (floor) | {fmt(floor)} events/s | 1.00x | |",
        f"| our source, JSON lines into a store (one process) | {fmt(lines['reader']['rate'])} "
        f"events/s | {lines['reader_vs_floor']:.2f}x | {lines['reader_vs_sse']:.2f}x |",
        f"| our source, SSE into a store (one process) | {fmt(lines['sse_reader']['rate'])} "
        "events/s | | 1.00x |",
        f"| headless pipeline on JSON lines (reader process, store, bus) | "
        f"{fmt(lines['pipeline']['rate'])} events/s | "
        f"{lines['pipeline']['rate'] / floor:.2f}x | "
        + (f"{lines['pipeline']['rate'] / sse_pipeline:.2f}x |" if sse_pipeline else "|"),
    ]
    return "\n".join(rows)


def machine() -> dict[str, Any]:
    import httpx
    import PySide6

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "pyside6": PySide6.__version__,
        "httpx": httpx.__version__,
    }


def measure(quick: bool) -> dict[str, Any]:
    n = 3_000 if quick else 500_000
    paced = 1.0 if quick else 8.0  # seconds per paced run
    feed, url = start_feed()
    try:
        results: dict[str, Any] = {"machine": machine(), "quick": quick}
        results["floor"] = run_stage("floor", url, str(n))
        results["pipeline"] = run_stage("pipeline", url, str(n))
        results["app"] = run_stage("app", url, str(n), "0")
        for offered in (10_000, 50_000, 100_000):
            results[f"app_{offered // 1000}k"] = run_stage(
                "app", url, str(int(offered * paced)), str(offered)
            )
        results["latency_1k"] = run_stage("app", url, str(int(1000 * paced * 2)), "1000")
        results["memory"] = run_stage("memory", str(20_000 if quick else 1_000_000))
        results["memory_wide"] = run_stage("wide", str(30 if quick else 200))
        results["replay"] = run_stage("replay", str(20_000 if quick else 1_000_000))
        results["lines"] = measure_lines(url, n)
    finally:
        feed.terminate()
        feed.wait(10)
    floor = results["floor"]["rate"]
    results["ratios"] = {k: results[k]["rate"] / floor for k in ("pipeline", "app")}
    return results


def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(r: dict[str, Any]) -> str:
    floor = r["floor"]["rate"]
    m = r["machine"]
    rows = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['system']}, Python {m['python']}, "
        f"PySide6 {m['pyside6']}",
        "",
        "| measurement | result | vs floor | target |",
        "| --- | --- | --- | --- |",
        f"| bare httpx-sse + orjson (floor) | {fmt(floor)} events/s | 1.00x | |",
        f"| headless pipeline (source, decode, store, bus) | {fmt(r['pipeline']['rate'])} "
        f"events/s | {r['ratios']['pipeline']:.2f}x | |",
        f"| full app, as fast as it goes | {fmt(r['app']['rate'])} events/s | "
        f"{r['ratios']['app']:.2f}x | >= 100,000/s and >= 0.6x |",
    ]
    for key in ("app_10k", "app_50k", "app_100k"):
        a = r[key]
        rows.append(
            f"| UI frame interval at {fmt(a['offered'])} events/s offered | p50 "
            f"{fmt(a['frame_ms_p50'], 1)} ms, p99 {fmt(a['frame_ms_p99'], 1)} ms (took "
            f"{fmt(a['rate'])}/s) | | p99 <= 50 ms at 50,000/s (and 100,000/s into the log) |"
        )
    lat = r["latency_1k"]
    rows.append(
        f"| event-to-screen latency at 1,000 events/s | p50 "
        f"{fmt(lat['latency_ms_p50'], 1)} ms, p99 {fmt(lat['latency_ms_p99'], 1)} ms "
        "| | p99 <= 100 ms |"
    )
    mem = r["memory"]
    rows.append(
        f"| memory per retained event ({fmt(mem['events'])} events) | "
        f"{fmt(mem['bytes_per_event'])} bytes | | <= 500 bytes |"
    )
    wide = r["memory_wide"]
    rows.append(
        f"| memory per retained wide event ({fmt(wide['events'])} events of "
        f"{fmt(wide['frame_bytes'])} bytes on average; as many again after the store was "
        f"full) | {fmt(wide['bytes_per_event'])} bytes "
        f"({wide['bytes_per_event'] / wide['frame_bytes']:.2f}x the frame); "
        f"{wide['growth_after_full_mb']:+,.0f} MB after | | about 1x the frame; "
        "no growth once full |"
    )
    for name, timing in mem["filters"].items():
        target = "<= 1,000 ms" if name in ("field comparison", "combined") else "<= 250 ms"
        rows.append(
            f"| filter, {name} `{FILTERS[name]}` over {fmt(mem['events'])} events | "
            f"{fmt(timing['ms'])} ms ({fmt(timing['matches'])} match) | | {target} |"
        )
    rep = r["replay"]
    rows.append(
        f"| open a recording of {fmt(rep['events'])} events (read, indexed for seeking) | "
        f"{rep['index_seconds']:.1f} s | | <= 5 s |"
    )
    rows.append(
        f"| seek in a replay window, every panel live: start to end, then back to the middle "
        f"| {rep['seek_end_seconds']:.1f} s, {rep['seek_back_seconds']:.1f} s | | |"
    )
    rows.append(
        f"| replay at full speed into the store ({fmt(rep['events'])} events, "
        f"{fmt(rep['file_mb'])} MB file) | {fmt(rep['rate'])} events/s | | >= 200,000/s |"
    )
    rows += ["", lines_table(r["lines"], r["pipeline"]["rate"])]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tiny run: checks, no figures")
    parser.add_argument(
        "--json",
        type=Path,
        default=ROOT / "perf-results.json",
        help="where to write the results (default perf-results.json)",
    )
    parser.add_argument(
        "--lines", action="store_true", help="only the JSON-lines stages (and the SSE reader)"
    )
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        name, *rest = args.stage
        if name == "floor":
            out = stage_floor(rest[0], int(rest[1]))
        elif name == "lines_floor":
            out = stage_lines_floor(rest[0], int(rest[1]))
        elif name == "reader":
            out = stage_reader(rest[0], int(rest[1]))
        elif name == "pipeline":
            out = stage_pipeline(rest[0], int(rest[1]))
        elif name == "app":
            out = stage_app(rest[0], int(rest[1]), float(rest[2]))
        elif name == "replay":
            out = stage_replay(int(rest[0]))
        elif name == "wide":
            out = stage_memory_wide(int(rest[0]))
        else:
            out = stage_memory(int(rest[0]))
        print(json.dumps(out))
        return 0
    if args.lines:
        n = 3_000 if args.quick else 500_000
        feed, url = start_feed()
        try:
            lines = {"machine": machine(), "lines": measure_lines(url, n)}
        finally:
            feed.terminate()
            feed.wait(10)
        args.json.write_text(json.dumps(lines, indent=2))
        print(lines_table(lines["lines"]))
        return 0
    results = measure(args.quick)
    args.json.write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"\n(written to {args.json})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
