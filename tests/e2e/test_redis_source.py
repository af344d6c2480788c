"""The Redis sources against a real redis-server: streams, groups, Pub/Sub, restarts, auth."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from dashboard.core.events.event import Event
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.sources import ConnectionState, open_source
from dashboard.sources.base import ReconnectingSource
from tests.redis_server import RedisCluster, RedisServer, needs_redis

pytestmark = needs_redis


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    redis = RedisServer(tmp_path).start()
    yield redis
    redis.stop()


def order(n: int, **extra: Any) -> dict[str, bytes]:
    """A stream entry as producers write them: the event JSON in one field."""
    event = {
        "type": "order.placed",
        "source": "orders",
        "time": 1_795_430_000.0 + n,
        "data": {"order_id": f"ord-{n}", "amount": 10.0 * n},
        **extra,
    }
    return {"event": json.dumps(event).encode()}


def run_source(
    url: str,
    steps: list[tuple[Callable[[], object], Callable[[ReconnectingSource, EventStore], bool]]],
    timeout: float = 15.0,
    ca_file: str | None = None,
    prepare: Callable[[ReconnectingSource], object] = lambda _source: None,
) -> tuple[ReconnectingSource, EventStore]:
    """Run the source for *url* (after *prepare* saw it); for each step, do the action (in a
    thread: the test's own blocking Redis client) and wait until the condition holds."""
    store = EventStore()
    source = open_source(
        ConnectionSpec(url, "redis", heartbeat_timeout=6.0, ca_file=ca_file),
        store,
        backoff=Backoff(base=0.2, factor=1.0, jitter=0.0),
    )
    prepare(source)

    async def main() -> None:
        task = asyncio.ensure_future(source.run())
        try:
            for action, condition in steps:
                await asyncio.get_running_loop().run_in_executor(None, action)
                deadline = time.monotonic() + timeout
                while not condition(source, store):
                    if task.done():
                        task.result()
                        raise AssertionError(f"the source stopped: {source.status.detail}")
                    assert time.monotonic() < deadline, (
                        f"timed out; status {source.status.describe()}, "
                        f"{store.end_seq} events, {store.rejected_total} rejected"
                    )
                    await asyncio.sleep(0.01)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())
    return source, store


def live(source: ReconnectingSource, _store: EventStore) -> bool:
    return source.status.state is ConnectionState.LIVE


def has(count: int) -> Callable[[ReconnectingSource, EventStore], bool]:
    return lambda _source, store: store.end_seq >= count


def events(store: EventStore) -> list[Event]:
    return store.events(0, store.end_seq)


def test_new_entries_arrive_in_order_with_the_stream_id_as_event_id(server: RedisServer) -> None:
    client = server.client()
    client.xadd("orders", order(0))  # before the dashboard connects: not shown
    ids: list[bytes] = []
    source, store = run_source(
        f"{server.url}?stream=orders",
        [
            (lambda: None, live),
            (lambda: ids.extend(client.xadd("orders", order(n)) for n in (1, 2, 3)), has(3)),
        ],
    )
    got = events(store)
    expected = [(i.decode(), f"ord-{n}") for i, n in zip(ids, (1, 2, 3), strict=True)]
    assert [(e.id, e.data["order_id"]) for e in got] == expected
    assert {(e.type, e.source) for e in got} == {("order.placed", "orders")}
    assert source.status.last_event_id == f"orders {ids[-1].decode()}"


def test_backfill_then_live(server: RedisServer) -> None:
    client = server.client()
    for n in range(10):
        client.xadd("orders", order(n))
    _source, store = run_source(
        f"{server.url}?stream=orders&backfill=4",
        [(lambda: None, has(4)), (lambda: client.xadd("orders", order(10)), has(5))],
    )
    assert [e.data["order_id"] for e in events(store)] == [f"ord-{n}" for n in (6, 7, 8, 9, 10)]


