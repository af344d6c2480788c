"""The command line, run as operators run it: real processes, real feeds on loopback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from httpx_sse import connect_sse
from PySide6.QtGui import QImage

from dashboard import __version__
from dashboard.core.layouts.layoutfile import load
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources.registry import KINDS

SUMMARY = re.compile(r"^events=(\d+) rejected=(\d+) connections=(\d+)$")


def dashboard(
    *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the app as a user would; each run has a config folder of its own unless *env*
    names one (the last layout is kept there)."""
    with tempfile.TemporaryDirectory(prefix="dashboard-cli-config-") as config:
        fresh = {"XDG_CONFIG_HOME": config}
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **fresh, **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "dashboard", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )


def summary(result: subprocess.CompletedProcess[str]) -> tuple[int, int, int]:
    match = SUMMARY.match(result.stdout.strip().splitlines()[-1])
    assert match, result.stdout
    events, rejected, connections = map(int, match.groups())
    return events, rejected, connections


def test_version() -> None:
    result = dashboard("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"dashboard {__version__}")


@pytest.mark.slow
def test_demo_runs_exits_with_a_summary_and_saves_a_screenshot(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    result = dashboard("--demo", "--rate", "200", "--exit-after", "3", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    events, rejected, connections = summary(result)
    assert events > 100 and rejected == 0 and connections == 1
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 730 and image.height() >= 500


@pytest.fixture
def feed() -> Iterator[FeedThread]:
    thread = FeedThread(FeedServer(rate=300, seed=9)).start()
    yield thread
    thread.close()


@pytest.mark.slow
def test_connects_to_an_sse_url(feed: FeedThread) -> None:
    result = dashboard(feed.server.url, "--exit-after", "2.5")
    assert result.returncode == 0, result.stderr
    events, rejected, connections = summary(result)
    assert events > 50 and rejected == 0 and connections == 1
    assert feed.server.last_event_ids == [None]


@pytest.mark.slow
def test_connects_to_sse_and_websocket_at_once_with_a_header(feed: FeedThread) -> None:
    ws_url = f"ws://127.0.0.1:{feed.server.port}/ws"
    result = dashboard(feed.server.url, ws_url, "--header", "X-Team: ops", "--exit-after", "3")
    assert result.returncode == 0, result.stderr
    events, rejected, connections = summary(result)
    assert events > 50 and rejected == 0 and connections == 2
    assert [h.get("X-Team") for h in feed.server.request_headers] == ["ops", "ops"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["ftp://example.test/x"],
            "'ftp://example.test/x' is not a feed URL: expected http(s)://host/path "
            "(Server-Sent Events), ws(s)://host/path (WebSocket), "
            "redis(s)://host:port/db?stream=NAME or ?channel=NAME (Redis), file:///path/to/file "
            "(File), stdin: (Standard input) or listen://127.0.0.1:9000/path (Webhooks)",
        ),
        (
            ["redis://localhost/0?stream=events&from=yesterday"],
            "'redis://localhost/0?stream=events&from=yesterday' is not a feed URL: "
            "from='yesterday': expected a stream id (1700000000000-0), a time ago (-10m, -2h) or $",
        ),
        (
            ["--header", "NoColon"],
            "argument --header: 'NoColon' is not a header: expected 'Name: value'",
        ),
        (
            ["--ca", "/nonexistent/ca.pem"],
            "argument --ca: cannot read '/nonexistent/ca.pem': no such file",
        ),
        (["--exit-after", "0"], "argument --exit-after: '0' is out of range (100ms to 24d)"),
        (["--exit-after", "25d"], "argument --exit-after: '25d' is out of range (100ms to 24d)"),
        (["--exit-after", "4w"], "argument --exit-after: '4w' is out of range (100ms to 24d)"),
        (["--heartbeat", "50ms"], "argument --heartbeat: '50ms' is out of range (100ms to 365d)"),
        (["--heartbeat", "400d"], "argument --heartbeat: '400d' is out of range (100ms to 365d)"),
        (
            ["--exit-after", "soon"],
            "argument --exit-after: expected a duration like 30s, 5m or 1h, not 'soon'",
        ),
        (["--rate", "10"], "--rate sets the demo feed's rate: use it with --demo"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["feed", "--junk", "2"], "argument --junk: '2' must be between 0 and 1"),
        (["feed", "--port", "99999"], "argument --port: '99999' must be 0 to 65535"),
        (
            ["--demo", "--rate", "100000"],
            "argument --rate: '100000' must be greater than 0 and at most 5000 (the built-in "
            "demo feed shares the window's process; for more, run 'dashboard feed --rate N' "
            "and connect to its URL)",
        ),
        (
            ["feed", "--rate", "1e9"],
            "argument --rate: '1e9' must be greater than 0 and at most 1000000",
        ),
        (["--replay", "/"], "argument --replay: cannot read '/': it is a folder, not a file"),
        (
            ["--screenshot", "/nonexistent/x.png", "--demo"],
            "argument --screenshot: cannot write '/nonexistent/x.png': no such folder /nonexistent",
        ),
        (
            ["--screenshot", "x.pdf"],
            "argument --screenshot: cannot save a picture as 'x.pdf': name it .png (or .jpg, .bmp)",
        ),
    ],
)
def test_bad_arguments_say_what_is_wrong(args: list[str], message: str) -> None:
    result = dashboard(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_feed_redis_without_the_redis_extra_says_so() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"  # as if the extra were not installed
        "from dashboard.cli import main\n"
        "sys.exit(main(['feed', '--redis', 'redis://127.0.0.1:6379/0']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "dashboard feed: error: argument --redis: needs the Redis extra: "
        "pip install 'live-dashboard[redis]'"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "it holds no events (the file is empty)"),
        (
            b'{"oops\n',
            "it holds no events (1 unreadable lines; the first: nothing.jsonl line 1: not JSON: "
            "unexpected end of data: line 1 column 7 (char 6))",
        ),
    ],
)
def test_a_replay_of_a_file_without_events_says_so(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "nothing.jsonl"
    path.write_bytes(content)
    result = dashboard("--replay", str(path), "--exit-after", "5")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == f"dashboard: cannot replay {path}: {reason}"


@pytest.mark.slow
def test_feed_command_serves_the_demo_over_sse() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "feed", "--port", "0", "--rate", "300", "--seed", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/events)", line)
        assert url, line
        types = []
        with httpx.Client(timeout=10) as client, connect_sse(client, "GET", url[1]) as source:
            for sse in source.iter_sse():
                types.append(sse.event)
                if len(types) == 50:
                    break
        assert len(types) == 50 and "metrics.update" in types
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
    finally:
        process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def test_feed_command_reports_a_busy_port(feed: FeedThread) -> None:
    result = dashboard("feed", "--port", str(feed.server.port))
    assert result.returncode == 1
    assert f"dashboard feed: cannot listen on 127.0.0.1:{feed.server.port}" in result.stderr


