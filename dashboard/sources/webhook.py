"""Inbound webhooks: ``dashboard listen :9000``, or ``listen://127.0.0.1:9000/path``.

A local HTTP receiver (aiohttp's server): each POST body becomes one event or more
(:mod:`dashboard.core.transport.webhooks`: JSON decoded, Alertmanager's and GitHub's payloads
recognised, the request's headers kept minus credentials), and the request is answered
``200`` as soon as its events are handed over; a body that makes no event, only a rejected
frame (not UTF-8, or JSON nested too deep), is answered ``422`` with the reason. A URL path
other than ``/`` takes POSTs to that path only.

It opens a port on the operator's machine, so it binds to loopback unless told otherwise,
and an address other than loopback needs the ``secret`` option: each request must then
carry it (a bearer token, GitLab's ``X-Gitlab-Token``, or GitHub's ``X-Hub-Signature-256``
HMAC of the body). A request without it is answered 401 and kept as a rejected record
(the reason and the sender, nothing of the body), and counted in the status.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from dashboard.core.events.event import DecodedBatch, Rejected
from dashboard.core.text.inert import inert
from dashboard.core.transport.sourcekind import Option, SourceKind
from dashboard.core.transport.webhooks import kept_headers, refusal, webhook_frames
from dashboard.listening import close_runner
from dashboard.sources.base import (
    ReconnectingSource,
    RetryConnection,
    StopConnection,
    expand_env,
)

log = logging.getLogger("dashboard.sources.webhook")

PORT_IN_USE_RETRY = 5.0  # seconds between tries of a port another program holds


def listen_address(url: str) -> tuple[str, int, str]:
    """(host, port, path) a ``listen://`` URL names; path "" takes any path."""
    parts = urlsplit(url)
    path = parts.path if parts.path not in ("", "/") else ""
    return parts.hostname or "127.0.0.1", parts.port or 0, path


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listen_url(url: str) -> None:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # over 65535, or not a number
        port = None
    if port == 0:
        raise ValueError(
            "port 0 would be any free port, which no sender could be told: name a port "
            "from 1 to 65535, like listen://127.0.0.1:9000/path"
        )
    if not port:
        raise ValueError(
            "expected a port from 1 to 65535 to listen on: listen://127.0.0.1:9000/path"
        )
    if parts.username or parts.password:
        raise ValueError("a listen URL takes no user or password: give a secret instead")


def check_listen_start(url: str, options: Mapping[str, Any]) -> None:
    """ValueError naming the secret when *url* is another address than loopback and
    *options* hold no secret (the kind's ``check_start``: the command line, the dialog and
    the receiver at its start all ask this)."""
    host, port, _ = listen_address(url)
    if not is_loopback(host) and not options.get("secret"):
        raise ValueError(
            f"secret: listening on {host} opens port {port} to other machines: give a "
            "secret that each request must carry"
        )


def listen_problem(url: str) -> str | None:
    """Why a receiver cannot listen at *url* at this moment: a port already taken (or
    not allowed). None when it can."""
    host, port, _ = listen_address(url)
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        return _bind_failure(host, port, error)
    return None


def _bind_failure(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use by another program"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port} of {host} (ports below 1024 need rights)"
    return f"cannot listen on {host}:{port}: {inert(str(error.strerror or error))}"


class WebhookSource(ReconnectingSource):
    """Runs the receiver until stopped; ``refused`` counts the requests answered 401."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.host, self.port, self.path = listen_address(self.url)
        self.refused = 0
        self.secret: str | None = None

    def _secret(self) -> str | None:
        """The secret option, ``${ENV}`` references read now (and marked secret)."""
        value = self.spec.options.get("secret")
        try:
            self.secret = expand_env(value) if value else None
        except KeyError as missing:
            raise StopConnection(
                f"the secret refers to ${{{missing.args[0]}}}, which is not set in the environment"
            ) from None
        return self.secret

    async def _stream_once(self) -> str:
        try:
            check_listen_start(self.url, {"secret": self._secret()})
        except ValueError as exc:
            raise StopConnection(str(exc).removeprefix("secret: ")) from None
        app = web.Application(client_max_size=self.spec.max_frame_bytes)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as error:
                reason = _bind_failure(self.host, self.port, error)
                if error.errno == errno.EADDRINUSE:
                    raise RetryConnection(reason, PORT_IN_USE_RETRY) from None
                raise StopConnection(reason) from None
            log.info("%s: listening on %s:%d", self.name, self.host, self.port)
            self.went_live()
            await asyncio.Event().wait()  # until the connection is closed
        finally:
            await close_runner(runner)
        return "the receiver stopped"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.path and request.path != self.path:
            return web.Response(status=404, text=f"POST to {self.path}\n")
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"}, text="POST only\n")
        received = self.clock()
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            size = request.content_length or self.spec.max_frame_bytes + 1
            oversized = self.decoder.oversized(b"", size, received)
            self.hand_over(DecodedBatch(self.name, rejected=[oversized]))
            raise
        headers = {name.lower(): value for name, value in request.headers.items()}
        why = refusal(self.secret, headers, body)
        if why is not None:
            self._refuse(why, request.remote or "?", len(body), received)
            return web.Response(status=401, text="unauthorized\n")
        meta = {
            "path": request.path,
            "remote": request.remote,
            "headers": kept_headers(request.headers.items()),
        }
        made = webhook_frames(body, headers, meta, self.decoder, received)
        batch = DecodedBatch(self.name)
        if isinstance(made, Rejected):
            batch.rejected.append(made)
        else:
            for frame, event_id in made:
                batch.add(self.decoder.decode_row(frame, received, None, event_id))
        self.hand_over(batch, len(body))
        if batch.rejected and not batch.rows:  # the sender is told why, and does not retry
            return web.Response(status=422, text=f"{batch.rejected[0].reason}\n")
        return web.json_response({"events": len(batch.rows)})

    def _refuse(self, why: str, remote: str, size: int, received: float) -> None:
        """A request without the secret: answered 401, kept as a rejected record (the
        reason and the sender; not its body), and counted in the status."""
        self.refused += 1
        reason = f"request refused (401) from {inert(remote)}: {why}"
        self.status.last_error = f"{self.refused:,} requests refused; the last: {reason}"
        log.warning("%s: %s", self.name, reason)
        rejected = Rejected(reason, b"", received, self.name, size)
        self.hand_over(DecodedBatch(self.name, rejected=[rejected]))

    def _describe_error(self, exc: Exception) -> str | None:
        if isinstance(exc, OSError):
            return _bind_failure(self.host, self.port, exc)
        return None


def _name(url: str) -> str:
    host, port, path = listen_address(url)
    return f"listen :{port}{path}" if is_loopback(host) else f"listen {host}:{port}{path}"


KIND = SourceKind(
    name="listen",
    title="Webhooks",
    schemes=("listen",),
    reader=WebhookSource,
    url_example="listen://127.0.0.1:9000/path",
    description="a local HTTP receiver: each POST body an event (Alertmanager, GitHub known)",
    options=(
        Option(
            "secret",
            str,
            description="a token each request must carry: as a bearer token, or as the key of "
            "GitHub's HMAC signature",
            secret=True,
            placeholder="none (loopback only)",
        ),
    ),
    check_url=check_listen_url,
    check_start=check_listen_start,
    default_name=_name,
    takes_headers=False,
    headers_instead="a receiver sends no request: give it a secret instead",
)
