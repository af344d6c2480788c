"""Small real servers on loopback for the source tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from dashboard.listening import close_runner

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serve(handler: Handler, path: str = "/events", method: str = "GET") -> AsyncIterator[str]:
    """Serve *handler* at *path* (for *method*) on a free loopback port; yields the URL."""
    app = web.Application()
    app.router.add_route(method, path, handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        await close_runner(runner)  # (no connection being accepted left behind)


async def sse_response(
    request: web.Request, body: bytes, content_type: str = "text/event-stream"
) -> web.StreamResponse:
    """Send *body* as one streamed response, then end it."""
    response = web.StreamResponse(headers={"Content-Type": content_type})
    await response.prepare(request)
    await response.write(body)
    await response.write_eof()
    return response


async def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    """Poll *predicate* on the running loop until it is true (fails after *timeout*)."""

    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


def run(coro: Awaitable[Any], timeout: float = 30.0) -> Any:
    """Run a coroutine to the end on a fresh loop, failing after *timeout*."""
    return asyncio.run(asyncio.wait_for(coro, timeout))  # type: ignore[arg-type]
