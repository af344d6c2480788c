"""Many connections at once: the reader pool measured in the whole application.

    python tests/perf/many.py                  # both runs below, a table and JSON
    python tests/perf/many.py --quick          # small: checks that it all works

* many   the window offscreen with the demo layout and 50 connections to the local feed,
         each its own paced stream (``/events?count=N&rate=100``): the rate taken, the UI
         frame interval while they stream, and the resident memory of the window plus
         every process reading the feeds (sampled every 0.5 s, the highest sum)
* kill   20 connections live on the feed's shared, resumable stream; the reader process
         is killed with SIGKILL: how long until all 20 are live again in a new reader and
         taking events, and whether any event was lost or doubled (SSE ids, per connection)

Each run is a fresh Python process (as in bench.py); ``--readers N`` sizes the pool.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import TICK_MS, percentile, run_stage, scratch_folder, start_feed  # noqa: E402


def resident_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reader_pids(dashboard: Any) -> set[int]:
    """The processes reading the feeds (a pool's readers, or a process per connection)."""
    pids = {s.pid for s in dashboard.connections.sources if s.pid}
    pool = getattr(dashboard.connections, "pool", None)
    if pool is not None:
        pids.update(p for p in pool.pids() if p)
    return pids


def make_dashboard(urls: list[str], readers: int) -> Any:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import QSettings

    from dashboard import settle_gc_for_streaming
    from dashboard.core.layouts.layoutfile import builtin
    from dashboard.sources import ConnectionSpec
    from dashboard.ui.app import Dashboard, make_application

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    options: dict[str, Any] = {"readers": readers} if readers else {}
    dashboard = Dashboard(
        [ConnectionSpec(url, f"c{i + 1}") for i, url in enumerate(urls)],
        capacity=1_000_000,
        tick_ms=TICK_MS,
        # (a file of its own: QSettings saves by renaming over its file, and as root that
        # turned /dev/null into a regular file)
        settings=QSettings(
            os.path.join(scratch_folder(), "settings.ini"),
            QSettings.Format.IniFormat,
        ),
        layout=builtin("demo"),
        **options,
    )
    settle_gc_for_streaming()  # as the app does
    return loop, dashboard


def stage_many(url: str, connections: int, rate: float, seconds: float, readers: int) -> dict:
    count = int(rate * seconds)
    loop, dashboard = make_dashboard([f"{url}?count={count}&rate={rate:g}"] * connections, readers)
    ticks: list[float] = []
    dashboard.bus.ticked.connect(lambda: ticks.append(time.perf_counter()))
    total = connections * count
    memory: list[float] = []
    processes, cpu, all_live = 0, 0.0, 0.0
    readers_cpu: dict[int, float] = {}

    def received() -> int:
        return sum(c.accepted for name, c in dashboard.store.counts.items() if name.startswith("c"))

    async def run() -> tuple[float, float, float]:
        started = time.perf_counter()
        dashboard.start()
        nonlocal processes, cpu, all_live
        next_sample, first, deadline = 0.0, 0.0, started + seconds * 4 + 60
        while received() < total and time.perf_counter() < deadline:
            now = time.perf_counter()
            if not all_live and all(
                s.status.state.value == "live" for s in dashboard.connections.sources
            ):
                all_live = now - started
            if not first and received():
                first = now
                cpu = time.process_time()
                readers_cpu.update({p: -cpu_seconds(p) for p in reader_pids(dashboard)})
            if now >= next_sample:
                pids = reader_pids(dashboard) | {os.getpid()}
                memory.append(sum(resident_mb(p) for p in pids))
                processes = max(processes, len(pids))
                next_sample = now + 0.5
            await asyncio.sleep(0.01)
        done = time.perf_counter()
        cpu = time.process_time() - cpu
        for pid in readers_cpu:
            readers_cpu[pid] += cpu_seconds(pid)
        await dashboard.aclose()
        return started, first, done

    with loop:
        started, first, done = loop.run_until_complete(run())
    streaming = [t for t in ticks if first <= t <= done]
    intervals = [(b - a) * 1000 for a, b in itertools.pairwise(streaming)]
    return {
        "connections": connections,
        "offered": connections * rate,
        "events": received(),
        "expected": total,
        "rate": received() / (done - first) if done > first else None,
        "seconds": done - started,
        "all_live_seconds": all_live or None,
        "window_cpu": cpu / (done - first) if done > first else None,  # of one core
        "readers_cpu": sum(readers_cpu.values()) / (done - first) if done > first else None,
        "frame_ms_p50": percentile(intervals, 50),
        "frame_ms_p99": percentile(intervals, 99),
        "resident_mb_max": max(memory) if memory else None,
        "processes": processes,
    }


def stage_kill(connections: int, readers: int) -> dict:
    feed, url = start_feed(1000)
    loop, dashboard = make_dashboard([url] * connections, readers)
    sources = dashboard.connections.sources
    from dashboard.sources import ConnectionState

    def counts() -> list[int]:
        c = dashboard.store.counts
        return [c[s.name].accepted if s.name in c else 0 for s in sources]

    async def wait(predicate: Any, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError
            await asyncio.sleep(0.005)

    async def run() -> dict:
        dashboard.start()
        await wait(lambda: min(counts()) >= 200, 60)
        victims = {s.pid for s in sources}
        killed = time.perf_counter()
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        # (the frames already on their way are taken first: the death is seen after them)
        await wait(lambda: all("resumed" in s.status.last_error for s in sources), 60)
        before = counts()
        await wait(
            lambda: (
                all(
                    s.status.state is ConnectionState.LIVE and s.pid not in (None, *victims)
                    for s in sources
                )
                and all(a > b for a, b in zip(counts(), before, strict=True))
            ),
            60,
        )
        back = time.perf_counter() - killed
        await asyncio.sleep(2)  # events flow on in the new reader
        await dashboard.aclose()
        lost = doubled = 0
        for source in sources:
            got = [
                int(e.id)
                for e in dashboard.store.events(0, dashboard.store.end_seq)
                if e.connection == source.name
            ]
            doubled += len(got) - len(set(got))
            lost += (got[-1] - got[0] + 1) - len(set(got))
        return {
            "connections": connections,
            "killed": len(victims),
            "resumed_seconds": back,
            "events": sum(counts()),
            "lost": lost,
            "doubled": doubled,
        }

    try:
        with loop:
            return loop.run_until_complete(run())
    finally:
        feed.terminate()
        feed.wait(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a small run: checks, no figures")
    parser.add_argument("--readers", type=int, default=0, help="the pool's size (default: 1)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rate", default="100", help="events/s per connection (default 100)")
    parser.add_argument("--only", choices=("many", "kill"))
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        name, *rest = args.stage
        if name == "many":
            out = stage_many(rest[0], int(rest[1]), float(rest[2]), float(rest[3]), int(rest[4]))
        else:
            out = stage_kill(int(rest[0]), int(rest[1]))
        print(json.dumps(out))
        return 0
    results: dict[str, Any] = {}
    readers = str(args.readers)
    if args.only in (None, "many"):
        feed, url = start_feed()
        try:
            seconds = "2" if args.quick else "20"
            n = "5" if args.quick else str(args.connections)
            used = cpu_seconds(feed.pid), time.perf_counter()
            results["many"] = run_stage(
                "many", url, n, args.rate, seconds, readers, script=__file__
            )
            results["many"]["feed_cpu_overall"] = (cpu_seconds(feed.pid) - used[0]) / (
                time.perf_counter() - used[1]
            )
        finally:
            feed.terminate()
            feed.wait(10)
    if args.only in (None, "kill"):
        results["kill"] = run_stage("kill", "4" if args.quick else "20", readers, script=__file__)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
