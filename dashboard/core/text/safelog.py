"""The last line of defence at the logging boundary: every log line, ours or a library's
(httpx, httpcore, websockets, aiohttp, redis, asyncio), leaves with its credentials masked
(`dashboard.core.text.redact`) and its control characters and bidi overrides escaped
(`dashboard.core.text.inert`), however a server's words got into it.

The window, ``dashboard record``, ``dashboard feed`` and every feed process configure their
logging with `configure_logging`, which puts a `SafeLogFilter` on the root logger's
handlers. It works on the message as it will be written, ``%``-arguments applied (a
library's debug line passes the header it sends as an argument), and on the traceback.
"""

from __future__ import annotations

import logging

from dashboard import LOG_FORMAT
from dashboard.core.text.inert import inert
from dashboard.core.text.redact import redact

__all__ = ["LOG_MESSAGE_LIMIT", "TRACEBACK_LIMIT", "SafeLogFilter", "configure_logging"]

LOG_MESSAGE_LIMIT = 2_000  # characters of one log message; the rest is cut, with a note
TRACEBACK_LIMIT = 20_000  # characters of a traceback under a log message


class SafeLogFilter(logging.Filter):
    """Rewrites each record it passes: the message formatted, redacted, made inert (one
    line, at most LOG_MESSAGE_LIMIT characters); a traceback or stack redacted and made
    inert but for its line breaks. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format: logging reports it, with what it has
            return True
        record.msg = inert(redact(message), LOG_MESSAGE_LIMIT)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = inert(redact(record.exc_text), TRACEBACK_LIMIT, keep="\n")
        if record.stack_info:
            record.stack_info = inert(redact(record.stack_info), TRACEBACK_LIMIT, keep="\n")
        return True


def configure_logging(level: int) -> None:
    """Log at *level* to stderr in the app's format, through a SafeLogFilter (added once to
    each of the root logger's handlers)."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SafeLogFilter) for f in handler.filters):
            handler.addFilter(SafeLogFilter())
