"""WebSocket presets: the steps of two well-known protocols, and what their messages mean.

* ``graphql-transport-ws`` (GraphQL over WebSocket, as Apollo, GraphQL Yoga, Hasura and
  Strawberry speak it): send ``connection_init``, expect ``connection_ack``, send one
  ``subscribe`` (id ``"1"``) with the query and variables. Each ``next`` message's
  ``payload.data`` is an event: the value under the subscription's root field (a GraphQL
  subscription has exactly one), whose name is the type unless the value names one.
  ``ping`` is answered with ``pong``; ``error`` stops the connection (the server refused
  the operation: retrying sends the same one); ``complete`` ends it normally.
* ``home-assistant`` (its WebSocket API): expect ``auth_required``, send ``auth`` with the
  token, expect ``auth_ok`` (``auth_invalid`` stops: retrying a refused token would only
  get the address banned), send one ``subscribe_events`` per event type (ids 1, 2...; none
  given: every event). Each ``event`` message's event is an event: its ``event_type`` is
  the type, ``time_fired`` the time, ``context.id`` the id, ``data`` the payload.

:func:`interpret` says what one message after the handshake is; pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from dashboard.core.events.nesting import TOO_DEEP, json_bytes, too_deep
from dashboard.core.lang.query import parse
from dashboard.core.text.inert import inert
from dashboard.core.transport.wssteps import Expect, Send, Step

__all__ = ["GRAPHQL", "HOME_ASSISTANT", "PRESETS", "Outcome", "check_preset", "interpret", "steps"]

GRAPHQL = "graphql-transport-ws"
HOME_ASSISTANT = "home-assistant"
NONE = "none"
PRESETS = (NONE, GRAPHQL, HOME_ASSISTANT)
SUBSCRIPTION_ID = "1"
QUOTED_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one message means: an event (*frame*, typed *default_type* unless it names a
    type), a *reply* to send, a *rejected* frame (with the reason), the end of the stream
    (*ended*: normally; *stop*: for good), or nothing (a protocol message)."""

    frame: bytes | None = None
    default_type: str = "message"
    reply: bytes | None = None
    rejected: str | None = None
    ended: str | None = None
    stop: str | None = None


NOTHING = Outcome()


def check_preset(options: Mapping[str, Any]) -> None:
    """ValueError naming the option when the preset lacks what it needs, or an option of
    a preset is given without it."""
    preset = options.get("preset", NONE)
    if preset == GRAPHQL and not options.get("graphql_query"):
        raise ValueError(f"graphql_query: the {GRAPHQL} preset needs the subscription query")
    if preset == HOME_ASSISTANT and not options.get("ha_token"):
        raise ValueError(
            f"ha_token: the {HOME_ASSISTANT} preset needs a long-lived access token "
            "(or ${ENV_VAR})"
        )
    for name, owner in (
        ("graphql_query", GRAPHQL),
        ("graphql_variables", GRAPHQL),
        ("ha_token", HOME_ASSISTANT),
        ("ha_event_types", HOME_ASSISTANT),
    ):
        if options.get(name) and preset != owner:
            raise ValueError(f"{name}: an option of the {owner} preset, and the preset is {preset}")


def check_variables(text: str) -> None:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise ValueError('expected a JSON object, like {"first": 10}')


def steps(options: Mapping[str, Any]) -> list[Step]:
    """The preset's handshake, before the connection's own steps (none without a preset)."""
    preset = options.get("preset", NONE)
    if preset == GRAPHQL:
        payload: dict[str, Any] = {"query": options["graphql_query"]}
        if options.get("graphql_variables"):
            payload["variables"] = orjson.loads(options["graphql_variables"])
        subscribe = {"id": SUBSCRIPTION_ID, "type": "subscribe", "payload": payload}
        return [
            Send('{"type":"connection_init","payload":{}}'),
            Expect("type:connection_ack", parse("type:connection_ack")),
            Send(orjson.dumps(subscribe).decode()),
        ]
    if preset == HOME_ASSISTANT:
        auth = orjson.dumps({"type": "auth", "access_token": options["ha_token"]}).decode()
        types = options.get("ha_event_types") or [None]
        subscribes = [
            {"id": number, "type": "subscribe_events"} | ({"event_type": t} if t else {})
            for number, t in enumerate(types, 1)
        ]
        return [
            Expect("type:auth_required", parse("type:auth_required")),
            Send(auth),
            Expect("type:auth_ok", parse("type:auth_ok"), refusal=parse("type:auth_invalid")),
            *(Send(orjson.dumps(s).decode()) for s in subscribes),
        ]
    return []


