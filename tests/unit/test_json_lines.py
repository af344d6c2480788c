"""JSON lines without I/O: the bounded line splitter, the Kubernetes and Docker shapes, and
what resuming them adds to the URL and drops."""

from __future__ import annotations

import orjson
import pytest

from dashboard.core.events.event import Severity
from dashboard.core.transport.linesplit import PREVIEW_BYTES, LineSplitter, Oversized
from dashboard.core.transport.watchresume import (
    DockerResume,
    KubernetesResume,
    list_url,
    with_query,
)
from dashboard.core.transport.watchshapes import docker_event, kubernetes_time, recognise

STREAM = b'{"a": 1}\r\n\n{"b": 2}\nplain text\n' + b"x" * 300 + b'\n{"c": 3}\n'


def split_in_chunks(data: bytes, size: int, limit: int = 100) -> list[bytes | Oversized]:
    splitter = LineSplitter(limit)
    out: list[bytes | Oversized] = []
    for start in range(0, len(data), size):
        out += splitter.feed(data[start : start + size])
    return out + splitter.flush()


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
def test_lines_come_out_the_same_whatever_the_chunks(size: int) -> None:
    assert split_in_chunks(STREAM, size) == [
        b'{"a": 1}',
        b'{"b": 2}',
        b"plain text",
        Oversized(b"x" * 300, 300),
        b'{"c": 3}',
    ]


def test_a_long_line_is_never_held_whole_and_a_last_line_without_a_break_comes_out() -> None:
    splitter = LineSplitter(1000)
    for _ in range(1000):  # 10 MB of one line, in 10 kB chunks
        assert splitter.feed(b"y" * 10_000) == []
        assert splitter._pending_size <= 1001 and len(splitter._preview) <= PREVIEW_BYTES
    assert splitter.feed(b"yy\nnext") == [Oversized(b"y" * PREVIEW_BYTES, 10_000_002)]
    assert splitter.flush() == [b"next"]
    assert splitter.flush() == []
    assert LineSplitter(4).feed(b"abcd\r\nabcde\n") == [b"abcd", Oversized(b"abcde", 5)]


POD = {
    "kind": "Pod",
    "metadata": {
        "name": "web-1",
        "namespace": "shop",
        "resourceVersion": "42",
        "creationTimestamp": "2026-12-01T00:00:00Z",
        "managedFields": [{"time": "2026-12-02T10:00:00Z"}, {"time": "2026-12-03T09:00:00Z"}],
    },
}


def test_a_kubernetes_watch_event_is_recognised() -> None:
    shape = recognise({"type": "MODIFIED", "object": POD})
    assert shape is not None
    assert (shape.api, shape.type, shape.source, shape.version) == (
        "kubernetes", "Pod.MODIFIED", "shop/web-1", "42",
    )  # fmt: skip
    assert shape.time == "2026-12-03T09:00:00Z"  # the newest write
    deleted = {**POD, "metadata": {**POD["metadata"], "deletionTimestamp": "2026-12-04T00:00:00Z"}}
    assert kubernetes_time("Pod", deleted, "DELETED") == "2026-12-04T00:00:00Z"
    event = {
        "kind": "Event",
        "type": "Warning",
        "metadata": {"name": "web-1.17a", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "shop"},
        "firstTimestamp": "2026-12-05T00:00:00Z",
        "lastTimestamp": "2026-12-05T00:05:00Z",
    }
    shape = recognise({"type": "ADDED", "object": event})
    assert shape is not None
    assert (shape.type, shape.source, shape.severity, shape.time) == (
        "Event.ADDED", "shop/web-1", int(Severity.WARNING), "2026-12-05T00:05:00Z",
    )  # fmt: skip
    node = recognise({"type": "ADDED", "object": {"kind": "Node", "metadata": {"name": "n1"}}})
    assert node is not None and node.source == "n1" and node.time is None
    gone = recognise({"type": "ERROR", "object": {"kind": "Status", "code": 410}})
    assert gone is not None and gone.severity == int(Severity.ERROR)
    assert recognise({"type": "order.placed", "object": {}}) is None  # not a watch type
    assert recognise({"type": "ADDED", "object": "text"}) is None