def test_reading_from_an_id_and_from_a_time(server: RedisServer) -> None:
    client = server.client()
    now_ms = int(time.time() * 1000)
    for n, minutes_ago in enumerate((30, 20, 5, 1)):
        client.xadd("orders", order(n), id=f"{now_ms - minutes_ago * 60_000}-0")
    _source, store = run_source(f"{server.url}?stream=orders&from=-10m", [(lambda: None, has(2))])
    assert [e.data["order_id"] for e in events(store)] == ["ord-2", "ord-3"]
    after = f"{now_ms - 20 * 60_000}-0"
    _source, store = run_source(
        f"{server.url}?stream=orders&from={after}", [(lambda: None, has(2))]
    )
    assert [e.data["order_id"] for e in events(store)] == ["ord-2", "ord-3"]


def test_several_streams_by_pattern_and_flat_fields(server: RedisServer) -> None:
    client = server.client()
    client.xadd("events:payments", {"x": "1"})  # exists before: found by SCAN
    client.xadd("events:metrics", {"x": "1"})
    client.xadd("other", {"x": "1"})
    _source, store = run_source(
        f"{server.url}?stream=events:*",
        [
            (lambda: None, live),
            (
                lambda: (
                    client.xadd(
                        "events:metrics",
                        {"type": "metrics.update", "source": "web-1", "cpu": "93.5"},
                    ),
                    client.xadd("other", order(1)),
                    client.xadd("events:payments", order(2, type="payment.failed")),
                ),
                has(2),
            ),
        ],
    )
    got = events(store)
    assert [(e.type, e.source) for e in got] == [
        ("metrics.update", "web-1"),
        ("payment.failed", "orders"),
    ]
    assert got[0].data == {"cpu": "93.5"}  # flat fields: the envelope taken out, as for JSON


def test_a_connection_is_live_only_once_it_knows_where_each_stream_starts(
    server: RedisServer,
) -> None:
    """ "From now on" is from the moment the connection says live: an entry added then is
    read, however soon (live on PING, before SCAN and the start positions, missed some)."""
    client = server.client()
    newest = [client.xadd("events:a", {"x": "1"}), client.xadd("events:b", {"x": "2"})]
    positions_when_live: list[dict[str, str]] = []

    def note_positions(source: ReconnectingSource) -> None:
        went_live = source.went_live

        def noting() -> None:
            positions_when_live.append(dict(source.positions))  # type: ignore[attr-defined]
            went_live()

        source.went_live = noting  # type: ignore[method-assign]

    run_source(f"{server.url}?stream=events:*", [(lambda: None, live)], prepare=note_positions)
    assert positions_when_live == [{"events:a": newest[0].decode(), "events:b": newest[1].decode()}]


def test_an_entry_that_is_not_json_is_rejected_and_the_rest_goes_on(server: RedisServer) -> None:
    client = server.client()
    bad: list[bytes] = []
    _source, store = run_source(
        f"{server.url}?stream=orders",
        [
            (lambda: None, live),
            (
                lambda: (
                    bad.append(client.xadd("orders", {"event": b"{not json"})),
                    client.xadd("orders", order(1)),
                ),
                has(1),
            ),
        ],
    )
    (rejected,) = store.rejected()
    assert rejected.reason.startswith("invalid JSON") and rejected.raw == b"{not json"
    assert rejected.id == bad[0].decode()
    assert [e.data["order_id"] for e in events(store)] == ["ord-1"]


def test_an_entry_without_the_chosen_field_is_rejected_saying_which_fields_it_has(
    server: RedisServer,
) -> None:
    client = server.client()
    ids: list[bytes] = []
    good = json.dumps({"type": "order.placed", "data": {"order_id": "ord-2"}}).encode()
    source, store = run_source(
        f"{server.url}?stream=orders&field=payload",
        [
            (lambda: None, live),
            (
                lambda: (
                    ids.append(client.xadd("orders", order(1))),  # in "event", not "payload"
                    ids.append(client.xadd("orders", {"payload": good, "note": b"x"})),
                ),
                has(1),
            ),
        ],
    )
    (rejected,) = store.rejected()
    assert rejected.reason == "the entry has no field 'payload' (fields: event)"
    assert rejected.id == ids[0].decode() and json.loads(rejected.raw)["event"].startswith("{")
    [event] = events(store)
    assert (event.type, event.data, event.id) == (
        "order.placed",
        {"order_id": "ord-2"},
        ids[1].decode(),
    )
    assert source.status.bytes_received == len(good)  # the frames read, not the rejected record


