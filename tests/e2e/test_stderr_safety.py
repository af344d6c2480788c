"""What servers say never acts on the operator's terminal, and secrets never reach it.

Real servers on loopback (the ``websockets`` server library, aiohttp, a raw socket for an
HTTP reason phrase no framework would write) and the real command line, run as a
subprocess: ``dashboard record`` and the window (``dashboard URL``, whose feeds are read in
processes of their own), with ``-vv``, so that every library logs what it sends.
"""

from __future__ import annotations

import asyncio
import base64
import os
import queue
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import web
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from dashboard.core.text.redact import MASK
from tests.redis_server import free_port

# A close reason a hostile server might send: clear the screen, colour, retitle the
# terminal (OSC ... BEL), ring the bell, reverse what follows. (The protocol allows 123
# bytes.)
CLOSE_REASON = "bye \x1b[2J\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u202eevil\x07"
CLOSE_REASON_SHOWN = "bye \\x1b[2J\\x1b[31mred\\x1b[0m \\x1b]0;pwned\\x07 \\u202eevil\\x07"
# An HTTP reason phrase with ESC and BEL (httpx keeps its ASCII), and one with C1 controls
# (websockets reads the status line as ISO-8859-1: \x9b is the 8-bit CSI).
STATUS_LINE = b"HTTP/1.1 403 Forbidden \x1b[2J\x1b]0;pwned\x07\r\n"
PHRASE_SHOWN = "Forbidden \\x1b[2J\\x1b]0;pwned\\x07"
WS_PHRASE = "Forbidden \x9b2J\x85"
WS_PHRASE_SHOWN = "Forbidden \\u009b2J\\u0085"
RAW = ("\x1b", "\x07", "\u202e", "\x9b", "\x85")  # none may reach stderr


class LoopThread:
    """An asyncio loop in a thread, for servers that outlive one call."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread()
    cleanups: list[Callable[[], Coroutine[Any, Any, Any]]] = []
    thread.cleanups = cleanups  # type: ignore[attr-defined]
    yield thread
    for cleanup in reversed(cleanups):
        thread.run(cleanup())
    thread.close()


async def hostile_websocket(rejections: bool) -> tuple[int, Callable[[], Any]]:
    """A WebSocket server that closes each connection with CLOSE_REASON; with *rejections*,
    only the first: later handshakes are refused with 403 WS_PHRASE (so a recording ends)."""
    accepted = 0

    def process_request(connection: ServerConnection, request: Request) -> Response | None:
        nonlocal accepted
        if rejections and accepted:
            body = b"no more\n"
            headers = Headers([("Content-Length", str(len(body)))])
            return Response(HTTPStatus.FORBIDDEN, WS_PHRASE, headers, body)
        accepted += 1
        return None

    async def handler(connection: ServerConnection) -> None:
        await connection.close(4000, CLOSE_REASON)

    server = await serve(handler, "127.0.0.1", 0, process_request=process_request)
    port = server.sockets[0].getsockname()[1]

    async def close() -> None:
        server.close()
        await server.wait_closed()

    return port, close


async def hostile_status_line() -> tuple[int, Callable[[], Any]]:
    """An HTTP server that answers every request with STATUS_LINE, as raw bytes."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(STATUS_LINE + b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    async def close() -> None:
        server.close()
        await server.wait_closed()

    return port, close


def watch(
    args: list[str], evidence: list[str], stop: signal.Signals, env: dict[str, str] | None = None
) -> tuple[str, list[str]]:
    """Run the app until every line of *evidence* is on its stderr (or it ends, or a
    minute passes), then send it *stop*; its whole stderr, and the evidence not seen."""
    with tempfile.TemporaryDirectory(prefix="dashboard-stderr-config-") as config:
        return _watch(args, evidence, stop, {"XDG_CONFIG_HOME": config, **(env or {})})


def _watch(
    args: list[str], evidence: list[str], stop: signal.Signals, env: dict[str, str]
) -> tuple[str, list[str]]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
    )
    assert process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []
    missing = list(evidence)
    deadline = time.monotonic() + 60
    try:
        while missing:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            if line is None:
                break
            seen.append(line)
            missing = [e for e in missing if e != line.rstrip("\n")]
    except queue.Empty:
        pass
    finally:
        if process.poll() is None:
            process.send_signal(stop)
        process.wait(30)
        reader.join(30)
        process.stderr.close()
    while (line := lines.get_nowait() if not lines.empty() else None) is not None:
        seen.append(line)
    return "".join(seen), missing


