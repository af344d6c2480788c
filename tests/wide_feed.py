"""A feed of wide events over SSE on loopback, in a process of its own (so that its own work
and memory never show in the figures of the app it feeds).

    python -m tests.wide_feed [--rate N]     # prints its URL on the first line

It sends, in turn, the three kinds of wide event of issue #26, each about 700 KB:

* ``order.placed``: 50,000 keys, new names in every event (``k<event>_<key>``);
* ``inventory.snapshot``: the same 50,000 keys every time, new values;
* ``document.uploaded``: one string of 700,000 characters.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import orjson
from aiohttp import web

KEYS = 50_000
TEXT = 700_000
KINDS = ("order.placed", "inventory.snapshot", "document.uploaded")


def payload(n: int) -> dict[str, object]:
    """The *n*-th event's payload (its kind: KINDS[n % 3])."""
    kind = n % 3
    if kind == 0:
        return {f"k{n:x}_{i:x}": i % 100 for i in range(KEYS)}
    if kind == 1:
        return {f"key{i:05d}": (n + i) % 1000 for i in range(KEYS)}
    return {"blob": f"{n:08d}".ljust(TEXT, "x")}


def frame(n: int) -> bytes:
    body = orjson.dumps({"type": KINDS[n % 3], "data": payload(n)})
    return b"id: %d\ndata: %s\n\n" % (n + 1, body)


async def events(request: web.Request) -> web.StreamResponse:
    rate = request.app["rate"]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    started = time.monotonic()
    n = 0
    while True:
        await response.write(frame(n))
        n += 1
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))


async def main(rate: float) -> None:
    app = web.Application()
    app["rate"] = rate
    app.router.add_get("/events", events)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"http://127.0.0.1:{port}/events", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=6.0, help="events per second (all kinds)")
    asyncio.run(main(parser.parse_args().rate))
