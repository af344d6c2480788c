"""Recording from the command line: headless capture and the window's --record."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.core.events.event import Event
from dashboard.core.storage.recordformat import open_events_file, read_events
from dashboard.core.storage.recordwriter import Recorder
from dashboard.core.transport.sourcekind import SourceKind
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources.base import ReconnectingSource
from dashboard.sources.registry import KINDS
from tests.full_disk import full_disk
from tests.unit.factories import make_event


@pytest.fixture
def feed() -> Iterator[FeedThread]:
    thread = FeedThread(FeedServer(rate=400, seed=5)).start()
    yield thread
    thread.close()


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "dashboard", *args]


def window(*args: str) -> subprocess.CompletedProcess[str]:
    """The app, offscreen, run to its end (give it --exit-after)."""
    return subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


def events_in(path: Path) -> list[Event]:
    with open_events_file(str(path)) as stream:
        return [e for e in read_events(stream, path.name) if isinstance(e, Event)]


def test_record_a_count_of_events_from_sse_and_websocket(feed: FeedThread, tmp_path: Path) -> None:
    out = tmp_path / "capture.jsonl.gz"
    ws_url = feed.server.url.replace("http://", "ws://").replace("/events", "/ws")
    result = subprocess.run(
        command("record", feed.server.url, ws_url, "-o", str(out), "--count", "400"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Recorded 400 events and 0 rejected")
    events = events_in(out)
    assert len(events) == 400 and [e.seq for e in events] == list(range(400))
    host = feed.server.url.split("/")[2]  # the connections are named after it
    assert {e.connection for e in events} == {host, f"{host}-2"}
    sse_ids = [int(e.id) for e in events if e.connection == host]  # type: ignore[arg-type]
    assert sse_ids == list(range(sse_ids[0], sse_ids[0] + len(sse_ids)))  # none missing


def test_ctrl_c_closes_the_recording_cleanly(feed: FeedThread, tmp_path: Path) -> None:
    out = tmp_path / "capture.jsonl"
    process = subprocess.Popen(
        command("record", feed.server.url, "-o", str(out)),
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while (not out.exists() or out.stat().st_size < 2000) and time.monotonic() < deadline:
        time.sleep(0.1)  # the file is flushed at least once a second while recording
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "(interrupted)" in err
    text = out.read_text()
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) >= 10 and [r["seq"] for r in lines] == list(range(len(lines)))


def test_bad_record_arguments_say_what_is_wrong(tmp_path: Path) -> None:
    missing = subprocess.run(
        command("record", "http://127.0.0.1:1/e", "-o", str(tmp_path / "no" / "x.jsonl")),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert missing.returncode == 2
    assert f"cannot write {tmp_path / 'no' / 'x.jsonl'}: no such folder" in missing.stderr
    no_output = subprocess.run(
        command("record", "http://127.0.0.1:1/e"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert no_output.returncode == 2 and "-o/--output" in no_output.stderr
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_text("an earlier incident\n")
    for args, message in (
        (
            ("record", "http://127.0.0.1:1/e", "-o", str(earlier)),
            f"dashboard record: {earlier} already exists: choose another name, or add --force "
            "to overwrite it",
        ),
        (
            ("--record", str(earlier)),
            f"argument --record: {earlier} already exists: choose another name, or delete it first",
        ),
    ):
        refused = subprocess.run(
            command(*args), capture_output=True, text=True, timeout=30, check=False
        )
        assert refused.returncode == 2 and message in refused.stderr
    assert earlier.read_text() == "an earlier incident\n"  # nothing was overwritten


@pytest.mark.slow
def test_the_window_records_everything_it_received(tmp_path: Path) -> None:
    out = tmp_path / "window.jsonl"
    result = window("--demo", "--exit-after", "3", "--record", str(out))
    assert result.returncode == 0, result.stderr
    received = int(result.stdout.strip().splitlines()[-1].split()[0].split("=")[1])
    events = events_in(out)
    assert received > 0 and len(events) == received
    assert [e.seq for e in events] == list(range(received))


@pytest.mark.slow
def test_the_window_replays_a_recording_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "incident.jsonl.gz"
    recorder = Recorder(path)
    recorder.extend(make_event(data={"n": n}, time=1_000_000.0 + n / 10) for n in range(500))
    recorder.close()
    result = window("--replay", str(path), "--speed", "max", "--exit-after", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "events=500 rejected=0 connections=0"


@pytest.mark.slow
def test_replaying_a_file_that_is_no_recording_says_why(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl.gz"
    path.write_text("these are notes, not gzip\n")
    result = window("--replay", str(path), "--exit-after", "3")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"dashboard: cannot replay {path}: not a readable gzip file (Not a gzipped file (b'th'))"
    )


def test_a_full_disk_is_said_once_as_a_write_failure(feed: FeedThread, tmp_path: Path) -> None:
    """The recorder writes from inside the connections' read loop: its failure used to be
    taken for theirs ("cannot connect to 127.0.0.1:PORT: No space left on device", again at
    every reconnect) before the right message came."""
    with full_disk(tmp_path) as (out, readable):
        ws_url = feed.server.url.replace("http://", "ws://").replace("/events", "/ws")
        result = subprocess.run(
            command("record", feed.server.url, ws_url, "-o", str(out), "--force"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1, result.stderr
        said = result.stderr.replace("\r", "\n").splitlines()
        assert [line for line in said if "No space left" in line] == [
            f"dashboard record: cannot write {out}: No space left on device"
        ]
        assert not [line for line in said if "cannot connect" in line]
        assert said[-1].startswith("Stopped after ") and said[-1].endswith(
            f"{out} keeps what was written, up to its last whole line."
        )
        if readable:
            data = out.read_bytes()
            assert data.endswith(b"\n")
            events = events_in(out)
            assert len(events) == data.count(b"\n") > 50


def test_every_connection_stopping_on_an_error_exits_1_and_says_why(tmp_path: Path) -> None:
    """A capture that ended because nothing could be read is no success (it exited 0)."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "nothing.jsonl"
    url = f"http://127.0.0.1:{port}/events"
    result = subprocess.run(
        command("record", url, "--reconnect", "never", "-o", str(out)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    reason = f"cannot connect to 127.0.0.1:{port}: connection refused or unreachable"
    assert result.stderr.strip().splitlines()[-1] == (
        f"Recorded 0 events and 0 rejected frames in {_seconds(result.stderr)} s to {out} "
        f"(every connection stopped (127.0.0.1:{port}: {reason}))."
    )
    assert out.read_bytes() == b""  # closed cleanly, nothing in it


def _seconds(stderr: str) -> str:
    """The seconds the last line of a capture's *stderr* says it took."""
    found = re.search(r" in ([\d,.]+) s to ", stderr.strip().splitlines()[-1])
    assert found, stderr
    return found.group(1)


class _BrokenSource(ReconnectingSource):
    """Goes live, then fails as only a bug of ours would (no transport error)."""

    async def _stream_once(self) -> str:
        self.went_live()
        await asyncio.sleep(0)
        raise RuntimeError("a bug \x1b[2J in a source")


BROKEN = SourceKind(
    name="broken", title="Broken", schemes=("broken",), reader=_BrokenSource, url_example="x"
)


def test_a_source_s_unexpected_error_is_logged_and_stops_its_connection(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was swallowed: the connection stayed live, nothing was logged, and the summary
    read "every connection stopped (lab: live)"."""
    out = tmp_path / "broken.jsonl"
    code = main(["record", "broken://lab/x", "-o", str(out)], kinds=KINDS.adding(BROKEN))
    assert code == 1
    said = [r for r in caplog.records if r.name == "dashboard.capture"]
    assert [(r.levelname, r.getMessage()) for r in said] == [
        ("ERROR", "lab stopped on an unexpected error")
    ]
    assert said[0].exc_text is not None and "RuntimeError: a bug \\x1b[2J" in said[0].exc_text
    reason = "internal error: RuntimeError('a bug \\x1b[2J in a source')"
    err = capsys.readouterr().err
    assert "\x1b[2J" not in err
    assert err.strip().splitlines()[-1] == (
        f"Recorded 0 events and 0 rejected frames in {_seconds(err)} s to {out} "
        f"(every connection stopped (lab: {reason}))."
    )
