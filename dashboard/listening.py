"""Closing a listening server without dropping the connection it is accepting.

asyncio's selector loop accepts a connection in one step and makes its transport in a
task that runs a step later. A server closed in between (``Server.close()``, which
``AppRunner.cleanup()`` calls at whatever moment it is awaited) fails that task on
``assert self._sockets is not None`` in ``asyncio.base_events.Server._attach``: the
accepted socket is left in a half-made transport nobody closes, the client hears nothing
until the garbage collector closes it with an "unclosed transport" ResourceWarning
(CPython gh-109564, still open). A feed restarted while clients reconnect (``feed
--chaos restart``) falls into that gap now and then, and so may a webhook receiver
stopped while a sender posts; these close the gap first. (Its own module, below every
layer: the feed and the sources both stop servers, and neither may import the other.)
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web


async def stop_accepting(*servers: asyncio.Server) -> None:
    """Take no new connection on *servers*' ports, and let those already accepted be set
    up (their transports made and handed over), before the servers are closed."""
    loop = asyncio.get_running_loop()
    for server in servers:
        for sock in server.sockets:
            # A loop with no readers (Windows' proactor) makes its transports in the step
            # that accepts: it has no such gap.
            with contextlib.suppress(NotImplementedError):
                loop.remove_reader(sock.fileno())
    # A transport task scheduled by an accept before the readers went runs before this
    # coroutine resumes: it was queued first.
    await asyncio.sleep(0)


async def close_runner(runner: web.AppRunner) -> None:
    """``runner.cleanup()``, the connections being accepted closed with every other."""
    servers = [site._server for site in runner.sites if site._server is not None]
    await stop_accepting(*servers)  # type: ignore[arg-type]
    await runner.cleanup()
