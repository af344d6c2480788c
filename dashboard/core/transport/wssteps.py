"""What a WebSocket client says after connecting: steps, as plain data and checks.

A connection's ``send`` option is one ordered list of steps. An item ``expect QUERY`` waits
for the next message and needs it to match QUERY (our query language, on the message
decoded as an event) within the step timeout; any other item is a message to send (``send
TEXT`` says so explicitly, for a text that itself starts with ``expect``). On the command
line ``--send TEXT`` and ``--expect QUERY`` append to that one list in the order they are
given, so ``--expect type:auth_required --send AUTH --expect type:auth_ok --send SUB`` is
four steps in that order; a layout writes the same list (``send = [...]``), and the dialog
one step per line.

A message that starts with ``{`` or ``[`` is JSON, and checked as such when it is given
(``${ENV_VAR}`` references may stand anywhere in it, for text or numbers); any other
message is sent as the text it is. Nothing here does I/O: ``dashboard.sources.websocket``
runs the steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson

from dashboard.core.lang.query import Query, QueryError, parse
from dashboard.core.text.inert import inert

__all__ = [
    "EXPECT",
    "Expect",
    "Send",
    "Step",
    "carries_secret",
    "check_step",
    "describe_failure",
    "expect_item",
    "is_json",
    "read_steps",
    "send_item",
]

EXPECT = "expect"
SEND = "send"
QUOTED_LIMIT = 200  # characters of a received message quoted in a failed step's reason
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A message carrying one of these keys with a value of its own (not a ${ENV} reference)
# holds a credential as it is: it is never written to a layout (the rule of headers).
_SECRET_KEY = re.compile(
    r"""(?i)["']?[\w-]*(authorization|cookie|token|secret|password|api[-_]?key)[\w-]*["']?\s*[:=]"""
)


@dataclass(frozen=True)
class Send:
    """A message to send as it is (``${ENV}`` references expanded at connect time)."""

    text: str


@dataclass(frozen=True)
class Expect:
    """Wait for the next message; it must match *query*. A message matching *refusal*
    instead means retrying cannot help (a preset's refused credentials)."""

    text: str
    query: Query
    refusal: Query | None = None


Step = Send | Expect


def is_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def send_item(text: str) -> str:
    """``--send TEXT`` as an item of the list: kept as a message even if it reads like a
    step word."""
    word = text.split(" ", 1)[0]
    return f"{SEND} {text}" if word in (EXPECT, SEND) else text


def expect_item(text: str) -> str:
    """``--expect QUERY`` as an item of the list."""
    return f"{EXPECT} {text}".rstrip()


def read_step(item: str) -> Step:
    """One item as a step; ValueError saying what is wrong with it."""
    word, _, rest = item.partition(" ")
    if word == EXPECT:
        return Expect(rest.strip(), _query(rest.strip()))
    text = rest if word == SEND else item
    if is_json(text):
        # References may stand for numbers as well as text: check with a number there.
        try:
            orjson.loads(ENV_REFERENCE.sub("0", text))
        except orjson.JSONDecodeError as exc:
            raise ValueError(
                f"not valid JSON ({exc}); a message starting with {{ or [ must be JSON, "
                "any other text is sent as it is"
            ) from None
    return Send(text)


def check_step(item: str) -> None:
    read_step(item)


def read_steps(items: list[str] | None) -> list[Step]:
    return [read_step(item) for item in items or ()]


def _query(text: str) -> Query:
    try:
        return parse(text)
    except QueryError as error:
        shown = inert(text, QUOTED_LIMIT)
        raise ValueError(
            f"{text!r} is not a query, {error}\n  {shown}\n  {' ' * (error.column - 1)}^"
        ) from None


def carries_secret(item: str) -> bool:
    """Whether a message holds a credential as it is: a key like ``token`` or ``password``
    with a value that is no ``${ENV}`` reference."""
    return bool(_SECRET_KEY.search(item)) and "${" not in item


def describe_failure(number: int, step: Expect, got: bytes | None, timeout: float) -> str:
    """``step 3 (expect type:auth_ok) failed: got {"type":"auth_invalid"...}``: which step,
    what it waited for and what came instead, inert."""
    wanted = inert(step.text, QUOTED_LIMIT) or "any message"
    if got is None:
        return f"step {number} (expect {wanted}) failed: no message within {timeout:g} s"
    shown = inert(got.decode("utf-8", "replace"), QUOTED_LIMIT)
    return f"step {number} (expect {wanted}) failed: got {shown}"