def interpret(preset: str, message: bytes) -> Outcome | None:
    """What *message* means under *preset*; None without a preset (an ordinary frame).
    A message is a JSON object with a ``type`` (anything else is rejected), and no deeper
    than MAX_DEPTH: its parts are written again as frames."""
    if preset != GRAPHQL and preset != HOME_ASSISTANT:
        return None
    try:
        value = orjson.loads(message)
    except orjson.JSONDecodeError:
        value = None
    if too_deep(value, message):
        return Outcome(rejected=TOO_DEEP)
    kind = value.get("type") if isinstance(value, dict) else None
    if not isinstance(kind, str):
        said = "graphql-transport-ws" if preset == GRAPHQL else "Home Assistant"
        return Outcome(rejected=f"not a {said} message (a JSON object with a type)")
    return _graphql(value, kind) if preset == GRAPHQL else _home_assistant(value, kind)


def _shown(value: Any) -> str:
    return inert(value if isinstance(value, str) else json_bytes(value).decode(), QUOTED_LIMIT)


def _graphql_errors(errors: Any) -> str:
    if isinstance(errors, list) and errors:
        return "; ".join(
            _shown(e.get("message", e)) if isinstance(e, dict) else _shown(e) for e in errors
        )
    return _shown(errors)


def _graphql(value: dict[str, Any], kind: str) -> Outcome:
    if kind == "next":
        payload = value.get("payload")
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict) or not data:
            errors = payload.get("errors") if isinstance(payload, dict) else None
            return Outcome(rejected=f"a GraphQL result without data: {_graphql_errors(errors)}")
        if len(data) == 1:
            [(root, inner)] = data.items()
            return Outcome(frame=orjson.dumps(inner), default_type=root)
        return Outcome(frame=orjson.dumps(data))
    if kind == "ping":
        return Outcome(reply=b'{"type":"pong"}')
    if kind == "pong":
        return NOTHING
    if kind == "error":
        errors = _graphql_errors(value.get("payload"))
        return Outcome(stop=f"the server refused the GraphQL subscription: {errors}")
    if kind == "complete":
        return Outcome(ended="the server completed the GraphQL subscription")
    return Outcome(rejected=f"a graphql-transport-ws message of type {_shown(kind)}, not an event")


def _home_assistant(value: dict[str, Any], kind: str) -> Outcome:
    if kind == "event":
        event = value.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("event_type"), str):
            return Outcome(rejected="a Home Assistant event without an event_type")
        context = event.get("context")
        shaped: dict[str, Any] = {"type": event["event_type"]}
        if isinstance(context, dict) and context.get("id") is not None:
            shaped["id"] = context["id"]
        if "time_fired" in event:
            shaped["time"] = event["time_fired"]
        shaped["data"] = event.get("data")
        shaped |= {k: v for k, v in event.items() if k not in ("event_type", "time_fired", "data")}
        return Outcome(frame=orjson.dumps(shaped))
    if kind == "result":
        if value.get("success") is False:
            error = value.get("error")
            said = _shown(error.get("message", error)) if isinstance(error, dict) else ""
            return Outcome(stop=f"Home Assistant refused a subscription: {said}".rstrip(": "))
        return NOTHING
    if kind == "pong":
        return NOTHING
    return Outcome(rejected=f"a Home Assistant message of type {_shown(kind)}, not an event")