def test_record_shows_a_hostile_close_reason_and_reason_phrase_escaped(
    loop_thread: LoopThread, tmp_path: Path
) -> None:
    ws_port, close_ws = loop_thread.run(hostile_websocket(rejections=True))
    http_port, close_http = loop_thread.run(hostile_status_line())
    loop_thread.cleanups += [close_ws, close_http]  # type: ignore[attr-defined]
    ws, http = f"127.0.0.1:{ws_port}", f"127.0.0.1:{http_port}"
    stopped = (
        f"{ws}: the credentials were refused (403 {WS_PHRASE_SHOWN}); "
        f"{http}: the credentials were refused (403 {PHRASE_SHOWN})"
    )
    out = tmp_path / "hostile.jsonl"
    stderr, missing = watch(
        ["record", f"ws://{ws}/", f"http://{http}/events", "-o", str(out)],
        [
            f"dashboard: dashboard.sources: {ws}: the server closed the connection with code "
            f"4000 ({CLOSE_REASON_SHOWN})",
            f"dashboard: dashboard.sources: {http}: stopped: the credentials were refused "
            f"(403 {PHRASE_SHOWN})",
            f"dashboard: dashboard.sources: {ws}: stopped: the credentials were refused "
            f"(403 {WS_PHRASE_SHOWN})",
        ],
        signal.SIGINT,
    )
    assert not missing, stderr
    assert stderr.rstrip().endswith(f"to {out} (every connection stopped ({stopped})).")
    assert not [c for c in RAW if c in stderr], stderr


def test_the_window_shows_a_hostile_close_reason_escaped(
    qtbot: Any, settings: Any, qt_loop: Any, run_on_loop: Any, loop_thread: LoopThread
) -> None:
    from dashboard.core.transport.connection import ConnectionSpec
    from dashboard.ui.app import Dashboard
    from tests.qt.test_hostile_content import texts_shown

    ws_port, close_ws = loop_thread.run(hostile_websocket(rejections=False))
    http_port, close_http = loop_thread.run(hostile_status_line())
    loop_thread.cleanups += [close_ws, close_http]  # type: ignore[attr-defined]
    dash = Dashboard(
        [
            ConnectionSpec(f"ws://127.0.0.1:{ws_port}/", "hostile-ws"),
            ConnectionSpec(f"http://127.0.0.1:{http_port}/events", "hostile-sse"),
        ],
        settings=settings,
        tick_ms=10,
    )
    qtbot.addWidget(dash.window)
    dash.start()
    try:
        ws = dash.connections.source("hostile-ws").status
        sse = dash.connections.source("hostile-sse").status
        qtbot.waitUntil(lambda: bool(ws.last_error and sse.last_error), timeout=20_000)
        dash.window.refresh_now()
        assert ws.last_error == (
            f"the server closed the connection with code 4000 ({CLOSE_REASON_SHOWN})"
        )
        assert sse.last_error == f"the credentials were refused (403 {PHRASE_SHOWN})"
        status_bar = dash.window.status
        badges = status_bar.connections_label.text()
        assert "the credentials were refused (403 Forbidden \\x1b[2J" in badges  # cut short
        tooltip = status_bar.connections_label.toolTip()
        assert CLOSE_REASON_SHOWN in tooltip and PHRASE_SHOWN in tooltip
        cells = [text for text, _ in texts_shown(dash.window)]
        assert any(CLOSE_REASON_SHOWN in text for text in cells)
        for text in [badges, tooltip, *cells]:
            assert not [c for c in RAW if c in text], text
    finally:
        run_on_loop(dash.aclose(), timeout=20_000)


# -- secrets ---------------------------------------------------------------------------

ENV = {"DASH_TEST_TENANT": "env-header-5ecret", "DASH_TEST_REDIS_PASSWORD": "env-redis-5ecret"}
HEADERS = [
    "Authorization: Bearer bearer-tok-5ecret",
    "X-API-Key: api-key-5ecret",
    "Cookie: sid=cookie-5ecret",
    "X-Tenant: ${DASH_TEST_TENANT}",  # a name that says nothing: only the value is known
]
USERS = {
    "alice": "sse-pass-5ecret",
    "bob": "ws-pass-5ecret",
    "carol": "tls-pass-5ecret",
    "dave": "refused-pass-5ecret",
    "erin": "ws-refused-5ecret",
}


async def refusing_server(context: ssl.SSLContext | None = None) -> tuple[int, Callable[[], Any]]:
    """An aiohttp server that answers every request (SSE or a WebSocket handshake) with
    401; over TLS with *context*."""

    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=401, text="who are you?")

    app = web.Application()
    app.router.add_get("/{tail:.*}", refuse)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    return site._server.sockets[0].getsockname()[1], runner.cleanup  # type: ignore[union-attr]


