"""Endurance runs: the app kept up for minutes against a feed that misbehaves.

    python tests/perf/endurance.py soak [SECONDS]    # 600 by default
    python tests/perf/endurance.py storm [SECONDS]   # 120 by default

* soak   the window with the demo layout (every panel of it shown) reads the chaos feed
         (``--chaos all``) at 5,000 events/s over SSE, over WebSocket and over a TLS port
         whose handshakes all fail. Resident memory of the window and of its feed
         processes is sampled every 5 s; the frame interval is taken from every bus tick;
         at the end the feed is paused and the SSE connection's counts must equal what
         the server sent exactly: accepted = events produced since the first one seen +
         the events trickled in + those sent not UTF-8 (repaired, as browsers do),
         rejected = the frames broken on purpose, no repeats.
* storm  20 connections to one feed whose server restarts every 2 s: file descriptors,
         threads and processes of the window and its feed processes are counted whenever
         all 20 are live again, and each restart's recovery (the time from the cut until
         every connection is live again) is measured.

The feed runs in a process of its own (``serve`` below), answering ``stats`` and ``pause``
on its standard input with a JSON line, so that its work never shows in the window's
figures. Each run prints its figures and writes them as JSON (``--json``);
``tests/perf/test_endurance.py`` runs both with ``pytest -m perf`` and checks the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SOAK_RATE = 5_000
SOAK_CAPACITY = 200_000  # full after 40 s: past the first minute the store no longer grows
SOAK_WARMUP_S = 60.0
SOAK_CHAOS_EVERY_S = 5.0
SOAK_STALL_S = 5.0  # a stalled stream is noticed after SOAK_HEARTBEAT_S of silence
SOAK_HEARTBEAT_S = 3.0
SOAK_HISTORY = 500_000  # 100 s of events the feed can resume from: more than any outage
SAMPLE_S = 5.0

STORM_CONNECTIONS = 20
STORM_EVERY_S = 2.0
STORM_RATE = 50  # events/s on the shared stream (each connection reads all of them)


# -- the feed, in a process of its own ------------------------------------------------------


def serve(modes: str, rate: float, every: float, history: int, stall: float) -> None:
    """Run a chaos feed; print its URLs, then answer each line of stdin with its counters."""
    from dashboard.feed.chaos import ChaosFeedServer, parse_modes

    async def main() -> None:
        server = ChaosFeedServer(parse_modes(modes), every=every, stall_s=stall, rate=rate,
                                 seed=11, chaos_seed=12, history=history)  # fmt: skip
        await server.start()
        ws_url = server.url.replace("http://", "ws://").replace("/events", "/ws")
        print(json.dumps({"url": server.url, "ws_url": ws_url, "tls_url": server.tls_url}),
              flush=True)  # fmt: skip
        loop = asyncio.get_running_loop()
        while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
            if line == "pause":
                await server.calm()
                server.paused = True
            faults: dict[str, int] = {}
            for fault in server.faults:
                faults[fault] = faults.get(fault, 0) + 1
            stats = {"produced": server.produced, "junk_sent": server.junk_sent,
                     "trickled": server.trickled, "repaired_sent": server.repaired_sent,
                     "restarts": server.restarts,
                     "faults": faults}  # fmt: skip
            print(json.dumps(stats), flush=True)
        await server.close()

    asyncio.run(main())


class Feed:
    """The feed process, seen from the run: its URLs and its counters on demand."""

    def __init__(self, modes: str, rate: float, every: float, history: int = 100_000,
                 stall: float = 60.0) -> None:  # fmt: skip
        args = ["serve", modes, str(rate), str(every), str(history), str(stall)]
        self.process = subprocess.Popen(
            [sys.executable, __file__, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.urls = json.loads(self._line())
        _NOT_READERS.add(self.process.pid)

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the feed process ended")
        return line

    def ask(self, command: str = "stats") -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self._line())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.communicate("\n", timeout=20)


# -- the window --------------------------------------------------------------------------


def _window(specs: list[Any], capacity: int) -> Any:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from dashboard import settle_gc_for_streaming
    from dashboard.core.layouts.layoutfile import builtin
    from dashboard.ui.app import Dashboard, make_application

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from tests.perf.bench import scratch_settings

    settings = scratch_settings()
    dashboard = Dashboard(specs, capacity=capacity, settings=settings, layout=builtin("demo"))
    settle_gc_for_streaming()  # as the app does
    return loop, dashboard


_NOT_READERS: set[int] = set()  # the feed's process: a child, but not the app's


def _resources() -> dict[str, Any]:
    """Memory, descriptors, threads and processes of this process and its feed readers."""
    import psutil

    me = psutil.Process()
    children = [c for c in me.children(recursive=True) if c.pid not in _NOT_READERS]
    return {
        "window_mb": me.memory_info().rss / 2**20,
        "readers_mb": sum(c.memory_info().rss for c in children) / 2**20,
        "fds": me.num_fds() + sum(c.num_fds() for c in children),
        "threads": me.num_threads() + sum(c.num_threads() for c in children),
        "processes": len(children),
    }


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _growth(samples: list[dict[str, Any]], key: str, warmup: float) -> dict[str, float]:
    after = [s[key] for s in samples if s["at"] >= warmup] or [samples[-1][key]]
    base = after[0]
    return {"at_warmup": base, "max_after": max(after), "end": after[-1],
            "growth": (max(after) - base) / base if base else 0.0}  # fmt: skip


def run_soak(seconds: float) -> dict[str, Any]:
    from dashboard.core.transport.connection import ConnectionSpec
    from dashboard.sources import ConnectionState

    feed = Feed("all", SOAK_RATE, SOAK_CHAOS_EVERY_S, SOAK_HISTORY, SOAK_STALL_S)
    urls = feed.urls
    specs = [
        ConnectionSpec(urls["url"], "sse", heartbeat_timeout=SOAK_HEARTBEAT_S),
        ConnectionSpec(urls["ws_url"], "ws", heartbeat_timeout=SOAK_HEARTBEAT_S),
        ConnectionSpec(urls["tls_url"], "tls"),
    ]
    loop, dashboard = _window(specs, SOAK_CAPACITY)
    ticks: list[float] = []
    first_id: list[int] = []
    dashboard.bus.ticked.connect(lambda: ticks.append(time.perf_counter()))

    def on_events(start: int, end: int) -> None:
        if not first_id:
            for event in dashboard.store.events(start, end):
                if event.connection == "sse" and event.id and event.id.isdigit():
                    first_id.append(int(event.id))
                    break

    dashboard.bus.events_appended.connect(on_events)
    samples: list[dict[str, Any]] = []
    sse = next(s for s in dashboard.sources if s.name == "sse")

    def accepted() -> int:
        counts = dashboard.store.counts.get("sse")
        return counts.accepted if counts else 0

    def without_ids(stats: dict[str, Any]) -> int:
        """Events sent whole without an id: trickled, and those not UTF-8 (repaired)."""
        return stats["trickled"] + stats["repaired_sent"]

    async def run() -> dict[str, Any]:
        dashboard.start()
        started = time.perf_counter()
        while (at := time.perf_counter() - started) < seconds:
            samples.append({"at": at, **_resources()})
            await asyncio.sleep(SAMPLE_S)
        streaming_ticks = [t - started for t in ticks]
        stats = feed.ask("pause")
        # Let the last events in: the SSE connection catches up to what was produced.
        last = stats["produced"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            sse.status.state is ConnectionState.LIVE
            and sse.status.last_event_id == str(last)
            and accepted() == last - first_id[0] + 1 + without_ids(feed.ask())
        ):
            await asyncio.sleep(0.2)
        stats = feed.ask()
        await dashboard.aclose()
        return {"stats": stats, "ticks": streaming_ticks}

    with loop:
        outcome = loop.run_until_complete(run())
    feed.close()
    stats = outcome["stats"]
    intervals = [(b - a) * 1000 for a, b in itertools.pairwise(outcome["ticks"])
                 if a >= SOAK_WARMUP_S]  # fmt: skip
    counts = {name: dashboard.store.counts.get(name) for name in ("sse", "ws", "tls")}
    expected = stats["produced"] - first_id[0] + 1 + without_ids(stats)
    return {
        "seconds": seconds,
        "rate": SOAK_RATE,
        "events": dashboard.store.end_seq,
        "faults": stats["faults"],
        "sse": {
            "first_id": first_id[0],
            "produced": stats["produced"],
            "expected_accepted": expected,
            "accepted": counts["sse"].accepted,
            "junk_sent": stats["junk_sent"],
            "rejected": counts["sse"].rejected,
            "duplicates": sse.status.duplicates,
            "reconnects": sse.status.reconnects,
            "exact": counts["sse"].accepted == expected
            and counts["sse"].rejected == stats["junk_sent"],
        },
        "ws": {
            "accepted": counts["ws"].accepted if counts["ws"] else 0,
            "rejected": counts["ws"].rejected if counts["ws"] else 0,
        },
        "frame_ms_p50": percentile(intervals, 50),
        "frame_ms_p99": percentile(intervals, 99),
        "frame_ms_max": max(intervals) if intervals else None,
        "window_mb": _growth(samples, "window_mb", SOAK_WARMUP_S),
        "readers_mb": _growth(samples, "readers_mb", SOAK_WARMUP_S),
        "samples": samples,
    }


def run_storm(seconds: float) -> dict[str, Any]:
    from dashboard.core.transport.connection import ConnectionSpec
    from dashboard.sources import ConnectionState

    feed = Feed("restart", STORM_RATE, STORM_EVERY_S)
    specs = [ConnectionSpec(feed.urls["url"], f"c{i:02d}") for i in range(STORM_CONNECTIONS)]
    loop, dashboard = _window(specs, 100_000)
    live_samples: list[dict[str, Any]] = []
    recoveries: list[float] = []  # from a restart's first cut until all are live again
    late: list[float] = []  # per reconnect: how long after its planned retry it was live

    def live() -> int:
        return sum(s.status.state is ConnectionState.LIVE for s in dashboard.sources)

    async def run() -> dict[str, Any]:
        dashboard.start()
        # All live, and still so a moment later: a status reaches the window up to 0.1 s
        # after it changed, and the feed's first restart often comes as the last ones go
        # live (the sample then counted none of their sockets: 30 fds, not 50).
        steady = 0
        while steady < 5:
            steady = steady + 1 if live() == STORM_CONNECTIONS else 0
            await asyncio.sleep(0.05)
        started = time.perf_counter()
        live_samples.append({"at": 0.0, **_resources()})
        cut: float | None = None
        retry_at: dict[str, float] = {}
        while time.perf_counter() - started < seconds:
            now, mono = time.perf_counter(), time.monotonic()
            for source in dashboard.sources:
                status = source.status
                if status.state is ConnectionState.RECONNECTING and status.retry_at:
                    retry_at[source.name] = status.retry_at
                elif status.state is ConnectionState.LIVE and source.name in retry_at:
                    late.append(mono - retry_at.pop(source.name))
            n = live()
            if n < STORM_CONNECTIONS and cut is None:
                cut = now
            elif n == STORM_CONNECTIONS and cut is not None:
                recoveries.append(now - cut)
                cut = None
                live_samples.append({"at": now - started, **_resources()})
            await asyncio.sleep(0.01)
        stats = feed.ask("pause")
        reconnects = [s.status.reconnects for s in dashboard.sources]
        await dashboard.aclose()
        feed.close()
        return {**stats, "reconnects": reconnects}

    with loop:
        stats = loop.run_until_complete(run())
    first, last = live_samples[0], live_samples[-1]
    return {
        "seconds": seconds,
        "connections": STORM_CONNECTIONS,
        "restarts": stats["restarts"],
        "recoveries": len(recoveries),
        "recovery_s_p50": percentile(recoveries, 50),
        "recovery_s_max": max(recoveries) if recoveries else None,
        "reconnects_min": min(stats["reconnects"]),
        "late_s_p50": percentile(late, 50),
        "late_s_max": max(late) if late else None,
        "reconnects_timed": len(late),
        "first_all_live": first,
        "last_all_live": last,
        "max_fds": max(s["fds"] for s in live_samples),
        "max_threads": max(s["threads"] for s in live_samples),
        "max_processes": max(s["processes"] for s in live_samples),
    }


def report(name: str, result: dict[str, Any]) -> str:
    if name == "soak":
        sse, window, readers = result["sse"], result["window_mb"], result["readers_mb"]
        return "\n".join([
            f"soak: {result['seconds']:g} s at {result['rate']:,}/s with --chaos all, "
            f"{result['events']:,} events stored in all; faults: "
            + ", ".join(f"{k} x{v}" for k, v in sorted(result["faults"].items())),
            f"  SSE accepted {sse['accepted']:,} of {sse['expected_accepted']:,} sent, "
            f"rejected {sse['rejected']:,} of {sse['junk_sent']:,} broken, "
            f"{sse['duplicates']} repeats, {sse['reconnects']} reconnects: "
            + ("exact" if sse["exact"] else "NOT EXACT"),
            f"  frame interval after warm-up: p50 {result['frame_ms_p50']:.1f} ms, "
            f"p99 {result['frame_ms_p99']:.1f} ms, max {result['frame_ms_max']:.1f} ms",
            f"  window {window['at_warmup']:.0f} MB after warm-up, at most "
            f"{window['max_after']:.0f} MB later (+{window['growth']:.1%}), "
            f"{window['end']:.0f} MB at the end",
            f"  feed processes {readers['at_warmup']:.0f} MB after warm-up, at most "
            f"{readers['max_after']:.0f} MB later (+{readers['growth']:.1%}), "
            f"{readers['end']:.0f} MB at the end",
        ])  # fmt: skip
    first, last = result["first_all_live"], result["last_all_live"]
    return "\n".join([
        f"storm: {result['connections']} connections, {result['restarts']} restarts in "
        f"{result['seconds']:g} s; every connection back after each: "
        f"p50 {result['recovery_s_p50']:.2f} s, max {result['recovery_s_max']:.2f} s "
        f"({result['recoveries']} recoveries)",
        f"  {result['reconnects_timed']} reconnects timed: live again "
        f"{result['late_s_p50']:.2f} s (p50), at most {result['late_s_max']:.2f} s after the "
        "attempt their backoff planned",
        f"  all live at the start: {first['fds']} fds, {first['threads']} threads, "
        f"{first['processes']} processes; at the end: {last['fds']} fds, "
        f"{last['threads']} threads, {last['processes']} processes "
        f"(most seen: {result['max_fds']}, {result['max_threads']}, {result['max_processes']})",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("run", choices=("soak", "storm", "serve"))
    parser.add_argument("args", nargs="*")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args(argv)
    if options.run == "serve":
        modes, rate, every, history, stall = options.args
        serve(modes, float(rate), float(every), int(history), float(stall))
        return 0
    default = 600.0 if options.run == "soak" else 120.0
    seconds = float(options.args[0]) if options.args else default
    result = (run_soak if options.run == "soak" else run_storm)(seconds)
    print(report(options.run, result))
    if options.json:
        options.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
