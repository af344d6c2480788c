"""Redis sources (redis-py's asyncio client, the optional ``[redis]`` extra).

Streams, the persistent log: ``redis://host:6379/0?stream=events`` reads with XREAD BLOCK
from now on, or from an id or a time (``from=``), after a backfill of the last N entries
(``backfill=``). The stream id is the event id, and the position is kept across reconnects:
after a disconnect reading resumes after the last id seen, so nothing is lost or repeated.
With ``group=`` (and ``consumer=``) it reads as a consumer group and acknowledges (XACK)
what it has handed over, so a team can share one position.

Pub/Sub, fire-and-forget: ``redis://host/?channel=news-*`` subscribes (PSUBSCRIBE for a
pattern); the channel is the event's type unless the payload names one.

``rediss://`` is TLS (``--ca``, ``--insecure`` as for the other sources); a user and
password in the URL may be ``${ENV}`` references, read at connect time. ``cluster=yes``
uses redis-py's cluster client, with one reader per stream (their keys may live on
different nodes).
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import orjson

from dashboard.core.events.event import DecodedBatch, Rejected
from dashboard.core.lang.duration import parse_ago
from dashboard.core.text.inert import inert
from dashboard.core.text.redact import mark_url_secrets
from dashboard.core.transport.connection import host_name
from dashboard.core.transport.sourcekind import SourceKind
from dashboard.sources.base import (
    ReconnectingSource,
    StopConnection,
    expand_env,
)

log = logging.getLogger("dashboard.sources.redis")

REDIS_SCHEMES = ("redis", "rediss")
PAYLOAD_FIELDS = ("event", "data", "payload", "json")  # an entry field holding the JSON
READ_COUNT = 1000  # entries per XREAD
RESCAN_S = 30.0  # how often stream patterns are looked up again for new streams
_GLOB = re.compile(r"[*?\[]")
_STREAM_ID = re.compile(r"\d+(-\d+)?")
_MAX_SEQ = 2**64 - 1
_OPTIONS = {"stream", "channel", "from", "backfill", "group", "consumer", "field", "cluster"}


@dataclass
class RedisOptions:
    """What a redis:// URL asks for (its query), checked."""

    streams: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    start: str = "$"  # "$" (now), a stream id, or "-10m"
    backfill: int = 0
    group: str | None = None
    consumer: str = ""
    payload_field: str | None = None
    cluster: bool = False

    def start_id(self, now: float) -> str | None:
        """The id to read after, for a ``from=`` id or time; None for "from now"."""
        if self.start == "$":
            return None
        ago = parse_ago(self.start)
        if ago is not None:
            ms = int((now - ago) * 1000)
            return f"{ms - 1}-{_MAX_SEQ}"  # XREAD reads after the id: this takes ms itself
        return self.start


def parse_redis_url(url: str) -> RedisOptions:
    """The options of a redis:// or rediss:// URL; ValueError naming the part that is wrong."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in REDIS_SCHEMES or not parts.hostname:
        raise ValueError("expected redis://host:port/db?stream=NAME or ?channel=NAME")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - _OPTIONS)
    if unknown:
        raise ValueError(f"unknown option {unknown[0]!r} (known: {', '.join(sorted(_OPTIONS))})")
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise ValueError(f"the database after the host must be a number, not {db!r}")
    options = RedisOptions(
        streams=[s for s in query.get("stream", []) if s],
        channels=[c for c in query.get("channel", []) if c],
    )
    if not options.streams and not options.channels:
        raise ValueError(
            "say what to read: ?stream=NAME (Redis Streams) or ?channel=NAME (Pub/Sub)"
        )
    if options.streams and options.channels:
        raise ValueError("read streams or channels in one connection, not both")
    single = {name: values[-1] for name, values in query.items()}
    start = single.get("from", "$").strip() or "$"
    is_id = _STREAM_ID.fullmatch(start) is not None
    if start not in ("$", "0") and not (is_id or parse_ago(start) is not None):
        raise ValueError(
            f"from={start!r}: expected a stream id (1700000000000-0), a time ago (-10m, -2h) or $"
        )
    options.start = start
    if "backfill" in single:
        text = single["backfill"]
        if not text.isdigit():
            raise ValueError(f"backfill={text!r}: expected a number of entries")
        options.backfill = int(text)
    options.group = single.get("group") or None
    options.consumer = single.get("consumer") or socket.gethostname()
    options.payload_field = single.get("field") or None
    options.cluster = single.get("cluster", "no").lower() in ("1", "yes", "true", "on")
    if options.channels and (options.group or options.backfill or "from" in single):
        raise ValueError(
            "from=, backfill= and group= are for streams; Pub/Sub only sees new messages"
        )
    if options.group and options.backfill:
        raise ValueError("backfill= does not go with group=: the group keeps its own position")
    return options


def redis_name(url: str) -> str:
    """A Redis connection is named after its host and what it reads: ``cache:6379 orders``."""
    parts = urlsplit(url)
    what = parse_qs(parts.query)
    read = what.get("stream") or what.get("channel")
    return host_name(url) + (" " + ",".join(read) if read else "")


def connection_url(url: str) -> str:
    """The URL redis-py connects to: the query dropped, ``${ENV}`` in the user and password
    expanded now (KeyError naming a missing variable)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user, colon, password = userinfo.partition(":")
        user = quote(expand_env(unquote(user)), safe="")
        password = quote(expand_env(unquote(password)), safe="")
        netloc = f"{user}{colon}{password}@{host}"
    url = parts._replace(netloc=netloc, query="", fragment="").geturl()
    mark_url_secrets(url)  # the password as redis-py is given it, quoted
    return url


