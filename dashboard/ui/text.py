"""Showing untrusted text safely: never as Qt rich text."""

from __future__ import annotations

import html

from dashboard.core.events.summary import harmless


def plain_tooltip(text: str) -> str:
    """A tooltip that shows *text* literally (Qt would render tag-like text as HTML), with
    control characters and bidi overrides neutralised."""
    return "<p style='white-space:pre-wrap'>" + html.escape(harmless(text)) + "</p>"
