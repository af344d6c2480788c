"""Resuming a Kubernetes watch or a Docker event stream after a reconnect, without
duplicates: what to add to the URL, which events are repeats, and what a relist changed.

Kubernetes: the last ``resourceVersion`` seen goes into the next watch request. When the
API server no longer has it (``410 Gone``, as a status or as an ``ERROR`` watch event) the
reader lists the objects again (:func:`list_url`, page by page) and
:class:`KubernetesResume` says which of them are news: objects not seen before
(``ADDED``), changed since (``MODIFIED``) and gone meanwhile (``DELETED``); objects
already seen at the same version are not events again. The objects seen are remembered
by (kind, namespace, name) with their version, at most KNOWN_OBJECTS of them (the least
recently changed are forgotten first).

Docker: the time of the last event goes into the next request as ``since=``; the events
the daemon sends again (at or before that time) are dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import orjson

from dashboard.core.events.event import Rejected
from dashboard.core.events.nesting import TOO_DEEP, too_deep
from dashboard.core.transport.watchshapes import object_key

__all__ = ["DockerResume", "KubernetesResume", "list_url", "with_query"]

KNOWN_OBJECTS = 100_000
LIST_PAGE_ITEMS = 500  # objects asked for per page of a relist (``limit=``)
_WATCH_PARAMS = frozenset(
    [
        "watch",
        "resourceVersion",
        "resourceVersionMatch",
        "allowWatchBookmarks",
        "sendInitialEvents",
        "timeoutSeconds",
        "limit",
        "continue",
    ]
)
_DOCKER_REPEATS = 1024  # events remembered at the latest time (they share a nanosecond)

Key = tuple[str, str, str]


def with_query(url: str, **params: str) -> str:
    """*url* with *params* set in its query (replacing any already there)."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return parts._replace(query=urlencode([*kept, *params.items()])).geturl()


def list_url(watch_url: str, continue_token: str = "") -> str:
    """The list request a Kubernetes watch URL stands for: without ``watch`` and the
    version parameters (so the newest state), a page of LIST_PAGE_ITEMS, and the old
    ``/watch/`` path form (``/api/v1/watch/namespaces/x/pods``) made a list path."""
    parts = urlsplit(watch_url)
    path = parts.path
    for prefix in ("/api/", "/apis/"):
        head, found, rest = path.partition(prefix)
        if found and not head:
            segments = rest.split("/")
            version_at = 1 if prefix == "/api/" else 2  # /api/v1/..., /apis/group/v1/...
            if len(segments) > version_at + 1 and segments[version_at] == "watch":
                del segments[version_at]
            elif len(segments) > version_at + 1 and segments[version_at + 1] == "watch":
                del segments[version_at + 1]
            path = prefix + "/".join(segments)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _WATCH_PARAMS
    ]
    query.append(("limit", str(LIST_PAGE_ITEMS)))
    if continue_token:
        query.append(("continue", continue_token))
    return parts._replace(path=path, query=urlencode(query)).geturl()


class KubernetesResume:
    """The state of one Kubernetes watch across reconnects."""

    def __init__(self, max_objects: int = KNOWN_OBJECTS) -> None:
        self.resource_version = ""
        self.max_objects = max_objects
        self._known: OrderedDict[Key, tuple[str, bool]] = OrderedDict()  # -> (version, gone)
        self._listed: set[Key] = set()  # the objects a relist under way has listed

    def watch_url(self, url: str) -> str:
        if not self.resource_version:
            return url
        return with_query(url, resourceVersion=self.resource_version)

    def seen(self, watch_type: str, body: dict[str, Any], version: str | None) -> bool:
        """Note a watch event; True if it is a repeat of one already seen (to drop)."""
        if version:
            self.resource_version = version
        if watch_type in ("BOOKMARK", "ERROR") or not version:
            return False
        key = object_key(body)
        state = (version, watch_type == "DELETED")
        if self._known.get(key) == state:
            return True
        self._remember(key, state)
        return False

    def begin_relist(self) -> None:
        """A relist starts: its pages follow (:meth:`relisted`), then :meth:`end_relist`."""
        self._listed: set[Key] = set()

    def relisted(
        self, kind: str, items: Iterable[Any], received: float = 0.0, connection: str = ""
    ) -> list[bytes | Rejected]:
        """The watch events (as lines) for one page of a fresh list of *kind* objects: those
        not seen before, or at another version. An object nested deeper than MAX_DEPTH
        cannot be written as a line: it comes as a Rejected (of *connection*, *received*)."""
        lines: list[bytes | Rejected] = []
        listed = self._listed
        for item in items:
            if type(item) is not dict:
                continue
            if "kind" not in item:  # the items of a list do not say their kind
                item = {"kind": kind, **item}
            key = object_key(item)
            listed.add(key)
            if too_deep(item):
                lines.append(Rejected(f"a listed {kind}: {TOO_DEEP}", b"", received, connection))
                continue
            metadata = item.get("metadata")
            item_version = (
                str(metadata.get("resourceVersion") or "") if type(metadata) is dict else ""
            )
            known = self._known.get(key)
            if known == (item_version, False):
                continue
            watch_type = "MODIFIED" if known is not None and not known[1] else "ADDED"
            self._remember(key, (item_version, False))
            lines.append(orjson.dumps({"type": watch_type, "object": item}))
        return lines

    def end_relist(self, kind: str, version: str) -> list[bytes]:
        """The objects of *kind* seen before and not listed now, as DELETED events; the
        resume point becomes the list's *version*."""
        lines: list[bytes] = []
        for key, (_, gone) in list(self._known.items()):
            if key[0] == kind and not gone and key not in self._listed:
                _, namespace, name = key
                metadata = {"name": name, "resourceVersion": version}
                if namespace:
                    metadata["namespace"] = namespace
                self._remember(key, (version, True))
                body = {"kind": kind, "metadata": metadata}
                lines.append(orjson.dumps({"type": "DELETED", "object": body}))
        self._listed = set()
        self.resource_version = version
        return lines

    def checkpoint(self) -> dict[str, str]:
        return {"resourceVersion": self.resource_version} if self.resource_version else {}

    def _remember(self, key: Key, state: tuple[str, bool]) -> None:
        known = self._known
        known[key] = state
        known.move_to_end(key)
        if len(known) > self.max_objects:
            known.popitem(last=False)


class DockerResume:
    """The state of one Docker event stream across reconnects."""

    def __init__(self) -> None:
        self.last_nanos = 0
        self._at_last: set[bytes] = set()  # the events at last_nanos, as sent

    def stream_url(self, url: str) -> str:
        if not self.last_nanos:
            return url
        seconds, nanos = divmod(self.last_nanos, 1_000_000_000)
        return with_query(url, since=f"{seconds}.{nanos:09d}")

    def seen(self, nanos: int | None, line: bytes) -> bool:
        """Note an event; True if it is one already seen (sent again after a resume)."""
        if nanos is None:
            return False
        if nanos < self.last_nanos:
            return True
        if nanos == self.last_nanos:
            if line in self._at_last:
                return True
        else:
            self.last_nanos = nanos
            self._at_last = set()
        if len(self._at_last) < _DOCKER_REPEATS:
            self._at_last.add(line)
        return False

    def checkpoint(self) -> dict[str, int]:
        return {"since_nanos": self.last_nanos} if self.last_nanos else {}
