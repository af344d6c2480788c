"""WebSocket steps and presets as data (#28): the list option type, the order of --send and
--expect, the checks and their messages, layouts (secrets left out), the presets' steps
and what their messages mean. No network here: tests/e2e/test_ws_steps.py has the servers."""

from __future__ import annotations

import re

import orjson
import pytest

from dashboard.cli import connection_specs, gui_parser, record_parser
from dashboard.core.events.decode import Decoder
from dashboard.core.layouts import layoutfile as layouts
from dashboard.core.layouts.layoutfile import LayoutError, loads
from dashboard.core.transport.sourcekind import Option
from dashboard.core.transport.wspresets import GRAPHQL, HOME_ASSISTANT, Outcome, interpret, steps
from dashboard.core.transport.wssteps import (
    Expect,
    Send,
    carries_secret,
    describe_failure,
    read_step,
    read_steps,
)
from dashboard.sources.registry import KINDS

HA_AUTH = '{"type":"auth","access_token":"${HA_TOKEN}"}'


def ws_options(*args: str) -> dict:
    [spec] = connection_specs(gui_parser().parse_args(["ws://ha.test/api/websocket", *args]))
    return spec.options


def test_send_and_expect_keep_their_command_line_order_in_one_list() -> None:
    options = ws_options(
        "--expect", "type:auth_required",
        "--send", HA_AUTH,
        "--expect", "type:auth_ok",
        "--send", '{"id":1,"type":"subscribe_events"}',
        "--send", "expect this text, sent as it is",
    )  # fmt: skip
    assert options == {
        "send": [
            "expect type:auth_required",
            HA_AUTH,
            "expect type:auth_ok",
            '{"id":1,"type":"subscribe_events"}',
            "send expect this text, sent as it is",
        ]
    }
    found = read_steps(options["send"])
    assert [type(s).__name__ for s in found] == ["Expect", "Send", "Expect", "Send", "Send"]
    assert found[4] == Send("expect this text, sent as it is")
    assert isinstance(found[0], Expect) and found[0].text == "type:auth_required"