def test_after_a_restart_reading_resumes_with_nothing_lost_or_repeated(
    server: RedisServer,
) -> None:
    client = server.client()

    def restart_and_add_more() -> None:
        server.stop()
        server.start()
        again = server.client()
        for n in range(5, 10):  # written while the dashboard is still reconnecting
            again.xadd("orders", order(n))

    def reconnected(source: ReconnectingSource, store: EventStore) -> bool:
        return source.status.reconnects >= 1 and store.end_seq >= 10

    source, store = run_source(
        f"{server.url}?stream=orders",
        [
            (lambda: None, live),
            (lambda: [client.xadd("orders", order(n)) for n in range(5)], has(5)),
            (restart_and_add_more, reconnected),
        ],
        timeout=30,
    )
    assert [e.data["order_id"] for e in events(store)] == [f"ord-{n}" for n in range(10)]
    assert source.status.state is ConnectionState.LIVE


def test_a_consumer_group_reads_and_acknowledges(server: RedisServer) -> None:
    client = server.client()
    _source, store = run_source(
        f"{server.url}?stream=orders&group=dash&consumer=ws1",
        [
            (lambda: None, live),
            (lambda: [client.xadd("orders", order(n)) for n in range(3)], has(3)),
        ],
    )
    assert [e.data["order_id"] for e in events(store)] == ["ord-0", "ord-1", "ord-2"]
    assert client.xpending("orders", "dash")["pending"] == 0
    (group,) = client.xinfo_groups("orders")
    assert group["last-delivered-id"] == client.xrevrange("orders", count=1)[0][0]


def test_pub_sub_with_a_pattern_takes_the_channel_as_type(server: RedisServer) -> None:
    client = server.client()

    def publish() -> None:
        client.publish("demo.orders", json.dumps({"data": {"order_id": "ord-1"}}))
        client.publish("elsewhere", json.dumps({"type": "not.for.us"}))
        client.publish("demo.payments", json.dumps({"type": "payment.failed", "amount": 80}))

    _source, store = run_source(
        f"{server.url}?channel=demo.*",
        [(lambda: None, live), (publish, has(2))],
    )
    assert [(e.type, e.data) for e in events(store)] == [
        ("demo.orders", {"order_id": "ord-1"}),
        ("payment.failed", {"amount": 80}),
    ]


def test_wrong_credentials_stop_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = RedisServer(tmp_path, password="s3cret").start()
    try:
        monkeypatch.setenv("REDIS_PASSWORD", "wrong")
        url = f"redis://:${{REDIS_PASSWORD}}@127.0.0.1:{server.port}/0?stream=orders"
        source, _store = run_source(
            url, [(lambda: None, lambda s, _: s.status.state is ConnectionState.STOPPED)]
        )
        assert source.status.detail.startswith(
            f"Redis at 127.0.0.1:{server.port} refused the credentials: "
        )
        assert "WRONGPASS" in source.status.detail or "invalid" in source.status.detail
        assert "s3cret" not in source.status.url and "wrong" not in source.status.url
        monkeypatch.setenv("REDIS_PASSWORD", "s3cret")
        source, _store = run_source(url, [(lambda: None, live)])
    finally:
        server.stop()


def dashboard(*args: str) -> list[str]:
    return [sys.executable, "-m", "dashboard", *args]


