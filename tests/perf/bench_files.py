"""Followed files measured: a file growing at 100,000 lines/s, read as the window reads it.

    python tests/perf/bench_files.py           # the full run (about a minute), table + JSON
    python tests/perf/bench_files.py --quick   # a small run that only checks it all works

Every stage runs in a fresh process (as in bench.py) and takes the demo feed's events
(``DemoScenario``, seed 7) as JSON lines, through a reader process into the store, as the
window does (``ProcessSource``, the store read and released every 33 ms as the bus does):

* paced      a writer process appends 100,000 lines/s (a write every 10 ms) to a file that
             is being followed: the rate taken, and how far behind the last line was stored
* file max   a file of N lines read from its start (``from_start``), as fast as it goes
* text max   the same with text log lines (``2026-... WARN host=... message``): the log-line
             reading of time and severity on every line
* sse        bench.py's pipeline stage on the same number of demo events: the SSE path
* floor      a bare ``for line in file: orjson.loads(line)`` over the file of N lines
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import TICK_MS, run_stage, start_feed  # noqa: E402

PACED_RATE = 100_000  # lines per second the writer appends
WRITE_EVERY = 0.01  # seconds between its writes


def demo_lines(count: int, text: bool = False) -> list[bytes]:
    """The demo feed's events, each as one JSON line (or one text log line)."""
    from dashboard.core.storage.recordformat import utc_text
    from dashboard.feed.demo import DemoScenario

    scenario = DemoScenario(seed=7)
    now = time.time()
    lines = []
    for n in range(count):
        at = now + n / PACED_RATE  # (times as a file growing at that rate has them)
        event = scenario.next(at)
        if text:
            level = "WARN" if event.type == "alert" else "INFO"
            lines.append(f"{utc_text(at)} {level} {event.type} n={n}\n".encode())
        else:
            lines.append(event.line + b"\n")
    return lines


def stage_write(path: str, count: int, rate: float) -> dict[str, Any]:
    """Append *count* lines to *path* at *rate* lines a second, in a write every 10 ms."""
    lines = demo_lines(count)
    written = 0
    with open(path, "ab", buffering=0) as file:
        first_write = time.time()
        started = time.perf_counter()
        while written < count:
            due = min(count, int((time.perf_counter() - started) * rate) + 1)
            if due > written:
                file.write(b"".join(lines[written:due]))
                written = due
            time.sleep(WRITE_EVERY)
        last_write = time.time()
    return {
        "lines": written,
        "seconds": time.perf_counter() - started,
        "first_write": first_write,
        "last_write": last_write,
    }


async def _read_into_store(
    url: str, count: int, live: asyncio.Event | None = None, **options: Any
) -> tuple[int, float, float]:
    """Follow *url* in a reader process into a store until it holds *count* events:
    (events, seconds from the start, time.time() when the last one was stored). *live* is
    set once the connection is live (the file open, at its end)."""
    from dashboard import settle_gc_for_streaming
    from dashboard.core.storage.store import EventStore
    from dashboard.sources.base import ConnectionState
    from dashboard.sources.process import ProcessSource
    from dashboard.sources.registry import KINDS

    store = EventStore(capacity=max(count, 1))
    settle_gc_for_streaming()  # as the app does
    source = ProcessSource(KINDS.spec(url, "bench", options=options), store)
    started = time.perf_counter()
    task = asyncio.create_task(source.run())
    seen = 0
    while store.end_seq < count:  # what the bus does once per frame tick
        await asyncio.sleep(TICK_MS / 1000)
        if live is not None and source.status.state is ConnectionState.LIVE:
            live.set()
        end = store.end_seq
        store.events(seen, end)
        store.release(end)
        seen = end
        if task.done():
            raise RuntimeError(f"the file source ended: {source.status.describe()}")
    done_at = time.time()
    elapsed = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return store.end_seq, elapsed, done_at


def stage_paced(count: int) -> dict[str, Any]:
    """A file followed while a writer process appends to it at PACED_RATE lines/s."""
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-files-") as folder:
        return _paced(count, Path(folder) / "growing.jsonl")


