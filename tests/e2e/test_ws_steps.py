"""WebSocket endpoints that must be spoken to (#28): steps after connect, presets, keepalive,
split arrays, the message's own id and a normal close, against real loopback servers: our
aiohttp handshake feed and the ``websockets`` library's own server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from websockets.asyncio.server import ServerConnection, serve

from dashboard.capture import capture
from dashboard.core.storage.recordformat import read_events
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.backoff import Backoff
from dashboard.feed.handshake import HandshakeFeed
from dashboard.sources import ConnectionState, open_source
from dashboard.sources.registry import KINDS
from tests.helpers import run, wait_for
from tests.unit.factories import nested_text

SUBSCRIBE = '{"op":"subscribe","channels":["ticker"]}'


def fast() -> Backoff:
    return Backoff(base=0.01, factor=2.0, cap=0.2, jitter=0.0)


@asynccontextmanager
async def reading(url: str, name: str = "ws", **options: Any) -> AsyncIterator[Any]:
    """A WebSocket source for *url* with *options* running into a store: (store, source)."""
    store = EventStore()
    spec = KINDS.spec(url, name, options=KINDS.read_options(url, options))
    source = open_source(spec, store, backoff=fast())
    task = asyncio.create_task(source.run())
    try:
        yield store, source
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def frames(store: EventStore, name: str = "ws") -> int:
    return store.counts[name].frames if name in store.counts else 0


def test_the_subscribe_message_is_sent_again_on_every_reconnect_before_any_event() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=3, total=9) as feed,
            reading(feed.url("/ws/subscribe"), send=[SUBSCRIBE]) as (store, source),
        ):
            await wait_for(lambda: frames(store) == 9)
            events = store.events(0, store.end_seq)
            assert [e.id for e in events] == [f"ev-{n}" for n in range(1, 10)]  # its own id
            assert [e.data["n"] for e in events] == list(range(1, 10))
            assert store.rejected_total == 0
            await wait_for(lambda: len(feed.connections) >= 4 and feed.connections[3].subscribes)
            assert [c.subscribes for c in feed.connections][:4] == [1, 1, 1, 1]
            assert [c.received[0] for c in feed.connections][:4] == [SUBSCRIBE] * 4
            assert source.status.reconnects >= 3

    run(scenario())


@asynccontextmanager
async def websockets_library_server(per_connection: int) -> AsyncIterator[tuple[str, list[int]]]:
    """The `websockets` library's own server: silent until subscribed, then
    *per_connection* events numbered across connections, then a close with 1012. Yields
    the URL and the subscribe messages counted per connection."""
    subscribes: list[int] = []
    sent = 0

    async def handler(connection: ServerConnection) -> None:
        nonlocal sent
        subscribes.append(0)
        async for message in connection:
            if orjson.loads(message).get("op") == "subscribe":
                subscribes[-1] += 1
                break
        for _ in range(per_connection):
            sent += 1
            await connection.send(orjson.dumps({"id": sent, "type": "quote", "px": sent * 10}))
        await connection.close(1012, "restart")

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/", subscribes


def test_a_third_party_server_sees_one_subscribe_per_connection() -> None:
    async def scenario() -> None:
        async with (
            websockets_library_server(per_connection=4) as (url, subscribes),
            reading(url, send=[SUBSCRIBE]) as (store, _source),
        ):
            await wait_for(lambda: frames(store) == 12)
            events = store.events(0, store.end_seq)
            assert [e.id for e in events] == [str(n) for n in range(1, 13)]  # a number id
            assert {e.type for e in events} == {"quote"}
            await wait_for(lambda: len(subscribes) >= 3)
            assert subscribes[:3] == [1, 1, 1]

    run(scenario())


def test_home_assistant_preset_authenticates_subscribes_and_types_each_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HA_TOKEN", "good-token")

    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=None, total=6) as feed,
            reading(
                feed.url("/ws/homeassistant?subscriptions=2"),
                preset="home-assistant",
                ha_token="${HA_TOKEN}",
                ha_event_types=["state_changed", "automation_triggered"],
            ) as (store, source),
        ):
            await wait_for(lambda: frames(store) == 6)
            events = store.events(0, store.end_seq)
            assert [e.type for e in events] == ["state_changed", "automation_triggered"] * 3
            assert [e.id for e in events] == [f"ctx-{n}" for n in range(1, 7)]
            assert events[0].data == {"entity_id": "sensor.s1", "n": 1}
            assert events[0].time == 1796544001.0  # time_fired, 2026-12-06T08:00:01Z
            assert store.rejected_total == 0  # auth_required, auth_ok, results: no events
            [conversation] = feed.connections
            assert orjson.loads(conversation.received[0]) == {
                "type": "auth",
                "access_token": "good-token",
            }
            assert [orjson.loads(m) for m in conversation.received[1:]] == [
                {"id": 1, "type": "subscribe_events", "event_type": "state_changed"},
                {"id": 2, "type": "subscribe_events", "event_type": "automation_triggered"},
            ]
            assert source.status.state is ConnectionState.LIVE

    run(scenario())


def test_a_refused_home_assistant_token_stops_without_retrying() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed() as feed,
            reading(feed.url("/ws/homeassistant"), preset="home-assistant", ha_token="wrong")
            as (store, source),
        ):  # fmt: skip
            await wait_for(lambda: source.status.state is ConnectionState.STOPPED)
            assert source.status.detail == (
                'step 3 (expect type:auth_ok) failed: got {"type": "auth_invalid", '
                '"message": "Invalid access token"}'
            )
            assert len(feed.connections) == 1 and store.end_seq == 0

    run(scenario())


def test_graphql_preset_subscribes_answers_pings_and_each_next_is_an_event() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=2, total=6) as feed,
            reading(
                feed.url("/ws/graphql"),
                preset="graphql-transport-ws",
                graphql_query="subscription ($room: String) { tick(room: $room) { id n } }",
                graphql_variables='{"room": "lab"}',
            ) as (store, _source),
        ):
            await wait_for(lambda: frames(store) == 6)
            events = store.events(0, store.end_seq)
            assert [e.type for e in events] == ["tick"] * 6  # the root field names the type
            assert [e.id for e in events] == [f"t-{n}" for n in range(1, 7)]
            assert events[0].data == {"id": "t-1", "n": 1, "room": "lab"}
            await wait_for(lambda: len(feed.connections) >= 3)
            first = feed.connections[0]
            assert first.protocol == "graphql-transport-ws"
            assert [orjson.loads(m)["type"] for m in first.received] == [
                "connection_init",
                "subscribe",
                "pong",
            ]
            assert orjson.loads(first.received[1])["payload"]["variables"] == {"room": "lab"}
            assert [c.subscribes for c in feed.connections][:3] == [1, 1, 1]

    run(scenario())


def test_graphql_complete_finishes_the_connection_by_default() -> None:
    """The subscription is over: under the default rule (auto) it is not opened again."""

    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=None, total=2) as feed,
            reading(
                feed.url("/ws/graphql?complete=1"),
                preset="graphql-transport-ws",
                graphql_query="subscription { tick { n } }",
            ) as (store, source),
        ):
            await wait_for(lambda: source.status.state is ConnectionState.FINISHED)
            assert source.status.describe() == (
                "finished: the server completed the GraphQL subscription"
            )
            assert frames(store) == 2 and store.rejected_total == 0
            assert source.status.reconnects == 0 and source.status.last_error == ""
            await wait_for(lambda: feed.connections[0].close_code is not None)
            assert len(feed.connections) == 1
            assert feed.connections[0].close_code == 1000

    run(scenario())


def test_graphql_complete_is_opened_again_under_reconnect_always() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=2, total=6) as feed,
            reading(
                feed.url("/ws/graphql?complete=1"),
                preset="graphql-transport-ws",
                graphql_query="subscription { tick { n } }",
                reconnect="always",
            ) as (store, source),
        ):
            await wait_for(lambda: len(feed.connections) >= 3 and frames(store) == 6)
            events = store.events(0, store.end_seq)
            assert [e.id for e in events] == [f"t-{n}" for n in range(1, 7)]
            assert source.status.state is not ConnectionState.FINISHED
            assert source.status.reconnects >= 2
            assert store.rejected_total == 0
            assert [c.subscribes for c in list(feed.connections)[:3]] == [1, 1, 1]

    run(scenario())


def test_a_graphql_error_stops_with_the_server_s_words() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=None, total=2) as feed,
            reading(
                feed.url("/ws/graphql"),
                preset="graphql-transport-ws",
                graphql_query="subscription { broken }",
            ) as (_store, source),
        ):
            await wait_for(lambda: source.status.state is ConnectionState.STOPPED)
            assert source.status.detail == (
                "the server refused the GraphQL subscription: "
                'Cannot query field "broken" on type "Subscription".'
            )

    run(scenario())


@asynccontextmanager
async def closing_server(per_connection: int, code: int) -> AsyncIterator[tuple[str, list[int]]]:
    """The `websockets` library's own server: *per_connection* events numbered across
    connections, then a close with *code*. Yields the URL and the events sent on each
    connection (one entry per connection opened)."""
    sent_on: list[int] = []
    sent = 0

    async def handler(connection: ServerConnection) -> None:
        nonlocal sent
        sent_on.append(0)
        for _ in range(per_connection):
            sent += 1
            sent_on[-1] += 1
            await connection.send(orjson.dumps({"id": sent, "type": "tick", "n": sent}))
        await connection.close(code, "done")

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/", sent_on


def test_a_normal_close_is_opened_again_by_default() -> None:
    """Servers close with 1000 as they restart or deploy: auto reopens, as before."""

    async def scenario() -> None:
        async with (
            closing_server(per_connection=3, code=1000) as (url, sent_on),
            reading(url) as (store, source),
        ):
            await wait_for(lambda: len(sent_on) >= 3 and frames(store) >= 9)
            events = store.events(0, 9)
            assert [e.id for e in events] == [str(n) for n in range(1, 10)]
            assert sent_on[:3] == [3, 3, 3]
            assert source.status.state is not ConnectionState.FINISHED
            assert source.status.reconnects >= 2

    run(scenario())


@pytest.mark.parametrize("rule", ["on-error", "never"])
def test_a_normal_close_finishes_under_on_error_and_never(rule: str) -> None:
    async def scenario() -> None:
        async with (
            closing_server(per_connection=3, code=1000) as (url, sent_on),
            reading(url, reconnect=rule) as (store, source),
        ):
            await wait_for(lambda: source.status.state is ConnectionState.FINISHED)
            assert source.status.describe() == (
                "finished: the server closed the connection with code 1000 (done)"
            )
            assert [e.id for e in store.events(0, store.end_seq)] == ["1", "2", "3"]
            assert frames(store) == 3 and store.rejected_total == 0
            assert sent_on == [3]  # one connection
            assert source.status.reconnects == 0

    run(scenario())


def test_an_abnormal_close_is_retried_under_on_error() -> None:
    async def scenario() -> None:
        async with (
            closing_server(per_connection=2, code=1011) as (url, sent_on),
            reading(url, reconnect="on-error") as (store, source),
        ):
            await wait_for(lambda: len(sent_on) >= 3 and frames(store) >= 6)
            assert [e.id for e in store.events(0, 6)] == [str(n) for n in range(1, 7)]
            assert source.status.reconnects >= 2
            assert source.status.last_error.startswith(
                "the server closed the connection with code 1011"
            )

    run(scenario())


def test_a_refused_connection_stops_under_never() -> None:
    async def scenario() -> None:
        async with closing_server(per_connection=1, code=1000) as (url, _sent_on):
            pass  # the port is free again: nothing listens there
        async with reading(url, reconnect="never") as (store, source):
            await wait_for(lambda: source.status.state is ConnectionState.STOPPED)
            assert source.status.detail.startswith(
                f"cannot connect to {url.removeprefix('ws://').rstrip('/')}: "
            )
            assert source.status.reconnects == 0
            assert frames(store) == 0

    run(scenario())


def test_dashboard_record_ends_when_its_websocket_subscription_completes(tmp_path: Path) -> None:
    from dashboard.feed.server import FeedThread

    feed = HandshakeFeed(per_connection=None, total=3)
    thread = FeedThread(feed).start()  # type: ignore[arg-type]
    try:
        out = tmp_path / "gql.jsonl"
        argv = [
            sys.executable, "-m", "dashboard", "record", feed.url("/ws/graphql?complete=1"),
            "--preset", "graphql-transport-ws",
            "--graphql-query", "subscription { tick { n } }",
            "-o", str(out), "--duration", "60",
        ]  # fmt: skip
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert "(every connection finished)" in result.stderr
        with out.open("rb") as stream:
            recorded = list(read_events(stream, out.name))
        assert len(recorded) == 3
        assert len(feed.connections) == 1
    finally:
        thread.close()


def test_a_step_that_times_out_or_gets_another_message_is_retried_and_others_go_on() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=None, total=5) as feed,
            reading(
                feed.url("/ws/subscribe"), "silent", send=["expect type:hello"], step_timeout=0.2
            ) as (silent_store, silent),
            reading(feed.url("/ws/homeassistant"), "chatty", send=["expect type:\x1b[2Jhello"]) as (
                _store,
                chatty,
            ),
            reading(feed.url("/ws/subscribe"), "fine", send=[SUBSCRIBE]) as (store, fine),
        ):
            await wait_for(lambda: silent.status.reconnects >= 2 and chatty.status.reconnects)
            assert silent.status.last_error == (
                "step 1 (expect type:hello) failed: no message within 0.2 s"
            )
            assert chatty.status.last_error.startswith(
                'step 1 (expect type:\\x1b[2Jhello) failed: got {"type": "auth_required"'
            )
            assert silent.status.state is not ConnectionState.STOPPED
            assert silent_store.end_seq == 0
            await wait_for(lambda: frames(store, "fine") == 5)
            assert fine.status.state is ConnectionState.LIVE

    run(scenario())


def test_steps_interleave_in_the_order_given() -> None:
    """The Home Assistant handshake written by hand: expect, send, expect, send."""

    async def scenario() -> None:
        async with HandshakeFeed(per_connection=None, total=2) as feed:
            steps = [
                "expect type:auth_required",
                '{"type": "auth", "access_token": "good-token"}',
                "expect type:auth_ok",
                '{"id": 1, "type": "subscribe_events", "event_type": "call_service"}',
                "expect type:result success:true",
            ]
            async with reading(feed.url("/ws/homeassistant"), send=steps) as (store, source):
                await wait_for(lambda: frames(store) == 2)
                events = store.events(0, store.end_seq)
                assert [e.type for e in events] == ["event", "event"]  # no preset: as sent
                assert [e.id for e in events] == ["1", "1"]  # the subscription's id
                assert source.status.state is ConnectionState.LIVE

    run(scenario())


def test_keepalive_messages_go_out_while_connected() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=None, total=1) as feed,
            reading(
                feed.url("/ws/subscribe"),
                send=[SUBSCRIBE],
                keepalive='{"op":"ping"}',
                keepalive_every=0.1,  # the shortest a keepalive_every may be
            ) as (store, _source),
        ):
            await wait_for(lambda: feed.connections and len(feed.connections[0].received) >= 4)
            assert feed.connections[0].received[:4] == [SUBSCRIBE] + ['{"op":"ping"}'] * 3
            assert frames(store) == 1

    run(scenario())


@pytest.mark.parametrize("split", [True, False])
def test_a_json_array_in_one_frame_is_split_only_when_asked(split: bool) -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=None, total=3) as feed,
            reading(feed.url("/ws/subscribe?array=1"), send=[SUBSCRIBE], split_arrays=split) as (
                store,
                _source,
            ),
        ):
            await wait_for(lambda: frames(store) == (3 if split else 1))
            events = store.events(0, store.end_seq)
            if split:
                assert [(e.type, e.id, e.data) for e in events] == [
                    ("tick", f"ev-{n}", {"id": f"ev-{n}", "n": n}) for n in (1, 2, 3)
                ]
            else:
                [event] = events
                assert event.type == "message" and [e["n"] for e in event.data] == [1, 2, 3]

    run(scenario())


def test_record_at_its_duration_closes_the_websocket_normally(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with HandshakeFeed(per_connection=None, total=3) as feed:
            url = feed.url("/ws/subscribe")
            spec = KINDS.spec(url, "ws", options={"send": [SUBSCRIBE]})
            path = tmp_path / "out.jsonl"
            result = await capture([spec], path, duration=1.0)
            assert result.events == 3
            await wait_for(lambda: feed.connections[0].close_code is not None)
            assert feed.connections[0].close_code == 1000
            with path.open("rb") as stream:
                recorded = list(read_events(stream, str(path)))
            assert [e.id for e in recorded] == ["ev-1", "ev-2", "ev-3"]  # no handshake

    run(scenario())


def test_the_window_s_reader_pool_closes_the_websocket_normally() -> None:
    from dashboard.sources.pool import ReaderPool
    from dashboard.sources.process import ProcessSource

    async def scenario() -> None:
        async with HandshakeFeed(per_connection=None, total=2) as feed:
            url = feed.url("/ws/subscribe")
            store = EventStore()
            pool = ReaderPool(1)
            source = ProcessSource(
                KINDS.spec(url, "ws", options={"send": [SUBSCRIBE]}), store, pool
            )
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: frames(store) == 2, 60)  # a reader process starts
            finally:  # what the window does on exit (ui.connections: aclose)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await pool.aclose()
            await wait_for(lambda: feed.connections[0].close_code is not None)
            assert feed.connections[0].close_code == 1000

    run(scenario(), 90)


def test_a_missing_env_reference_in_a_message_stops_with_its_name() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed() as feed,
            reading(feed.url("/ws/subscribe"), send=['{"token": "${NOT_SET_ANYWHERE_28}"}']) as (
                _store,
                source,
            ),
        ):
            await wait_for(lambda: source.status.state is ConnectionState.STOPPED)
            assert source.status.detail == (
                "a message to send refers to ${NOT_SET_ANYWHERE_28}, "
                "which is not set in the environment"
            )

    run(scenario())


def test_an_env_value_is_written_into_json_as_json_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTED_28", 'a"b\\c')
    monkeypatch.setenv("COUNT_28", "7")

    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=None, total=1) as feed,
            reading(
                feed.url("/ws/subscribe"),
                send=['{"op": "subscribe", "key": "${QUOTED_28}", "depth": ${COUNT_28}}'],
            ) as (store, _source),
        ):
            await wait_for(lambda: frames(store) == 1)
            sent = orjson.loads(feed.connections[0].received[0])
            assert sent == {"op": "subscribe", "key": 'a"b\\c', "depth": 7}

    run(scenario())


def test_a_preset_without_its_token_stops_at_connect_naming_the_option() -> None:
    """(A layout saved with the token left out loads; the connection says what is missing.)"""

    async def scenario() -> None:
        async with (
            HandshakeFeed() as feed,
            reading(feed.url("/ws/homeassistant"), preset="home-assistant") as (_store, source),
        ):
            await wait_for(lambda: source.status.state is ConnectionState.STOPPED)
            assert source.status.detail == (
                "ha_token: the home-assistant preset needs a long-lived access token "
                "(or ${ENV_VAR})"
            )
            assert len(feed.connections) == 0

    run(scenario())


def test_dashboard_record_speaks_the_steps_and_closes_normally_at_its_duration(
    tmp_path: Path,
) -> None:
    """The command line end to end: the steps from --expect/--send in their order, the
    handshake left out of the file, and a close with 1000 when --duration is up."""
    from dashboard.feed.server import FeedThread

    feed = HandshakeFeed(per_connection=None, total=4)
    thread = FeedThread(feed).start()  # type: ignore[arg-type]
    try:
        out = tmp_path / "ha.jsonl"
        argv = [
            sys.executable, "-m", "dashboard", "record", feed.url("/ws/homeassistant"),
            "--expect", "type:auth_required",
            "--send", '{"type": "auth", "access_token": "${HA_TOKEN_28}"}',
            "--expect", "type:auth_ok",
            "--send", '{"id": 7, "type": "subscribe_events"}',
            "--expect", "type:result success:true",
            "-o", str(out), "--duration", "2",
        ]  # fmt: skip
        result = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HA_TOKEN_28": "good-token"},
            check=False,
        )
        assert result.returncode == 0, result.stderr
        with out.open("rb") as stream:
            recorded = list(read_events(stream, out.name))
        assert [(e.type, e.id) for e in recorded] == [("event", "7")] * 4  # type: ignore[union-attr]
        [conversation] = feed.connections
        assert conversation.close_code == 1000
        assert conversation.subscribes == 1
    finally:
        thread.close()


def test_home_assistant_authenticates_and_subscribes_again_on_every_reconnect() -> None:
    async def scenario() -> None:
        async with (
            HandshakeFeed(per_connection=2, total=6) as feed,
            reading(feed.url("/ws/homeassistant"), preset="home-assistant", ha_token="good-token")
            as (store, _source),
        ):  # fmt: skip
            await wait_for(lambda: frames(store) == 6)
            events = store.events(0, store.end_seq)
            assert [e.id for e in events] == [f"ctx-{n}" for n in range(1, 7)]
            first_three = list(feed.connections)[:3]
            assert [c.subscribes for c in first_three] == [1, 1, 1]
            assert all(orjson.loads(c.received[0])["type"] == "auth" for c in first_three)

    run(scenario())


def test_the_window_on_exit_closes_the_websocket_normally(tmp_path: Path) -> None:
    from dashboard.feed.server import FeedThread

    feed = HandshakeFeed(per_connection=None, total=3)
    thread = FeedThread(feed).start()  # type: ignore[arg-type]
    try:
        result = subprocess.run(
            [sys.executable, "-m", "dashboard", feed.url("/ws/subscribe"), "--send", SUBSCRIBE,
             "--exit-after", "4"],
            capture_output=True,
            text=True,
            timeout=90,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
                 "XDG_CONFIG_HOME": str(tmp_path / "config"),
                 "XDG_DATA_HOME": str(tmp_path / "data")},
            check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "events=3 " in result.stdout
        [conversation] = feed.connections
        assert conversation.subscribes == 1 and conversation.close_code == 1000
    finally:
        thread.close()


def test_a_refused_certificate_under_never_says_which_and_what_to_do() -> None:
    import ssl

    import trustme

    async def handler(connection: ServerConnection) -> None:
        await connection.close(1000)

    async def scenario() -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        trustme.CA().issue_cert("127.0.0.1").configure_cert(context)  # a CA nobody trusts
        async with serve(handler, "127.0.0.1", 0, ssl=context) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            async with reading(f"wss://127.0.0.1:{port}/", reconnect="never") as (_, source):
                await wait_for(lambda: source.status.state is ConnectionState.STOPPED)
                assert source.status.detail.startswith(
                    f"the TLS certificate of 127.0.0.1:{port} was not accepted: "
                )
                assert source.status.detail.endswith(
                    "(give its CA with --ca FILE, or --insecure to skip the check)"
                )

    run(scenario())


# A message nested too deep, as each way of reading it meets it: orjson reads 1,024 levels
# and writes 254, and these re-write what they read (the connection died on them).
DEEP = nested_text(300).decode()
TOO_DEEP_CASES = {
    "split": ({"split_arrays": True}, [], [f"[{DEEP}, 1]", f"[{nested_text(1000).decode()}]"],
              '[{"type": "tick", "n": 1}, {"type": "tick", "n": 2}]'),
    "graphql": ({"preset": "graphql-transport-ws", "graphql_query": "subscription { tick }"},
                ['{"type":"connection_ack"}'],
                [f'{{"type":"next","id":"1","payload":{{"data":{{"tick":{DEEP}}}}}}}',
                 f'{{"type":"error","id":"1","payload":{DEEP}}}'],
                '{"type":"next","id":"1","payload":{"data":{"tick":{"n":1}}}}'),
    "home-assistant": ({"preset": "home-assistant", "ha_token": "t"},
                       ['{"type":"auth_required"}', '{"type":"auth_ok"}'],
                       [f'{{"type":"event","event":{{"event_type":"t","data":{DEEP}}}}}'],
                       '{"type":"event","event":{"event_type":"tick","data":{"n":1}}}'),
}  # fmt: skip


@pytest.mark.parametrize("case", TOO_DEEP_CASES)
def test_a_message_nested_too_deep_is_rejected_and_the_connection_reads_on(case: str) -> None:
    options, handshake, deep, good = TOO_DEEP_CASES[case]

    async def handler(connection: ServerConnection) -> None:
        if case == "home-assistant":
            await connection.send(handshake[0])
            await connection.recv()  # auth
            await connection.send(handshake[1])
            await connection.recv()  # subscribe_events
        elif handshake:
            await connection.recv()  # connection_init
            await connection.send(handshake[0])
            await connection.recv()  # subscribe
        for message in deep:
            await connection.send(message)
        await connection.send(good)
        await connection.wait_closed()

    async def scenario() -> None:
        async with serve(handler, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            async with reading(f"ws://127.0.0.1:{port}/", **options) as (store, source):
                await wait_for(lambda: store.counts.get("ws") and store.counts["ws"].accepted)
                counts = store.counts["ws"]
                accepted = 2 if case == "split" else 1
                assert (counts.rejected, counts.accepted) == (len(deep), accepted)
                reasons = [r.reason for r in store.rejected()]
                assert reasons == ["JSON nested deeper than 64 levels"] * len(deep)
                assert [r.raw.decode() for r in store.rejected()] == deep
                assert {e.type for e in store.events(0, store.end_seq)} == {"tick"}
                assert source.status.state is ConnectionState.LIVE
                assert source.status.reconnects == 0

    run(scenario())
