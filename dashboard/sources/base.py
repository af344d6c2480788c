"""What every source shares: its settings, its status, the sink, and the reconnect loop."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Protocol
from urllib.parse import urlsplit

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import DecodedBatch
from dashboard.core.text.inert import inert
from dashboard.core.text.redact import mark_secret
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.connection import ConnectionSpec

log = logging.getLogger("dashboard.sources")

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
STATUS_TEXT_LIMIT = 1_000  # characters of a status or error text; what servers say is cut shorter


class Sink(Protocol):
    """Where a source puts what it decoded from each read (the EventStore in the app);
    ``extend_batch`` is its one entry point, called by :meth:`ReconnectingSource.deliver`.
    A sink that can fill up (a reader process's frames waiting for the app) also has an
    ``async room()``, awaited after each read: the source reads on when it returns."""

    def extend_batch(self, batch: DecodedBatch) -> None: ...


def expand_env(value: str, environ: Mapping[str, str] | None = None) -> str:
    """``${NAME}`` replaced by the environment variable NAME; a missing one is an error.
    What is read is marked secret (core.text.redact): no log line shows it."""
    env = os.environ if environ is None else environ

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in env:
            raise KeyError(name)
        mark_secret(env[name])
        return env[name]

    return _ENV_REFERENCE.sub(replace, value)


def parse_header(text: str) -> tuple[str, str]:
    """``Name: value`` -> (name, value); ValueError saying what is wrong otherwise."""
    name, colon, value = text.partition(":")
    name = name.strip()
    if not colon or not name or any(c.isspace() for c in name):
        raise ValueError(
            f"{text!r} is not a header: expected 'Name: value' (values may use ${{ENV_VAR}})"
        )
    return name, value.strip()


def parse_header_lines(text: str) -> dict[str, str]:
    """One header per line; blank lines are skipped; errors name the line."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                name, value = parse_header(line)
            except ValueError as exc:
                raise ValueError(f"line {number}: {exc}") from None
            headers[name] = value
    return headers


def basic_credentials(user: str, password: str) -> str:
    """The Authorization value for HTTP basic auth."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def read_basic_credentials(value: str) -> tuple[str, str] | None:
    """(user, password) from a ``Basic ...`` Authorization value, if it is one."""
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


def display_url(url: str) -> str:
    """The URL as it may be shown: a password in it is masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username}:••••@{host}").geturl()