def _paced(count: int, path: Path) -> dict[str, Any]:
    import subprocess

    path.write_bytes(b"")

    async def run() -> dict[str, Any]:
        live = asyncio.Event()
        reading = asyncio.create_task(_read_into_store(path.as_uri(), count, live))
        await live.wait()  # the reader process started, and at the end of the file
        writer = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, __file__, "--stage", "write", str(path), str(count), str(PACED_RATE)],
            capture_output=True,
            text=True,
            check=True,
        )
        wrote = json.loads(writer.stdout.strip().splitlines()[-1])
        events, _, done_at = await reading
        return {
            "events": events,
            "offered_rate": PACED_RATE,
            "write_seconds": wrote["seconds"],
            "rate": events / (done_at - wrote["first_write"]),  # from the first line written
            "behind_ms": max(0.0, (done_at - wrote["last_write"]) * 1000),
        }

    return asyncio.run(run())


def stage_max(count: int, text: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-files-") as folder:
        return _max(count, text, Path(folder) / ("app.log" if text else "app.jsonl"))


def _max(count: int, text: bool, path: Path) -> dict[str, Any]:
    path.write_bytes(b"".join(demo_lines(count, text)))

    async def run() -> dict[str, Any]:
        events, seconds, _ = await _read_into_store(path.as_uri(), count, from_start=True)
        return {"events": events, "seconds": seconds, "rate": events / seconds,
                "file_mb": path.stat().st_size / 1e6}  # fmt: skip

    return asyncio.run(run())


def stage_floor(count: int) -> dict[str, Any]:
    import orjson

    with tempfile.TemporaryDirectory(prefix="dashboard-bench-files-") as folder:
        path = Path(folder) / "app.jsonl"
        path.write_bytes(b"".join(demo_lines(count)))
        started = time.perf_counter()
        events = 0
        with path.open("rb") as file:
            for line in file:
                orjson.loads(line)
                events += 1
        seconds = time.perf_counter() - started
    return {"events": events, "seconds": seconds, "rate": events / seconds}


def measure(quick: bool) -> dict[str, Any]:
    count = 20_000 if quick else 1_000_000
    results: dict[str, Any] = {"count": count}
    results["paced"] = run_stage("paced", str(count), script=__file__)
    results["file_max"] = run_stage("max", str(count), "json", script=__file__)
    results["text_max"] = run_stage("max", str(count), "text", script=__file__)
    feed, url = start_feed()
    try:
        results["sse"] = run_stage("pipeline", url, str(count))  # bench.py's stage
    finally:
        feed.terminate()
        feed.wait()
    results["floor"] = run_stage("floor", str(count), script=__file__)
    results["file_vs_sse"] = results["file_max"]["rate"] / results["sse"]["rate"]
    results["file_vs_floor"] = results["file_max"]["rate"] / results["floor"]["rate"]
    return results


def table(results: dict[str, Any]) -> str:
    def rate(stage: str) -> str:
        return f"{results[stage]['rate']:,.0f} events/s"

    count = f"{results['count']:,}"
    paced = results["paced"]
    return "\n".join(
        [
            "| measure | result |",
            "| --- | --- |",
            f"| followed file growing at {paced['offered_rate']:,} lines/s ({count} lines) | "
            f"{rate('paced')}, last line stored {paced['behind_ms']:,.0f} ms after it was "
            "written |",
            f"| file of {count} JSON lines from its start, as fast as it goes "
            f"({results['file_max']['file_mb']:,.0f} MB) | {rate('file_max')} |",
            f"| the same as text log lines (time and severity read) | {rate('text_max')} |",
            f"| SSE pipeline, the same {count} demo events | {rate('sse')} |",
            f"| file / SSE | {results['file_vs_sse']:.2f} |",
            f"| floor: `for line in file: orjson.loads(line)` | {rate('floor')} "
            f"(file / floor {results['file_vs_floor']:.2f}) |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tiny run: checks, no figures")
    parser.add_argument(
        "--json",
        type=Path,
        default=ROOT / "perf-files.json",
        help="where to write the results (default perf-files.json)",
    )
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        name, *rest = args.stage
        if name == "write":
            out = stage_write(rest[0], int(rest[1]), float(rest[2]))
        elif name == "paced":
            out = stage_paced(int(rest[0]))
        elif name == "max":
            out = stage_max(int(rest[0]), rest[1] == "text")
        else:
            out = stage_floor(int(rest[0]))
        print(json.dumps(out))
        return 0
    results = measure(args.quick)
    args.json.write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"\n(written to {args.json})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
