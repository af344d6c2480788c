"""Secrets taken out of text that leaves the app (crash reports, logs): credentials in
headers, tokens and URLs are replaced by a mask, whatever else the text says."""

from __future__ import annotations

import re

MASK = "••••"

_RULES = (
    # Authorization: Bearer abc / Basic abc (in a header dump, a repr, a log line)
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{4,}"), rf"\1\2{MASK}"),
    # a URL's password: scheme://user:secret@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*):[^\s@/]+@"), rf"\1:{MASK}@"),
    # name = value / name: value / 'name': 'value' for names that hold secrets
    (
        re.compile(
            r"""(?ix)
            (["']?\b[\w-]*(?:authorization|password|passwd|secret|token|api[-_]?key)[\w-]*["']?
            \s*[:=]\s*)
            (["']?)(?!••••|(?:bearer|basic)\s)[^\s"',}]+"""
        ),
        rf"\1\2{MASK}",
    ),
)


def redact(text: str) -> str:
    """*text* with every credential it shows masked."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