def test_the_same_steps_come_from_record_and_from_a_layout() -> None:
    argv = ["ws://x.test/ws", "--expect", "type:ready", "--send", "hello", "-o", "o.jsonl"]
    [spec] = connection_specs(record_parser().parse_args(argv))
    text = "[[connections]]\nurl = 'ws://x.test/ws'\nsend = ['expect type:ready', 'hello']\n"
    [from_layout] = loads(text, "l.toml", KINDS).connections
    assert spec.options == from_layout.options == {"send": ["expect type:ready", "hello"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--send", '{"op": "subscribe"'],
            "argument --send: not valid JSON (unexpected end of data: line 1 column 19 "
            "(char 18)); a message starting with { or [ must be JSON, any other text is sent "
            "as it is",
        ),
        (
            ["--expect", "type:(auth"],
            "argument --expect: 'type:(auth' is not a query, column 6: ",
        ),
        (
            ["--preset", "home-assistant"],
            "argument --ha-token: the home-assistant preset needs a long-lived access token "
            "(or ${ENV_VAR})",
        ),
        (
            ["--preset", "graphql-transport-ws", "--graphql-variables", '{"a": 1}'],
            "argument --graphql-query: the graphql-transport-ws preset needs the subscription "
            "query",
        ),
        (
            ["--graphql-variables", "[1]", "--preset", "graphql-transport-ws"],
            'argument --graphql-variables: expected a JSON object, like {"first": 10}',
        ),
        (["--ha-token", "t"], "argument --ha-token: an option of the home-assistant preset"),
        (["--step-timeout", "0s"], "argument --step-timeout: '0s' is out of range (100ms to 365d)"),
        (["--keepalive", "expect type:x"], "argument --keepalive: a message to send"),
    ],
)
def test_bad_steps_and_presets_exit_2_naming_the_option(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        connection_specs(gui_parser().parse_args(["ws://x.test/ws", *args]))
    assert exited.value.code == 2
    assert f"dashboard: error: {message}" in capsys.readouterr().err


def test_a_query_that_does_not_parse_shows_where_with_a_caret() -> None:
    with pytest.raises(ValueError) as error:
        read_step("expect type:(auth")
    assert str(error.value).splitlines()[1:] == ["  type:(auth", "       ^"]


def test_json_is_checked_only_where_a_message_starts_like_json() -> None:
    assert read_step("PING") == Send("PING")  # a text protocol's message: sent as it is
    assert read_step('{"depth": ${DEPTH}, "key": "${KEY}"}') == Send(
        '{"depth": ${DEPTH}, "key": "${KEY}"}'
    )  # a reference may stand for a number
    with pytest.raises(ValueError, match="not valid JSON"):
        read_step("[1, 2")
    assert read_step("send expect") == Send("expect")


def test_keepalive_every_takes_seconds_with_or_without_the_unit() -> None:
    assert ws_options("--keepalive", '{"op":"ping"}', "--keepalive-every", "20s") == {
        "keepalive": '{"op":"ping"}',
        "keepalive_every": 20.0,
    }
    assert ws_options("--keepalive", "ping", "--keepalive-every", "5")["keepalive_every"] == 5.0
    # the one duration grammar, as --poll and the rules read it; in a layout too
    assert ws_options("--keepalive", "ping", "--keepalive-every", "1m30s")["keepalive_every"] == 90
    assert KINDS.read_options("ws://h/x", {"step_timeout": "250ms"}) == {"step_timeout": 0.25}
    with pytest.raises(ValueError, match="keepalive_every: expected a duration like 30s"):
        KINDS.read_options("ws://h/x", {"keepalive_every": "soon"})


def test_list_options_are_checked_item_by_item_with_the_item_named() -> None:
    option = Option("names", list, check=lambda t: t == "bad" and (_ for _ in ()).throw(
        ValueError("not this one")))  # fmt: skip
    assert option.parse([" a ", "", "b"]) == ["a", "b"]
    assert option.parse([]) is None
    assert option.from_text("a\n\n b \n") == ["a", "b"]
    with pytest.raises(ValueError, match=re.escape("names 2: not this one")):
        option.parse(["a", "bad"])
    with pytest.raises(ValueError, match="names: expected a list of texts in quotes, got 'a'"):
        option.parse("a")
    with pytest.raises(ValueError, match="names: 1,001 items, and it holds 1,000"):
        option.parse(["x"] * 1001)


def test_a_layout_names_the_step_that_is_wrong() -> None:
    text = "[[connections]]\nurl = 'ws://x.test/ws'\nsend = ['hello', 'expect type:(']\n"
    with pytest.raises(LayoutError, match=re.escape("connections[1]: send 2: 'type:(' is not")):
        loads(text, "l.toml", KINDS)
    text = "[[connections]]\nurl = 'ws://x.test/ws'\npreset = 'home-assistant'\n"
    [spec] = loads(text, "l.toml", KINDS).connections  # its token left out when saved:
    assert spec.options == {"preset": "home-assistant"}  # it loads, and says so on connect


def test_a_message_carrying_a_credential_never_reaches_a_layout_but_a_reference_does() -> None:
    literal = '{"type":"auth","access_token":"abc123secret"}'
    kept = KINDS.spec("ws://x.test/ws", "kept", options={"send": [HA_AUTH, "expect type:ok"]})
    dropped = KINDS.spec("ws://y.test/ws", "dropped", options={"send": [literal]})
    token = KINDS.spec(
        "ws://z.test/ws", "ha", options={"preset": HOME_ASSISTANT, "ha_token": "${HA_TOKEN}"}
    )
    literal_token = KINDS.spec(
        "ws://z.test/ws", "ha2", options={"preset": HOME_ASSISTANT, "ha_token": "abc123secret"}
    )
    layout = layouts.Layout(connections=[kept, dropped, token, literal_token])
    saved = layouts.dumps(layout, KINDS)
    assert "abc123secret" not in saved
    assert "${HA_TOKEN}" in saved and "expect type:ok" in saved
    assert layouts.left_out(layout, KINDS) == ["dropped: send", "ha2: ha_token"]
    again = loads(saved, "l.toml", KINDS).connections
    assert again[0].options == kept.options and again[1].options == {}
    assert again[2].options == token.options
    assert carries_secret(literal) and not carries_secret(HA_AUTH)
    assert not carries_secret('{"op":"subscribe","channels":["ticker"]}')


def test_the_home_assistant_preset_writes_auth_then_one_subscription_per_type() -> None:
    written = steps({"preset": HOME_ASSISTANT, "ha_token": "${T}", "ha_event_types": ["a", "b"]})
    assert [getattr(s, "text", None) for s in written] == [
        "type:auth_required",
        '{"type":"auth","access_token":"${T}"}',
        "type:auth_ok",
        '{"id":1,"type":"subscribe_events","event_type":"a"}',
        '{"id":2,"type":"subscribe_events","event_type":"b"}',
    ]
    every = steps({"preset": HOME_ASSISTANT, "ha_token": "t"})
    assert every[-1] == Send('{"id":1,"type":"subscribe_events"}')  # no type: every event


def test_the_graphql_preset_writes_init_ack_subscribe() -> None:
    written = steps({"preset": GRAPHQL, "graphql_query": "subscription { t }"})
    assert [getattr(s, "text", None) for s in written] == [
        '{"type":"connection_init","payload":{}}',
        "type:connection_ack",
        '{"id":"1","type":"subscribe","payload":{"query":"subscription { t }"}}',
    ]
    assert steps({}) == []


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        (
            b'{"id":"1","type":"next","payload":{"data":{"tick":{"n":1}}}}',
            Outcome(frame=b'{"n":1}', default_type="tick"),
        ),
        (b'{"type":"ping"}', Outcome(reply=b'{"type":"pong"}')),
        (b'{"type":"pong"}', Outcome()),
        (
            b'{"id":"1","type":"next","payload":{"data":null,"errors":[{"message":"no"}]}}',
            Outcome(rejected="a GraphQL result without data: no"),
        ),
        (
            b'{"id":"1","type":"error","payload":[{"message":"bad \\u001b[2J"}]}',
            Outcome(stop="the server refused the GraphQL subscription: bad \\x1b[2J"),
        ),
        (
            b'{"id":"1","type":"complete"}',
            Outcome(ended="the server completed the GraphQL subscription"),
        ),
        (
            b"[1]",
            Outcome(rejected="not a graphql-transport-ws message (a JSON object with a type)"),
        ),
    ],
)
def test_what_a_graphql_message_means(message: bytes, outcome: Outcome) -> None:
    assert interpret(GRAPHQL, message) == outcome