@pytest.fixture
def failing_everywhere(loop_thread: LoopThread) -> tuple[list[str], list[str]]:
    """Command-line arguments for connections that fail in every way, each with a secret;
    and the lines of -vv output that show each failure happened."""
    ca = trustme.CA()  # a CA the app was not told about: verification fails
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    p401, close_plain = loop_thread.run(refusing_server())
    tls, close_tls = loop_thread.run(refusing_server(context))
    loop_thread.cleanups += [close_plain, close_tls]  # type: ignore[attr-defined]
    refused, redis = free_port(), free_port()
    u = {user: f"{user}:{password}" for user, password in USERS.items()}
    urls = [
        f"http://{u['alice']}@127.0.0.1:{p401}/events",  # 401, with a Bearer header
        f"ws://{u['bob']}@127.0.0.1:{p401}/ws",  # WebSocket handshake rejected
        f"https://{u['carol']}@127.0.0.1:{tls}/events",  # TLS failure
        f"wss://127.0.0.1:{tls}/ws",
        f"http://{u['dave']}@127.0.0.1:{refused}/events",  # connection refused
        f"ws://{u['erin']}@127.0.0.1:{refused}/ws",
        f"redis://:redis-pass-5ecret@127.0.0.1:{redis}/0?stream=orders",  # refused
        f"redis://ops:${{DASH_TEST_REDIS_PASSWORD}}@127.0.0.1:{redis}/0?stream=audit",
    ]
    args = [*urls, *(a for header in HEADERS for a in ("--header", header)), "-vv"]
    name = "dashboard: dashboard.sources: 127.0.0.1"
    certificate = (
        "was not accepted: unable to get local issuer certificate (give its CA with --ca FILE, "
        "or --insecure to skip the check)"
    )
    evidence = [
        f"{name}:{p401}: stopped: the credentials were refused (401 Unauthorized)",
        f"{name}:{p401}-2: stopped: the credentials were refused (401 Unauthorized)",
        f"{name}:{tls}: stopped: the TLS certificate of 127.0.0.1:{tls} {certificate}",
        f"{name}:{tls}-2: stopped: the TLS certificate of 127.0.0.1:{tls} {certificate}",
        f"{name}:{refused}: cannot connect to 127.0.0.1:{refused}: connection refused or "
        "unreachable",
        f"{name}:{refused}-2: cannot connect to 127.0.0.1:{refused}: connection refused or "
        "unreachable",
        f"{name}:{redis} orders: cannot reach Redis at 127.0.0.1:{redis}: Error 111 connecting "
        f"to 127.0.0.1:{redis}. Connect call failed ('127.0.0.1', {redis}).",
        f"{name}:{redis} audit: cannot reach Redis at 127.0.0.1:{redis}: Error 111 connecting "
        f"to 127.0.0.1:{redis}. Connect call failed ('127.0.0.1', {redis}).",
        f"dashboard: httpx: HTTP Request: GET http://alice:{MASK}@127.0.0.1:{p401}/events "
        '"HTTP/1.1 401 Unauthorized"',
        f"dashboard: websockets.client: > Authorization: Basic {MASK}",
        f"dashboard: websockets.client: > Authorization: Bearer {MASK}",
        f"dashboard: websockets.client: > X-API-Key: {MASK}",
        f"dashboard: websockets.client: > Cookie: {MASK}",
        f"dashboard: websockets.client: > X-Tenant: {MASK}",
    ]
    return args, evidence


def assert_no_secret(stderr: str) -> None:
    assert "5ecret" not in stderr, stderr  # every secret above has it
    for user, password in USERS.items():
        basic = base64.b64encode(f"{user}:{password}".encode()).decode()
        assert basic not in stderr, (user, stderr)


def test_record_with_vv_shows_no_secret(
    failing_everywhere: tuple[list[str], list[str]], tmp_path: Path
) -> None:
    args, evidence = failing_everywhere
    out = tmp_path / "nothing.jsonl"
    stderr, missing = watch(["record", *args, "-o", str(out)], evidence, signal.SIGINT, ENV)
    assert not missing, stderr
    assert_no_secret(stderr)


@pytest.mark.slow
def test_the_window_and_its_feed_processes_with_vv_show_no_secret(
    failing_everywhere: tuple[list[str], list[str]],
) -> None:
    args, evidence = failing_everywhere
    stderr, missing = watch(args, evidence, signal.SIGTERM, ENV)
    assert not missing, stderr
    assert_no_secret(stderr)