class RedisSource(ReconnectingSource):
    """Reads Redis Streams or Pub/Sub channels into a sink until stopped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = parse_redis_url(self.url)
        self.positions: dict[str, str] = {}  # stream -> the last id handed over
        self._started = False  # the first connect's from/backfill rules were applied
        self._stopping = False  # this connect is being ended: readers stop at their next turn

    def checkpoint(self) -> tuple[dict[str, str], bool]:
        return dict(self.positions), self._started

    def resume(self, checkpoint: object) -> None:
        if isinstance(checkpoint, tuple):
            positions, self._started = checkpoint
            self.positions = dict(positions)

    # -- connecting --------------------------------------------------------------------
    def _client(self) -> Any:
        try:
            import redis.asyncio as aioredis
            from redis.asyncio.cluster import RedisCluster
        except ImportError:
            raise StopConnection(
                "Redis support is not installed: pip install 'live-dashboard[redis]'"
            ) from None
        try:
            url = connection_url(self.url)
        except KeyError as missing:
            raise StopConnection(
                f"the URL refers to ${{{missing.args[0]}}}, which is not set in the environment"
            ) from None
        timeout = self.spec.heartbeat_timeout
        settings: dict[str, Any] = {
            "socket_connect_timeout": min(10.0, timeout),
            "socket_timeout": timeout,
            "health_check_interval": max(1.0, timeout / 3),
        }
        if self.spec.scheme == "rediss":
            settings["ssl_cert_reqs"] = "required" if self.spec.verify else "none"
            settings["ssl_check_hostname"] = self.spec.verify
            if self.spec.ca_file:
                settings["ssl_ca_certs"] = self.spec.ca_file
        if self.options.cluster:
            settings.pop("health_check_interval")
            return RedisCluster.from_url(url, **settings)
        return aioredis.Redis.from_url(url, **settings)

    async def _stream_once(self) -> str:
        client = self._client()
        self._stopping = False
        session = asyncio.ensure_future(self._session(client))
        try:
            # Never cancelled inside a command: redis-py can lose a cancellation that
            # arrives during a blocking read and go on waiting (seen with XREAD BLOCK).
            return await asyncio.shield(session)
        except asyncio.CancelledError:
            # A reader whose cancellation redis-py lost ends when its read returns (a
            # cluster's readers, one per stream, hung a test's shutdown one run in eight).
            self._stopping = True
            await client.aclose()  # closes the connections: a pending read ends at once
            session.cancel()
            await asyncio.wait({session}, timeout=5)
            raise
        finally:
            if session.done() and not session.cancelled():
                session.exception()  # (raised above already, or nothing to see)
            await client.aclose()

    async def _session(self, client: Any) -> str:
        from redis import exceptions as errors

        try:
            await client.ping()
            if self.options.channels:
                await self._listen(client)
            else:
                await self._read_streams(client)
        except (errors.ResponseError, errors.AuthenticationError) as exc:
            text = inert(str(exc).strip())  # the server's words
            if isinstance(exc, errors.AuthenticationError) or text.startswith(
                ("NOAUTH", "WRONGPASS", "NOPERM")
            ):
                raise StopConnection(
                    f"Redis at {self.netloc} refused the credentials: {text} "
                    "(the user and password go in the URL: redis://user:${PASSWORD}@host)"
                ) from None
            raise StopConnection(f"Redis at {self.netloc} said: {text}") from None
        return "the connection ended"

    def _describe_error(self, exc: Exception) -> str | None:
        from redis import exceptions as errors

        text = inert(str(exc).strip())
        if isinstance(exc, errors.TimeoutError):
            return f"Redis at {self.netloc} did not answer within {self.spec.heartbeat_timeout:g} s"
        if isinstance(exc, errors.ConnectionError):
            return f"cannot reach Redis at {self.netloc}: {text}"
        if isinstance(exc, errors.RedisError):
            return f"Redis error: {text}"
        return super()._describe_error(exc)

    # -- streams -----------------------------------------------------------------------
    async def _read_streams(self, client: Any) -> None:
        names = await self._stream_names(client)
        if not self._started:
            await self._start_positions(client, names)
            self._started = True
        if self.options.group:
            await self._create_groups(client, names)
        # Live once the start positions are taken: an entry added from here on is read (had
        # "live" come first, one added meanwhile could fall before "now" and be missed).
        self.went_live()
        if self.options.cluster:  # keys on different nodes: one reader each
            await asyncio.gather(*(self._read(client, [name]) for name in names))
        else:
            await self._read(client, names)

    async def _stream_names(self, client: Any) -> list[str]:
        names: list[str] = []
        for wanted in self.options.streams:
            if _GLOB.search(wanted):
                found = [_text(key) async for key in client.scan_iter(match=wanted, _type="STREAM")]
                names.extend(sorted(n for n in found if n not in names))
            elif wanted not in names:
                names.append(wanted)
        for known in self.positions:  # found earlier, still read
            if known not in names:
                names.append(known)
        return names

    async def _start_positions(self, client: Any, names: list[str]) -> None:
        """Where the first connect starts: after a backfill, at an id or time, or now."""
        start = self.options.start_id(self.clock())
        backfill: list[tuple[str, bytes, dict[bytes, bytes]]] = []
        for name in names:
            if start is not None:
                self.positions[name] = start
                continue
            newest = await client.xrevrange(name, count=max(1, self.options.backfill))
            self.positions[name] = _text(newest[0][0]) if newest else "0-0"
            if self.options.backfill:
                backfill.extend((name, entry_id, fields) for entry_id, fields in newest)
        backfill.sort(key=lambda item: _id_key(_text(item[1])))
        await self.deliver(*self._decode(backfill))

    async def _read(self, client: Any, names: list[str]) -> None:
        """XREAD (or XREADGROUP) in a loop, handing entries over as they come."""
        group = self.options.group
        block = int(max(100.0, min(5000.0, self.spec.heartbeat_timeout * 1000 / 3)))
        rescan_at = time.monotonic() + RESCAN_S
        pending = bool(group)  # a group member first reads what it was given but never acked
        while not self._stopping:
            if group:
                wanted = dict.fromkeys(names, "0" if pending else ">")
                reply = await client.xreadgroup(
                    group, self.options.consumer, wanted, count=READ_COUNT, block=block
                )
            else:
                wanted = {name: self.positions.get(name, "0-0") for name in names}
                reply = await client.xread(wanted, count=READ_COUNT, block=block)
            entries = [
                (_text(stream), entry_id, fields)
                for stream, items in _stream_replies(reply)
                for entry_id, fields in items
                if fields is not None  # a pending entry deleted meanwhile
            ]
            if pending and not entries:
                pending = False
            await self.deliver(*self._decode(entries))
            if group and entries:
                await self._ack(client, group, entries)
            if time.monotonic() >= rescan_at and any(_GLOB.search(s) for s in self.options.streams):
                rescan_at = time.monotonic() + RESCAN_S
                if not self.options.cluster:  # (a cluster's readers are one per stream)
                    found = await self._stream_names(client)
                    if group:  # a new stream: its group reads it from its first entry
                        new = [n for n in found if n not in names]
                        await self._create_groups(client, new, start="0")
                    names = found

    async def _create_groups(self, client: Any, names: list[str], start: str = "") -> None:
        """The consumer group on each stream, where missing: at *start*, or where the
        options say (``from=``, else now)."""
        from redis.exceptions import ResponseError

        start = start or self.options.start_id(self.clock()) or "$"
        for name in names:
            try:
                await client.xgroup_create(name, self.options.group, id=start, mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def _ack(
        self, client: Any, group: str, entries: list[tuple[str, bytes, dict[bytes, bytes]]]
    ) -> None:
        by_stream: dict[str, list[bytes]] = {}
        for stream, entry_id, _fields in entries:
            by_stream.setdefault(stream, []).append(entry_id)
        for stream, ids in by_stream.items():
            await client.xack(stream, group, *ids)

    def _decode(
        self, entries: list[tuple[str, bytes, dict[bytes, bytes]]]
    ) -> tuple[DecodedBatch | None, int]:
        """The entries as a batch, and the bytes of their frames; the positions advanced."""
        if not entries:
            return None, 0
        received = self.clock()
        batch = DecodedBatch(self.name)
        size = 0
        for stream, entry_id, fields in entries:
            frame = self._frame(fields)
            entry = _text(entry_id)
            if frame is None:
                batch.add(self._without_payload(fields, entry, received))
            else:
                batch.add(self.decoder.decode_row(frame, received, None, entry))
                size += len(frame)
            self.positions[stream] = entry
        self.status.last_event_id = ", ".join(f"{s} {p}" for s, p in self.positions.items())
        return batch, size

    def _frame(self, fields: dict[bytes, bytes]) -> bytes | None:
        """An entry's JSON field (``field=``, or one of event/data/payload/json holding an
        object) is the frame; otherwise the flat fields themselves make the payload. None
        when the entry lacks the field chosen with ``field=``."""
        chosen = self.options.payload_field
        if chosen is not None:
            return fields.get(chosen.encode())
        for name in PAYLOAD_FIELDS:
            frame = fields.get(name.encode())
            if frame is not None and frame.lstrip()[:1] in (b"{", b"["):
                return frame
        return orjson.dumps({_text(k): _text(v) for k, v in fields.items()})

    def _without_payload(
        self, fields: dict[bytes, bytes], entry_id: str, received: float
    ) -> Rejected:
        keys = ", ".join(sorted(_text(k) for k in fields)) or "none"
        reason = f"the entry has no field {self.options.payload_field!r} (fields: {keys})"
        raw = orjson.dumps({_text(k): _text(v) for k, v in fields.items()})
        return Rejected(reason, raw, received, self.name, len(raw), entry_id)

    # -- Pub/Sub -----------------------------------------------------------------------
    async def _listen(self, client: Any) -> None:
        pubsub = client.pubsub()
        patterns = [c for c in self.options.channels if _GLOB.search(c)]
        plain = [c for c in self.options.channels if not _GLOB.search(c)]
        try:
            if patterns:
                await pubsub.psubscribe(*patterns)
            if plain:
                await pubsub.subscribe(*plain)
            self.went_live()  # subscribed: what is published from here on comes
            decode_row = self.decoder.decode_row
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None or message["type"] not in ("message", "pmessage"):
                    continue
                data = message["data"]
                frame = data if isinstance(data, bytes) else str(data).encode()
                channel = _text(message["channel"])
                batch = DecodedBatch(self.name)
                batch.add(decode_row(frame, self.clock(), None, None, channel))
                self.status.last_event_id = channel
                await self.deliver(batch, len(frame))
        finally:
            await pubsub.aclose()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _stream_replies(reply: Any) -> list[tuple[Any, list[tuple[bytes, dict[bytes, bytes]]]]]:
    """XREAD's reply (RESP2: a list of [stream, entries]) as (stream, entries) pairs."""
    return [(stream, items) for stream, items in reply or []]


KIND = SourceKind(
    name="redis",
    title="Redis",
    schemes=REDIS_SCHEMES,
    reader=RedisSource,
    url_example="redis(s)://host:port/db?stream=NAME or ?channel=NAME",
    description="Streams (XREAD, consumer groups, resume) or Pub/Sub; options in the URL: "
    + ", ".join(f"{name}=" for name in sorted(_OPTIONS)),
    check_url=parse_redis_url,
    default_name=redis_name,
    takes_headers=False,
    bundle_imports=("redis.asyncio", "redis.asyncio.cluster"),  # imported when it connects
    headers_instead="Redis takes no headers: give the user and password in the URL, "
    "redis://user:${REDIS_PASSWORD}@host:6379/0?stream=…",
)
