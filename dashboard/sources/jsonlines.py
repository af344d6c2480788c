"""JSON lines over HTTP: the answers of an HTTP feed that are not an event stream.

The SSE source asks for ``text/event-stream`` or JSON lines (:data:`ACCEPT`) and hands an
answer of a :data:`JSON_LINES_TYPES` Content-Type to :class:`JsonLinesReader`: one event
per line, read as it arrives. In ``application/x-ndjson``, ``application/jsonl`` and
``application/json`` a line that is not JSON is rejected (with the reason); in
``text/plain`` it is read as a file's line is (``core.transport.logline``): a text event
of type ``log``, with the time and severity it states. Blank lines are skipped, and a line
over the frame size limit is rejected without being buffered (``core.transport.linesplit``).

Kubernetes watch events and Docker engine events are recognised by their shape
(``core.transport.watchshapes``) and resumed after a reconnect where their API allows it
(``core.transport.watchresume``): a watch goes on from the last ``resourceVersion`` seen, and when
the API server answers ``410 Gone`` (as a status or an ``ERROR`` event) the objects are
listed again, page by page, and only what changed becomes an event; Docker's ``/events``
goes on ``since=`` the last event's time. Events sent again are dropped and counted as
duplicates.

An answer with a Content-Length is no stream but a whole document: it is read once (one
JSON document, pretty-printed or not, is one event) and the connection stops saying so,
rather than reading the same answer again after every reconnect.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from dashboard.core.events.decode import parse_time
from dashboard.core.events.event import DecodedBatch, Rejected, Row
from dashboard.core.events.nesting import too_deep
from dashboard.core.text.inert import inert
from dashboard.core.transport.linesplit import LineSplitter, Oversized
from dashboard.core.transport.logline import line_row
from dashboard.core.transport.watchresume import DockerResume, KubernetesResume, list_url
from dashboard.core.transport.watchshapes import DOCKER, KUBERNETES, Shape, recognise
from dashboard.sources.base import RetryConnection, StopConnection
from dashboard.sources.http_request import answered_at

if TYPE_CHECKING:
    from dashboard.sources.base import ReconnectingSource

log = logging.getLogger("dashboard.sources.jsonlines")

JSON_LINES_TYPES = frozenset(
    ("application/x-ndjson", "application/jsonl", "application/json", "text/plain")
)
ACCEPT = (
    "text/event-stream, application/x-ndjson;q=0.9, application/jsonl;q=0.9, "
    "application/json;q=0.8, text/plain;q=0.5"
)
LIST_PAGE_BYTES = 64 << 20  # the most one page of a Kubernetes relist may hold
_SKIP = ()  # a line that is no event: a bookmark, a repeat, the signal to relist


def _may_be_shaped(data: bytes | Oversized) -> bool:
    return type(data) is bytes and (b'"object"' in data or b'"Action"' in data)


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").partition(";")[0].strip().lower()


class JsonLinesReader:
    """Reads the JSON-lines answers of one HTTP connection (*source*), and keeps what
    resuming needs across its reconnects."""

    def __init__(self, source: ReconnectingSource) -> None:
        self.source = source
        self.splitter = LineSplitter(source.spec.max_frame_bytes)
        self.api = ""  # KUBERNETES or DOCKER once a line of theirs was seen
        self.kubernetes = KubernetesResume()
        self.docker = DockerResume()
        self.watched_kind = ""  # the kind of object a Kubernetes watch was last about
        self._expired = ""  # the 410 ERROR a watch ended with: relist before watching again

    # -- what the SSE source asks ----------------------------------------------------------
    def url(self, url: str) -> str:
        """The URL to ask for now: resuming where the last answer stopped."""
        if self.api == KUBERNETES:
            return self.kubernetes.watch_url(url)
        if self.api == DOCKER:
            return self.docker.stream_url(url)
        return url

    def takes(self, response: httpx.Response) -> bool:
        """Whether *response* is this reader's to read: JSON lines, or a watch's 410 Gone."""
        code = response.status_code
        if code == 410 and self.api == KUBERNETES:
            return True
        return 200 <= code < 300 and code != 204 and media_type(response) in JSON_LINES_TYPES

    def checkpoint(self) -> dict[str, Any] | None:
        if self.api == KUBERNETES:
            return self.kubernetes.checkpoint() or None
        if self.api == DOCKER:
            return self.docker.checkpoint() or None
        return None

    def resume(self, checkpoint: dict[str, Any]) -> None:
        version = checkpoint.get("resourceVersion")
        nanos = checkpoint.get("since_nanos")
        if isinstance(version, str) and version:
            self.api = KUBERNETES
            self.kubernetes.resource_version = version
        elif isinstance(nanos, int) and nanos > 0:
            self.api = DOCKER
            self.docker.last_nanos = nanos

    # -- reading ---------------------------------------------------------------------------
    async def read(self, client: httpx.AsyncClient, response: httpx.Response) -> None:
        """Read *response* to its end (RetryConnection after a relist); what follows its end
        is the connection's ``reconnect`` rule's to say."""
        if response.status_code == 410:
            await self._relist(client, "the watch answered 410 Gone")
        source = self.source
        source.went_live()
        splitter = self.splitter
        splitter.reset()
        strict = media_type(response) != "text/plain"
        length = response.headers.get("content-length", "")
        if length.isdigit():
            await self._read_whole(response, strict, int(length))
            raise StopConnection(
                f"the server sent a whole answer ({int(length):,} bytes), not a stream: read "
                "once (--poll DURATION fetches a JSON document on an interval)"
            )
        async for chunk in response.aiter_bytes():
            lines = splitter.feed(chunk)
            if not lines:
                source.hand_over(None, len(chunk))
                continue
            # Lines are looked at for a Kubernetes or Docker shape only where one may be:
            # in a chunk that holds their key, or in its first line (begun in a chunk before).
            first = lines[0]
            shapes = bool(self.api) or _may_be_shaped(chunk) or _may_be_shaped(first)
            await source.deliver(self._decode(lines, strict, shapes), len(chunk))
            if self._expired:
                await self._relist(client, self._expired)
        await source.deliver(self._decode(splitter.flush(), strict))

    async def _read_whole(self, response: httpx.Response, strict: bool, length: int) -> None:
        """An answer of known length: one JSON document (pretty-printed or not) is one
        event; anything else, or anything longer than the frame size limit, is lines."""
        source = self.source
        if media_type(response) == "application/json" and length <= source.spec.max_frame_bytes:
            body = await response.aread()
            try:
                orjson.loads(body)
            except orjson.JSONDecodeError:
                lines = self.splitter.feed(body) + self.splitter.flush()
            else:
                lines = [body]
            await source.deliver(self._decode(lines, strict), len(body))
            return
        async for chunk in response.aiter_bytes():
            await source.deliver(self._decode(self.splitter.feed(chunk), strict), len(chunk))
        await source.deliver(self._decode(self.splitter.flush(), strict))

    def _decode(
        self,
        lines: Sequence[bytes | Oversized | Rejected],
        strict: bool,
        shapes: bool = True,
        resumable: bool = True,
    ) -> DecodedBatch:
        """The events of *lines*; with *shapes*, Kubernetes and Docker ones recognised;
        *strict*: a line that is not JSON is rejected. This runs for every line read."""
        source = self.source
        decoder = source.decoder
        decode_row = decoder.decode_row
        received = source.clock()
        rows: list[Row] = []
        rejected: list[Rejected] = []
        keep = rows.append
        for line in lines:
            if type(line) is not bytes:
                if isinstance(line, Oversized):
                    rejected.append(decoder.oversized(line.preview, line.size, received))
                else:  # a relisted object nested too deep
                    rejected.append(line)  # type: ignore[arg-type]
                continue
            if shapes and _may_be_shaped(line):
                shaped = self._shaped(line, received, resumable)
                if shaped is _SKIP:
                    continue
                if shaped is not None:
                    keep(shaped)  # type: ignore[arg-type]
                    continue
            # text/plain: a line is a file's line (a text one typed log, its time and
            # severity read), as from a file or standard input
            row = decode_row(line, received) if strict else line_row(decoder, line, received)
            if type(row) is not tuple:
                rejected.append(row)  # type: ignore[arg-type]
            # Text that is no JSON is a text event of the decoder's; here, in a JSON type, an
            # error (a JSON string, which starts with a quote, is a value as good as any).
            elif strict and type(row[5]) is str and line.lstrip()[:1] != b'"':
                reason = "not JSON (a line of a JSON-lines answer)"
                rejected.append(Rejected(reason, line, received, source.name, len(line)))
            else:
                keep(row)
        return DecodedBatch(source.name, rows, rejected)

    def _shaped(self, line: bytes, received: float, resumable: bool) -> Row | tuple[()] | None:
        """The row of a Kubernetes or Docker event; _SKIP for a line that is no event;
        None for any other line (decoded as usual)."""
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
        shape = recognise(value) if type(value) is dict else None
        if shape is None or too_deep(value, line):  # (the decoder rejects one too deep)
            return None
        if resumable and self._is_repeat(shape, value, line):
            return _SKIP
        event_id = str(shape.version) if shape.api == KUBERNETES and shape.version else None
        return (
            shape.type,
            received if shape.time is None else parse_time(shape.time, received),
            received,
            shape.source or self.source.name,
            shape.severity,
            self.source.decoder.payload(line, shape.type),
            line,
            event_id,
            shape.type,
        )

    def _is_repeat(self, shape: Shape, value: dict[str, Any], line: bytes) -> bool:
        """Note a resumable event; True for one that is no event of its own (to skip)."""
        status = self.source.status
        self.api = shape.api
        if shape.api == DOCKER:
            if self.docker.seen(shape.version, line):  # type: ignore[arg-type]
                status.duplicates += 1
                return True
            return False
        watch_type, body = value["type"], value["object"]
        if watch_type == "ERROR" and body.get("code") == 410:
            self._expired = f"the watch expired ({inert(str(body.get('message', '410 Gone')))})"
            return True
        if watch_type != "ERROR":
            self.watched_kind = shape.type.rpartition(".")[0]
        repeat = self.kubernetes.seen(watch_type, body, shape.version)  # type: ignore[arg-type]
        status.last_event_id = self.kubernetes.resource_version
        if repeat:
            status.duplicates += 1
        return repeat or watch_type == "BOOKMARK"

    # -- a Kubernetes relist ---------------------------------------------------------------
    async def _relist(self, client: httpx.AsyncClient, why: str) -> None:
        """List the watched objects again, page by page, deliver what changed, and have the
        watch start again from the list's resourceVersion (a RetryConnection at once)."""
        self._expired = ""
        source = self.source
        kubernetes = self.kubernetes
        kubernetes.begin_relist()
        headers = {"Accept": "application/json", **source.headers()}
        token, kind, version, changes = "", self.watched_kind, "", 0
        while True:
            page = await self._list_page(client, list_url(source.url, token), headers)
            metadata = page.get("metadata") if type(page.get("metadata")) is dict else {}
            listed_kind = page.get("kind")
            if isinstance(listed_kind, str) and listed_kind.endswith("List"):
                kind = listed_kind.removesuffix("List")
            version = version or str(metadata.get("resourceVersion") or "")
            lines = kubernetes.relisted(kind, page["items"], source.clock(), source.name)
            changes += len(lines)
            await source.deliver(self._decode(lines, True, resumable=False))
            token = metadata.get("continue") or ""
            if not token:
                break
        if not version:
            raise RetryConnection(f"{why}; the list had no resourceVersion to watch from")
        lines = kubernetes.end_relist(kind, version)
        changes += len(lines)
        await source.deliver(self._decode(lines, True, resumable=False))
        source.status.last_event_id = version
        log.info("%s: %s; listed again: %d changes", source.name, why, changes)
        raise RetryConnection(
            f"{why}; listed again ({changes:,} changes), watching from resourceVersion "
            f"{inert(version, 40)}",
            delay=0.0,
        )

    async def _list_page(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str]
    ) -> dict[str, Any]:
        """One page of a list: a JSON object with an ``items`` array, at most LIST_PAGE_BYTES."""
        async with client.stream("GET", url, headers=headers) as response:
            code = response.status_code
            if not 200 <= code < 300:
                phrase = f"{code} {inert(response.reason_phrase)}".strip()
                where = answered_at(response)
                raise RetryConnection(
                    f"listing the watched objects again: the server answered {phrase}{where}"
                )
            parts: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > LIST_PAGE_BYTES:
                    raise StopConnection(
                        f"a page of the list is over {LIST_PAGE_BYTES >> 20} MiB "
                        "(the relist asks for 500 objects a page)"
                    )
                parts.append(chunk)
        try:
            page = orjson.loads(b"".join(parts))
        except orjson.JSONDecodeError as exc:
            raise RetryConnection(f"listing the watched objects again: not JSON ({exc})") from None
        if type(page) is not dict or type(page.get("items")) is not list:
            raise RetryConnection("listing the watched objects again: the answer is not a list")
        return page