def test_a_docker_event_is_recognised() -> None:
    event = {
        "Type": "container",
        "Action": "exec_start: sh -c date",
        "Actor": {"ID": "0123456789abcdef", "Attributes": {}},
        "time": 1_700_000_000,
    }
    shape = docker_event(event)
    assert shape is not None
    assert (shape.type, shape.source, shape.time) == (
        "container.exec_start", "0123456789ab", 1_700_000_000_000_000_000,
    )  # fmt: skip
    unhealthy = {**event, "Action": "health_status: unhealthy", "timeNano": 5}
    shape = docker_event(unhealthy)
    assert shape is not None and shape.severity == int(Severity.WARNING) and shape.time == 5
    assert docker_event({"Type": "container", "Action": "start", "Actor": "x"}) is None


def test_list_urls_are_made_from_watch_urls() -> None:
    assert list_url("https://k8s/api/v1/namespaces/a/pods?watch=true&resourceVersion=5") == (
        "https://k8s/api/v1/namespaces/a/pods?limit=500"
    )
    assert list_url("https://k8s/api/v1/watch/namespaces/a/pods?labelSelector=app%3Dweb", "t") == (
        "https://k8s/api/v1/namespaces/a/pods?labelSelector=app%3Dweb&limit=500&continue=t"
    )
    assert list_url("https://k8s/apis/apps/v1/watch/deployments?watch=1") == (
        "https://k8s/apis/apps/v1/deployments?limit=500"
    )
    assert with_query("http://d/events?filters=x&since=1", since="2.5") == (
        "http://d/events?filters=x&since=2.5"
    )


def watch_line(watch_type: str, name: str, version: str) -> dict:
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "ns", "resourceVersion": version},
    }


def test_a_relist_gives_only_what_changed() -> None:
    resume = KubernetesResume()
    assert resume.watch_url("http://k/pods?watch=1") == "http://k/pods?watch=1"
    for name, version in (("a", "1"), ("b", "2"), ("c", "3")):
        assert not resume.seen("ADDED", watch_line("ADDED", name, version), version)
    assert resume.seen("ADDED", watch_line("ADDED", "c", "3"), "3")  # sent again
    assert not resume.seen("BOOKMARK", {"kind": "Pod", "metadata": {}}, "4")
    assert resume.watch_url("http://k/pods?watch=1") == "http://k/pods?watch=1&resourceVersion=4"
    resume.begin_relist()
    page = [
        {"metadata": {"name": "a", "namespace": "ns", "resourceVersion": "1"}},
        {"metadata": {"name": "b", "namespace": "ns", "resourceVersion": "7"}},
        {"metadata": {"name": "d", "namespace": "ns", "resourceVersion": "8"}},
    ]
    news = [orjson.loads(line) for line in resume.relisted("Pod", page)]
    assert [(n["type"], n["object"]["metadata"]["name"]) for n in news] == [
        ("MODIFIED", "b"), ("ADDED", "d"),
    ]  # fmt: skip
    assert news[0]["object"]["kind"] == "Pod"
    [gone] = [orjson.loads(line) for line in resume.end_relist("Pod", "9")]
    assert gone == {
        "type": "DELETED",
        "object": {
            "kind": "Pod",
            "metadata": {"name": "c", "resourceVersion": "9", "namespace": "ns"},
        },
    }
    assert resume.checkpoint() == {"resourceVersion": "9"}
    resume.begin_relist()  # again: nothing new, and c stays gone
    assert resume.relisted("Pod", page) == [] and resume.end_relist("Pod", "9") == []


def test_the_objects_remembered_are_bounded() -> None:
    resume = KubernetesResume(max_objects=2)
    for index in range(5):
        resume.seen("ADDED", watch_line("ADDED", f"p{index}", str(index)), str(index))
    assert len(resume._known) == 2


def test_docker_resumes_since_the_last_event_and_drops_repeats() -> None:
    resume = DockerResume()
    assert resume.stream_url("http://d/events") == "http://d/events"
    assert not resume.seen(5_000_000_001, b"one")
    assert not resume.seen(5_000_000_001, b"two")  # the same nanosecond, another event
    assert resume.stream_url("http://d/events?x=1") == "http://d/events?x=1&since=5.000000001"
    assert resume.seen(5_000_000_001, b"one") and resume.seen(4, b"older")
    assert not resume.seen(None, b"no time")
    assert resume.checkpoint() == {"since_nanos": 5_000_000_001}