def test_the_demo_feed_writes_into_redis_and_a_recording_reads_it_back(
    server: RedisServer, tmp_path: Path
) -> None:
    """The whole chain on one machine: dashboard feed --redis -> Redis -> dashboard record."""
    out = tmp_path / "from-redis.jsonl"
    feed_command = dashboard("feed", "--port", "0", "--rate", "400", "--redis", server.url)
    with subprocess.Popen(feed_command, stdout=subprocess.PIPE, text=True) as feed:
        try:
            assert feed.stdout is not None
            lines = [feed.stdout.readline(), feed.stdout.readline()]
            assert lines[1].startswith(f"Also in Redis at {server.url}: stream demo:events")
            recorded = subprocess.run(
                dashboard(
                    "record", f"{server.url}?stream=demo:events", "-o", str(out), "--count", "300"
                ),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            feed.terminate()
    assert recorded.returncode == 0, recorded.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    events_ = [r for r in records if "rejected" not in r]
    assert len(events_) == 300
    ids = [r["id"] for r in events_]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))  # stream order
    assert len(set(ids)) == 300
    assert {r["connection"] for r in events_} == {f"127.0.0.1:{server.port} demo:events"}
    assert {"metrics.update", "order.placed"} <= {r["type"] for r in events_}
    assert server.client().xlen("demo:events") >= 300


def test_the_demo_feed_says_when_redis_cannot_be_reached() -> None:
    result = subprocess.run(
        dashboard("feed", "--port", "0", "--redis", "redis://127.0.0.1:1/0"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("dashboard feed: cannot reach Redis at redis://127.0.0.1:1/0:")


def test_the_demo_feed_never_prints_the_redis_password() -> None:
    result = subprocess.run(
        dashboard("feed", "--port", "0", "--redis", "redis://ops:hunter22@127.0.0.1:1/0"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "dashboard feed: cannot reach Redis at redis://ops:••••@127.0.0.1:1/0:"
    )
    assert "hunter22" not in result.stdout + result.stderr


def test_rediss_with_the_company_ca_and_a_clear_refusal_without_it(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    chain, key, ca_file = tmp_path / "chain.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.private_key_pem.write_to_path(str(key))
    cert.cert_chain_pems[0].write_to_path(str(chain))
    ca.cert_pem.write_to_path(str(ca_file))
    server = RedisServer(tmp_path, tls=(chain, key)).start()
    url = f"rediss://127.0.0.1:{server.port}/0?stream=orders"
    try:
        source, _store = run_source(
            url, [(lambda: None, lambda s, _: s.status.state is ConnectionState.STOPPED)]
        )
        assert source.status.detail.startswith(
            f"the TLS certificate of 127.0.0.1:{server.port} was not accepted: "
        )
        source, _store = run_source(url, [(lambda: None, live)], ca_file=str(ca_file))
        assert source.status.state is ConnectionState.LIVE
    finally:
        server.stop()


def test_a_cluster_s_streams_are_read_from_every_node(tmp_path: Path) -> None:
    cluster = RedisCluster(tmp_path).start()
    try:
        client = cluster.client()
        streams = ["orders", "payments", "metrics"]
        owners = {client.keyslot(s) // 5462 for s in streams}
        assert len(owners) > 1, "the streams should live on different nodes"
        url = f"{cluster.url}?stream=orders&stream=payments&stream=metrics&cluster=yes"

        def add() -> None:
            for n, stream in enumerate(streams * 2):
                client.xadd(stream, order(n))

        _source, store = run_source(url, [(lambda: None, live), (add, has(6))])
        assert sorted(e.data["order_id"] for e in events(store)) == [f"ord-{n}" for n in range(6)]
    finally:
        cluster.stop()


def test_a_stream_created_later_is_found_by_its_pattern_in_group_mode_too(
    server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.sources import redis_streams

    monkeypatch.setattr(redis_streams, "RESCAN_S", 0.2)
    client = server.client()
    client.xadd("events:orders", order(0))
    _source, store = run_source(
        f"{server.url}?stream=events:*&group=dash&consumer=ws1",
        [
            (lambda: None, live),
            (lambda: client.xadd("events:payments", order(1)), has(1)),  # a new stream
        ],
    )
    assert [e.data["order_id"] for e in events(store)] == ["ord-1"]
    assert client.xpending("events:payments", "dash")["pending"] == 0
