"""The I/O of the WebSocket steps (``dashboard.core.transport.wssteps``): sending, waiting for the
message a step expects, and the application-level keepalive, on a ``websockets`` client
connection. What a step means and how it fails in words is core's."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import orjson
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Rejected
from dashboard.core.transport.wssteps import ENV_REFERENCE, Send, Step, describe_failure, is_json
from dashboard.sources.base import RetryConnection, StopConnection, expand_env

__all__ = ["expanded", "keep_alive", "run_steps"]


def expanded(text: str) -> str:
    """*text* with its ``${ENV}`` references read now (and marked secret); inside JSON each
    value is written as JSON text, so a quote in it cannot break the message. StopConnection
    names a variable that is not set."""
    try:
        if not is_json(text):
            return expand_env(text)
        return ENV_REFERENCE.sub(lambda m: orjson.dumps(expand_env(m[0])).decode()[1:-1], text)
    except KeyError as missing:
        raise StopConnection(
            f"a message to send refers to ${{{missing.args[0]}}}, "
            "which is not set in the environment"
        ) from None


async def run_steps(
    connection: ClientConnection,
    steps: list[Step],
    decoder: Decoder,
    timeout: float,
    count_bytes: Callable[[int], object],
) -> None:
    """Send and expect, in order. What an expect step receives is decoded as an event would
    be, to be matched, and is not one (*count_bytes* counts its size). A failed step raises
    RetryConnection saying which step, what it waited for and what came; StopConnection
    when what came is the step's refusal (retrying cannot help)."""
    for number, step in enumerate(steps, 1):
        if isinstance(step, Send):
            await connection.send(expanded(step.text))
            continue
        try:
            async with asyncio.timeout(timeout):
                message = await connection.recv()
        except TimeoutError:
            raise RetryConnection(describe_failure(number, step, None, timeout)) from None
        data = message.encode() if isinstance(message, str) else message
        count_bytes(len(data))
        event = decoder.decode(data, received=time.time())
        if isinstance(event, Rejected) or not step.query.matches(event):
            failure = describe_failure(number, step, data, timeout)
            refused = step.refusal is not None and not isinstance(event, Rejected)
            if refused and step.refusal.matches(event):  # type: ignore[union-attr]
                raise StopConnection(failure)
            raise RetryConnection(failure)


async def keep_alive(connection: ClientConnection, text: str, every: float) -> None:
    """Send *text* every *every* seconds until the connection closes (or this is
    cancelled)."""
    message = expanded(text)
    with contextlib.suppress(ConnectionClosed):
        while True:
            await asyncio.sleep(every)
            await connection.send(message)
