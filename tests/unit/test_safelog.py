"""The logging boundary: what any logger writes leaves redacted and inert."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from dashboard import LOG_FORMAT
from dashboard.core.text.redact import MASK, mark_secret
from dashboard.core.text.safelog import LOG_MESSAGE_LIMIT, SafeLogFilter


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A library's logger (propagation off) writing through a handler with the filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SafeLogFilter())
    logger = logging.getLogger("websockets.client.test-safelog")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_percent_arguments_are_redacted_once_formatted(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = written
    mark_secret("env-5ecret-for-safelog")
    logger.debug("> %s: %s", "Authorization", "Bearer tok_abcdef123")
    logger.debug("> %s: %s", "X-Env", "env-5ecret-for-safelog")
    logger.info('HTTP Request: %s %s "%s"', "GET", "http://al:pw-123@h:1/e", "HTTP/1.1 401")
    assert stream.getvalue().splitlines() == [
        f"dashboard: websockets.client.test-safelog: > Authorization: Bearer {MASK}",
        f"dashboard: websockets.client.test-safelog: > X-Env: {MASK}",
        f"dashboard: websockets.client.test-safelog: HTTP Request: GET http://al:{MASK}@h:1/e "
        '"HTTP/1.1 401"',
    ]


def test_control_characters_are_escaped_and_long_messages_cut(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = written
    logger.warning("closed (%s)", "bye \x1b[2J\x1b]0;pwned\x07\n\u202eforged line")
    logger.warning("%s", "z" * (LOG_MESSAGE_LIMIT + 10))
    lines = stream.getvalue().splitlines()
    assert lines == [
        "dashboard: websockets.client.test-safelog: closed (bye \\x1b[2J\\x1b]0;pwned\\x07\\n"
        "\\u202eforged line)",
        "dashboard: websockets.client.test-safelog: "
        + "z" * LOG_MESSAGE_LIMIT
        + "… (10 more characters)",
    ]


def test_a_traceback_keeps_its_lines_and_loses_its_controls_and_secrets(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = written
    try:
        raise ValueError("server said \x1b[31mno\x1b[0m to Authorization: Bearer tok_abcdef123")
    except ValueError:
        logger.exception("it failed")
    text = stream.getvalue()
    assert text.startswith("dashboard: websockets.client.test-safelog: it failed\nTraceback")
    assert text.rstrip().endswith(
        f"ValueError: server said \\x1b[31mno\\x1b[0m to Authorization: Bearer {MASK}"
    )
    assert "\x1b" not in text and "tok_abcdef123" not in text