class ConnectionState(Enum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"
    FINISHED = "finished"  # a finite stream ended as it should, and is not fetched again


@dataclass(slots=True)
class ConnectionStatus:
    """A connection's health as the operator sees it; the source updates it in place."""

    name: str
    url: str
    state: ConnectionState = ConnectionState.CONNECTING
    detail: str = ""  # why it stopped, or what it is waiting for
    last_error: str = ""
    reconnects: int = 0
    retry_at: float | None = None  # time.monotonic() of the next attempt
    last_event_id: str = ""
    bytes_received: int = 0
    duplicates: int = 0  # events a server sent again (same producer id), dropped
    repaired: int = 0  # events kept with their invalid UTF-8 replaced by U+FFFD
    ever_live: bool = False
    down_since: float | None = None  # time.time() since when it has not been live
    insecure: bool = False  # TLS verification is off: shown as a warning for as long as it is

    def describe(self, now: float | None = None) -> str:
        """``live``, ``reconnecting in 3 s``, ``stopped: <reason>``..."""
        state = self.state
        if state is ConnectionState.RECONNECTING and self.retry_at is not None:
            now = time.monotonic() if now is None else now
            wait = max(0.0, self.retry_at - now)
            return f"reconnecting in {wait:.0f} s" if wait >= 1 else "reconnecting"
        if state in (ConnectionState.STOPPED, ConnectionState.FINISHED) and self.detail:
            return f"{state.value}: {self.detail}"
        return state.value


def status_text(text: str) -> str:
    """A status or error text as the operator may see it (a status bar, a notification,
    stderr): inert (core.text.inert), whatever a server put in it, and at most STATUS_TEXT_LIMIT
    characters. Transports make each server string they quote inert as they quote it."""
    return inert(text, STATUS_TEXT_LIMIT)


def registered_decoder(spec: ConnectionSpec, sink: object) -> Decoder:
    """The connection's decoder, registered with *sink* when it rebuilds events from their
    raw bytes (the store), so that it does so with the connection's envelope keys."""
    decoder = Decoder(spec.name, spec.keys, spec.max_frame_bytes)
    register = getattr(sink, "register", None)
    if register is not None:
        register(decoder)
    return decoder


def new_status(spec: ConnectionSpec) -> ConnectionStatus:
    """The status of a connection that has not run yet."""
    return ConnectionStatus(
        spec.name, display_url(spec.url), insecure=not spec.verify, down_since=time.time()
    )


class StopConnection(Exception):
    """Retrying cannot help; the message says why, for the operator."""


class StreamFinished(Exception):
    """A finite stream ended as it should (``data: [DONE]``, or an end its reconnect rule
    does not fetch again): the connection is finished, neither live nor an error."""


class RetryConnection(Exception):
    """A failure worth retrying; *delay* overrides the backoff when the server named one."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class ReconnectingSource:
    """The loop every source runs: connect, stream, and on failure back off and retry.

    Subclasses implement :meth:`_stream_once` (return a reason when the stream ends,
    raise StopConnection / RetryConnection) and :meth:`_describe_error` for their library's
    exceptions. ``status`` tells the UI how it goes.
    """

    def __init__(
        self,
        spec: ConnectionSpec,
        sink: Sink,
        *,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.spec = spec
        self.url = spec.url
        self.name = spec.name
        self.sink = sink
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.decoder = registered_decoder(spec, sink)
        self._room: Callable[[], Awaitable[None]] | None = getattr(sink, "room", None)
        self.status = new_status(spec)
        spec.mark_secrets()  # again: in a feed process, the spec came unpickled
        self._ssl_context: ssl.SSLContext | None = None

    async def run(self) -> None:
        """Connect, stream, and reconnect until cancelled or retrying cannot help."""
        status = self.status
        while True:
            status.retry_at = None
            status.state = (
                ConnectionState.RECONNECTING if status.ever_live else ConnectionState.CONNECTING
            )
            retry_delay: float | None = None
            try:
                ended = await self._stream_once()
                status.last_error = ""
                log.info("%s: %s; reconnecting", self.name, status_text(ended))
            except StreamFinished as finished:
                status.state = ConnectionState.FINISHED
                status.detail = status_text(str(finished))
                status.last_error = ""
                status.down_since = None  # not down: no connection-down alert for it
                log.info("%s: finished: %s", self.name, status.detail)
                return
            except StopConnection as stop:
                if status.down_since is None:
                    status.down_since = time.time()
                status.state = ConnectionState.STOPPED
                status.detail = status.last_error = status_text(str(stop))
                log.warning("%s: stopped: %s", self.name, status.detail)
                return
            except RetryConnection as failure:
                retry_delay = failure.delay
                status.last_error = status_text(str(failure))
            except Exception as exc:
                tls = find_tls_error(exc)
                if isinstance(tls, ssl.SSLCertVerificationError):  # a setting to fix, not luck
                    status.state = ConnectionState.STOPPED
                    status.detail = status.last_error = status_text(
                        describe_tls_failure(tls, self.netloc)
                    )
                    log.warning("%s: stopped: %s", self.name, status.detail)
                    return
                reason = describe_tls_failure(tls, self.netloc) if tls else None
                reason = reason or self._describe_error(exc)
                if reason is None:
                    raise
                status.last_error = status_text(reason)
            if status.last_error:
                log.warning("%s: %s", self.name, status.last_error)
            delay = self.backoff.next_delay() if retry_delay is None else retry_delay
            if status.down_since is None:
                status.down_since = time.time()
            status.state = ConnectionState.RECONNECTING
            status.detail = status.last_error
            status.retry_at = time.monotonic() + delay
            await asyncio.sleep(delay)
            status.reconnects += 1

    def checkpoint(self) -> object:
        """What a later run needs to carry on where this one stopped (see :meth:`resume`);
        it crosses to another process, so it is plain data."""
        return None

    def resume(self, checkpoint: object) -> None:
        """Carry on from a :meth:`checkpoint` of an earlier run of this connection."""

    async def deliver(self, batch: DecodedBatch | None, nbytes: int = 0) -> None:
        """Hand what one read decoded to the sink: the one way a source does it. Counts
        the *nbytes* read, passes a non-empty *batch* on, and yields to the event loop, so
        that when data keeps coming (the next read does not suspend) the UI's frame ticks
        are not held up behind a long burst, and waits for the sink's room if it has to.
        Once per read, never per event."""
        self.hand_over(batch, nbytes)
        await asyncio.sleep(0)
        if self._room is not None:
            await self._room()

    def hand_over(self, batch: DecodedBatch | None, nbytes: int = 0) -> None:
        """:meth:`deliver` without the yield, for code that cannot await (a read's end)."""
        status = self.status
        status.bytes_received += nbytes
        status.repaired = self.decoder.repaired
        if batch is not None and (batch.rows or batch.rejected):
            self.sink.extend_batch(batch)

    def went_live(self) -> None:
        status = self.status
        status.state = ConnectionState.LIVE
        status.detail = ""
        status.ever_live = True
        status.down_since = None
        self.backoff.reset()

    async def _stream_once(self) -> str:
        raise NotImplementedError

    def _describe_error(self, exc: Exception) -> str | None:
        """A one-line reason for a failure worth retrying, or None to let *exc* through."""
        if isinstance(exc, OSError):
            return f"cannot connect to {self.netloc}: {inert(str(exc.strerror or exc))}"
        return None

    # -- what every transport needs ----------------------------------------------------
    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc.rpartition("@")[2]

    def headers(self) -> dict[str, str]:
        """The extra headers with ``${ENV}`` references expanded, now (at connect time)."""
        try:
            headers = {k: expand_env(v) for k, v in self.spec.headers.items()}
        except KeyError as missing:
            raise StopConnection(
                f"header refers to ${{{missing.args[0]}}}, which is not set in the environment"
            ) from None
        for value in headers.values():
            mark_secret(value)
        return headers

    def ssl_context(self) -> ssl.SSLContext:
        """Verification on (with the custom CA bundle if any), or off for --insecure; made
        once per connection, since loading the CA certificates costs 30-50 ms of CPU, and
        twenty connections reconnecting after a server restart paid it twenty times."""
        if self._ssl_context is None:
            self._ssl_context = self._new_ssl_context()
        return self._ssl_context

    def _new_ssl_context(self) -> ssl.SSLContext:
        if not self.spec.verify:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        try:
            return ssl.create_default_context(cafile=self.spec.ca_file)
        except (OSError, ssl.SSLError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise StopConnection(f"cannot use the CA bundle {self.spec.ca_file}: {why}") from None


def describe_tls_failure(error: ssl.SSLError, netloc: str) -> str:
    """Which certificate failed and why, with what the operator can do about it."""
    if isinstance(error, ssl.SSLCertVerificationError):
        why = inert(error.verify_message or error.reason or str(error))
        return (
            f"the TLS certificate of {netloc} was not accepted: {why} "
            "(give its CA with --ca FILE, or --insecure to skip the check)"
        )
    return f"TLS handshake with {netloc} failed: {inert(str(error.reason or error))}"


def find_tls_error(exc: BaseException) -> ssl.SSLError | None:
    """The ssl error somewhere in *exc*'s chain of causes, if there is one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
