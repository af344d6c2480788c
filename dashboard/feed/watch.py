"""JSON-lines feeds shaped like the APIs operators already have (aiohttp): a Kubernetes
watch, Docker's ``/events`` and a plain NDJSON stream for benchmarks.

What the tests drive by hand, so that every count is exact:

* ``/api/v1/namespaces/demo/pods``: a list of pods (``PodList``, paged with ``limit`` and
  ``continue``), and with ``?watch=true`` a watch of them from ``resourceVersion``. The
  changes made with :meth:`WatchServer.add`, :meth:`~WatchServer.modify` and
  :meth:`~WatchServer.delete` are kept in a history; :meth:`~WatchServer.compact` forgets
  it, so that a watch resuming from before answers ``410 Gone`` (as an ``ERROR`` event, or
  as the HTTP status with ``gone_as_status``); :meth:`~WatchServer.drop` cuts every open
  stream. A watch without ``resourceVersion`` starts with an ``ADDED`` event for each pod,
  as the API server's does; with ``resend_last`` a resumed one repeats the change it
  resumed after (the reader drops it).
* ``/events``: Docker engine events made with :meth:`~WatchServer.docker`, streamed from
  ``since=`` (inclusive, as a daemon may be: the reader drops what it already saw).
* ``/ndjson?count=N``: N demo events as JSON lines, as fast as the socket takes them.
* ``/health``: a JSON status to poll, ``ok`` three times, then ``degraded`` three times, and
  so on, with a new ``time`` each answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web

from dashboard.feed.demo import DemoScenario
from dashboard.listening import close_runner

PODS = "/api/v1/namespaces/demo/pods"
NAMESPACE = "demo"
DOCKER_EPOCH_NANOS = 1_700_000_000_000_000_000
BENCH_BATCH = 2000  # lines per write of /ndjson


class WatchServer:
    """Start and stop it on a running asyncio loop. The tests read ``watch_versions`` (the
    ``resourceVersion`` of each watch request, None if absent), ``lists`` (list requests),
    ``docker_since`` (the ``since`` of each /events request) and ``streams`` (open ones)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.version = 100  # the resourceVersion of the latest change
        self.pods: dict[str, dict[str, Any]] = {}
        self.history: list[tuple[int, bytes]] = []  # (resourceVersion, watch event line)
        self.oldest = 0  # a watch from a version before this one is answered 410 Gone
        self.gone_as_status = False
        self.resend_last = False  # a resumed watch starts with the change it resumed after
        self.docker_lines: list[tuple[int, bytes]] = []  # (timeNano, event line)
        self.watch_versions: list[str | None] = []
        self.lists: list[dict[str, str]] = []
        self.docker_since: list[str | None] = []
        self.streams = 0
        self.health_polls = 0
        self._changed = asyncio.Event()
        self._cut = 0  # drop() counts up; a stream that sees it change ends
        self._runner: web.AppRunner | None = None
        self._bench_lines: list[bytes] = []

    def url(self, path: str = PODS) -> str:
        return f"http://{self.host}:{self.port}{path}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(PODS, self._pods)
        app.router.add_get("/events", self._docker)
        app.router.add_get("/ndjson", self._ndjson)
        app.router.add_get("/health", self._health)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self.drop()
            await close_runner(runner)

    # -- what the tests do -----------------------------------------------------------------
    def add(self, name: str, phase: str = "Pending") -> None:
        self._change("ADDED", name, phase)

    def modify(self, name: str, phase: str) -> None:
        self._change("MODIFIED", name, phase)

    def delete(self, name: str) -> None:
        self._change("DELETED", name, self.pods[name]["status"]["phase"])

    def compact(self) -> None:
        """Forget the history: a watch from any version before now is answered 410 Gone."""
        self.history.clear()
        self.oldest = self.version + 1

    def drop(self) -> None:
        """End every open stream (the server stays up)."""
        self._cut += 1
        self._wake()

    def docker(self, action: str, name: str, exit_code: str | None = None) -> None:
        nanos = DOCKER_EPOCH_NANOS + len(self.docker_lines) * 1_000
        attributes = {"name": name, "image": "nginx:1.27"}
        if exit_code is not None:
            attributes["exitCode"] = exit_code
        event = {
            "status": action,
            "id": f"{len(self.docker_lines):064x}",
            "from": "nginx:1.27",
            "Type": "container",
            "Action": action,
            "Actor": {"ID": f"{len(self.docker_lines):064x}", "Attributes": attributes},
            "scope": "local",
            "time": nanos // 1_000_000_000,
            "timeNano": nanos,
        }
        self.docker_lines.append((nanos, orjson.dumps(event)))
        self._wake()

    # -- Kubernetes ------------------------------------------------------------------------
    def _change(self, watch_type: str, name: str, phase: str) -> None:
        self.version += 1
        pod = {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "name": name,
                "namespace": NAMESPACE,
                "uid": f"uid-{name}",
                "resourceVersion": str(self.version),
                "creationTimestamp": "2026-12-06T08:00:00Z",
                "managedFields": [
                    {"manager": "kubelet", "time": f"2026-12-06T08:{self.version % 60:02d}:00Z"}
                ],
            },
            "status": {"phase": phase},
        }
        if watch_type == "DELETED":
            del self.pods[name]
        else:
            self.pods[name] = pod
        line = orjson.dumps({"type": watch_type, "object": pod})
        self.history.append((self.version, line))
        self._wake()

    async def _pods(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if query.get("watch") not in ("true", "1"):
            return self._list(query)
        version = query.get("resourceVersion")
        self.watch_versions.append(version)
        since = int(version) if version and version.isdigit() else self.version
        if since + 1 < self.oldest and self.gone_as_status:
            return web.json_response(_status_gone(since, self.oldest), status=410)
        response = await self._open(request, "application/json")
        if since + 1 < self.oldest:
            line = orjson.dumps({"type": "ERROR", "object": _status_gone(since, self.oldest)})
            await response.write(line + b"\n")
            return response
        sent = since - 1 if self.resend_last and version else since
        first: list[bytes] = []
        if version is None:  # as the API server does: the objects there are, then changes
            first = [orjson.dumps({"type": "ADDED", "object": pod}) for pod in self.pods.values()]

        def due() -> list[bytes]:
            nonlocal sent, first
            lines = first + [line for v, line in self.history if v > sent]
            first = []
            sent = max(sent, self.version)
            return lines

        return await self._follow(response, due)

    def _list(self, query: Any) -> web.Response:
        self.lists.append(dict(query))
        limit = int(query.get("limit", 0)) or len(self.pods) or 1
        start = int(query.get("continue", "0") or 0)
        names = sorted(self.pods)
        page = [self.pods[n] for n in names[start : start + limit]]
        items = [{k: v for k, v in pod.items() if k not in ("kind", "apiVersion")} for pod in page]
        metadata: dict[str, Any] = {"resourceVersion": str(self.version)}
        if start + limit < len(names):
            metadata["continue"] = str(start + limit)
        body = {"kind": "PodList", "apiVersion": "v1", "metadata": metadata, "items": items}
        return web.json_response(body)

    # -- Docker ----------------------------------------------------------------------------
    async def _docker(self, request: web.Request) -> web.StreamResponse:
        since = request.query.get("since")
        self.docker_since.append(since)
        start = len(self.docker_lines)
        if since is not None:
            seconds, _, fraction = since.partition(".")
            nanos = int(seconds) * 1_000_000_000 + int(fraction.ljust(9, "0")[:9] or 0)
            start = next((i for i, (t, _) in enumerate(self.docker_lines) if t >= nanos), start)
        response = await self._open(request, "application/json")
        sent = start

        def due() -> list[bytes]:
            nonlocal sent
            lines = [line for _, line in self.docker_lines[sent:]]
            sent += len(lines)
            return lines

        return await self._follow(response, due)

    # -- a status to poll ------------------------------------------------------------------
    async def _health(self, request: web.Request) -> web.Response:
        polls = self.health_polls
        self.health_polls += 1
        status = "ok" if polls // 3 % 2 == 0 else "degraded"
        minutes, seconds = divmod(polls, 60)
        body = {
            "type": "health",
            "status": status,
            "time": f"2026-12-06T08:{minutes:02d}:{seconds:02d}Z",
        }
        return web.json_response(body)

    # -- plain NDJSON, as fast as it goes --------------------------------------------------
    async def _ndjson(self, request: web.Request) -> web.StreamResponse:
        count = int(request.query.get("count", "0"))
        if not self._bench_lines:
            scenario = DemoScenario(seed=1)
            made = (scenario.next(0.0) for _ in range(20_000))
            self._bench_lines = [e.line + b"\n" for e in made if not e.junk]
        lines = self._bench_lines
        response = await self._open(request, "application/x-ndjson")
        sent = 0
        with contextlib.suppress(ConnectionResetError):
            while sent < count:
                due = min(BENCH_BATCH, count - sent)
                await response.write(
                    b"".join(lines[i % len(lines)] for i in range(sent, sent + due))
                )
                sent += due
            await response.write_eof()
        return response

    # -- streaming -------------------------------------------------------------------------
    async def _open(self, request: web.Request, content_type: str) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(request)
        return response

    async def _follow(
        self, response: web.StreamResponse, due: Callable[[], list[bytes]]
    ) -> web.StreamResponse:
        """Send what *due* gives, as it comes, until drop() or stop()."""
        cut = self._cut
        self.streams += 1
        try:
            while self._cut == cut and self._runner is not None:
                lines = due()
                if lines:
                    await response.write(b"".join(line + b"\n" for line in lines))
                    continue
                waiter = self._changed
                await waiter.wait()
        except ConnectionResetError:
            pass
        finally:
            self.streams -= 1
        return response

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


def _status_gone(since: int, oldest: int) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f"too old resource version: {since} ({oldest})",
        "reason": "Expired",
        "code": 410,
    }


async def _serve_forever(port: int) -> None:
    server = WatchServer(port=port)
    await server.start()
    print(f"JSON-lines feed on {server.url('/ndjson')}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":  # ``python -m dashboard.feed.watch [PORT]``: for the benchmark
    import sys

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