def test_a_broken_layout_file_stops_the_start_with_where_and_what(tmp_path: Path) -> None:
    layout = tmp_path / "shift.toml"
    layout.write_text("[[cards]]\ntitle = 'CPU'\nfield = 'cpu'\nshow = 'avg'\nwindow = 'soon'\n")
    result = dashboard("--layout", str(layout))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        f"dashboard: {layout}: line 1: cards[1] ('CPU'): window: expected a duration like "
        "30s, 5m or 1h, not 'soon'"
    )


@pytest.mark.slow
def test_a_layout_s_connections_open_and_the_last_layout_comes_back(
    tmp_path: Path, feed: FeedThread
) -> None:
    layout = tmp_path / "shift.toml"
    layout.write_text(
        f"title = 'Night shift'\n[[connections]]\nname = 'orders'\nurl = '{feed.server.url}'\n"
        "[[cards]]\ntitle = 'Orders/min'\ntype = 'order.placed'\nshow = 'count'\n"
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    first = dashboard("--layout", str(layout), "--exit-after", "3", env=env)
    assert first.returncode == 0, first.stderr
    events, _rejected, connections = summary(first)
    assert events > 100 and connections == 1
    kept = tmp_path / "config" / "live-dashboard" / "last-layout.toml"
    saved = load(kept, KINDS)
    assert saved.title == "Night shift" and [c.url for c in saved.connections] == [feed.server.url]
    assert [c.title for c in saved.cards] == ["Orders/min"] and saved.arrangement
    again = dashboard("--exit-after", "3", env=env)  # a bare start: the dashboard as it was
    assert again.returncode == 0, again.stderr
    assert summary(again)[2] == 1


@pytest.mark.slow
def test_a_bare_start_after_the_demo_runs_the_demo_again(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    first = dashboard("--demo", "--rate", "100", "--exit-after", "2", env=env)
    assert first.returncode == 0, first.stderr
    again = dashboard("--exit-after", "3", env=env)  # "connections included": the demo's too
    assert again.returncode == 0, again.stderr
    events, _rejected, connections = summary(again)
    assert connections == 1 and events > 50
    url = dashboard("http://127.0.0.1:9/events", "--exit-after", "1", env=env)
    assert url.returncode == 0, url.stderr
    assert not (tmp_path / "config" / "live-dashboard" / "last-demo").exists()