def test_what_a_home_assistant_message_means() -> None:
    event = {
        "id": 3,
        "type": "event",
        "event": {
            "event_type": "state_changed",
            "data": {"entity_id": "light.k"},
            "origin": "LOCAL",
            "time_fired": "2026-12-06T08:00:00+00:00",
            "context": {"id": "01HX"},
        },
    }
    outcome = interpret(HOME_ASSISTANT, orjson.dumps(event))
    assert outcome is not None and outcome.frame is not None
    decoded = Decoder("ha", id_keys=("id",)).decode(outcome.frame, received=0.0)
    assert (decoded.type, decoded.id, decoded.data) == (
        "state_changed",
        "01HX",
        event["event"]["data"],
    )  # type: ignore[union-attr]
    assert interpret(HOME_ASSISTANT, b'{"id":1,"type":"result","success":true}') == Outcome()
    refused = b'{"id":1,"type":"result","success":false,"error":{"message":"Unauthorized"}}'
    assert interpret(HOME_ASSISTANT, refused) == Outcome(
        stop="Home Assistant refused a subscription: Unauthorized"
    )
    assert interpret("none", b"{}") is None


def test_a_failed_step_says_which_what_and_what_came_inert() -> None:
    step = read_step("expect type:auth_ok")
    assert isinstance(step, Expect)
    assert describe_failure(3, step, b'{"type":"auth_invalid","m":"\x1b]0;x\x07"}', 10) == (
        'step 3 (expect type:auth_ok) failed: got {"type":"auth_invalid","m":"\\x1b]0;x\\x07"}'
    )
    assert describe_failure(1, step, None, 2.5) == (
        "step 1 (expect type:auth_ok) failed: no message within 2.5 s"
    )


def test_a_message_s_top_level_id_is_the_event_id_when_asked() -> None:
    decoder = Decoder("ws", id_keys=("id",))
    assert decoder.decode(b'{"id": 42, "type": "x"}', received=0.0).id == "42"  # type: ignore[union-attr]
    assert decoder.decode(b'{"id": "a", "type": "x", "data": {}}', received=0.0).id == "a"  # type: ignore[union-attr]
    assert decoder.decode(b'{"id": true}', received=0.0).id is None  # type: ignore[union-attr]
    assert Decoder("sse").decode(b'{"id": 42}', received=0.0).id is None  # type: ignore[union-attr]


def test_a_message_carrying_a_credential_is_kept_out_of_logs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dashboard.core.text.redact import redact
    from dashboard.sources.ws_handshake import expanded

    literal = '{"type":"auth","access_token":"literal-ws-secret-28"}'
    KINDS.spec("ws://x.test/ws", options={"send": [literal]})  # marked as the spec is made
    assert "literal-ws-secret-28" not in redact(f"sending {literal}")
    monkeypatch.setenv("WS_TOKEN_28", "env-ws-secret-28")
    assert expanded('{"token": "${WS_TOKEN_28}"}') == '{"token": "env-ws-secret-28"}'
    assert "env-ws-secret-28" not in redact("sent env-ws-secret-28")  # read: marked
