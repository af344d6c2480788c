"""Hostile event content, through the whole window: shown literally everywhere it appears
(log, detail pane, cards, charts, fields, alerts, notifications, tooltips, title), never
taken as markup, a link or a command."""

from __future__ import annotations

from typing import Any

import orjson
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel

from dashboard.core.events.decode import Decoder
from dashboard.core.layouts.layoutfile import loads
from dashboard.core.storage.store import EventStore
from dashboard.ui.app import Dashboard
from dashboard.ui.notify import no_markup

MARKUP = "<img src='file:///etc/passwd'><a href='https://evil.example'>click</a>"
HOSTILE = f"{MARKUP} \x1b[31mred\x1b[0m \u202eevil\u202c nul\x00here {'A' * 3000}"
LAYOUT = """
[[cards]]
title = "Status"
type = "alert.disk"
field = "message"

[[charts]]
title = "By source"
[[charts.series]]
type = "alert.disk"
field = "used"
split_by = "source"

[[rules]]
name = "Disk"
when = "type:alert.disk"
condition = "used > 90"
group_by = "source"
message = "disk on {source}: {data.message}"
"""


def hostile_events(store: EventStore) -> None:
    decoder = Decoder("evil")
    store.register(decoder)
    frames = [
        {"type": "alert.disk", "source": HOSTILE, "severity": "critical",
         "message": HOSTILE, "used": 97, HOSTILE[:40]: HOSTILE},
        {"type": "alert.disk", "source": "web-1", "severity": "critical",
         "message": HOSTILE, "used": 99},
    ]  # fmt: skip
    store.extend(
        decoder.decode(orjson.dumps(f), received=1_000.0 + i) for i, f in enumerate(frames)
    )


def texts_shown(window: Any) -> list[tuple[str, Any]]:
    """Every piece of text the window shows: labels, item views' cells and tooltips, and
    widget tooltips; with what shows it."""
    shown: list[tuple[str, Any]] = [(window.windowTitle(), window)]
    for label in window.findChildren(QLabel):
        shown.append((label.text(), label))
    for widget in window.findChildren(QAbstractItemView):
        model = widget.model()
        if model is None:
            continue
        stack = [
            (row, col, None)
            for row in range(model.rowCount())
            for col in range(model.columnCount())
        ]
        while stack:
            row, col, parent = stack.pop()
            index = model.index(row, col) if parent is None else model.index(row, col, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if isinstance(value, str):
                    shown.append((value, (widget, role)))
            if col == 0:
                stack += [(r, c, index) for r in range(model.rowCount(index))
                          for c in range(model.columnCount(index))]  # fmt: skip
    for widget in window.findChildren(object):
        tip = getattr(widget, "toolTip", None)
        if callable(tip) and isinstance(tip(), str):
            shown.append((tip(), widget))
    return shown


def test_hostile_content_is_shown_literally_everywhere(qtbot: Any, settings: QSettings) -> None:
    dash = Dashboard([], settings=settings, layout=loads(LAYOUT), tick_ms=10)
    window = dash.window
    qtbot.addWidget(window)
    window.show()
    hostile_events(dash.store)
    window.refresh_now()
    window.fields.refresh()
    window.log_view.selectRow(0)  # the detail pane shows the first event whole
    qtbot.waitUntil(lambda: window.alerts.model.rowCount() >= 2)
    shown = texts_shown(window)
    assert any("evil.example" in text for text, _ in shown), "the content is on screen"
    for text, where in shown:
        if "<img" not in text and "<a href" not in text:
            continue
        # Raw markup may only sit in a plain-text label or a plain item view cell.
        if isinstance(where, QLabel):
            assert where.textFormat() == Qt.TextFormat.PlainText, where
            assert not where.openExternalLinks()
        elif isinstance(where, tuple):
            assert where[1] == Qt.ItemDataRole.DisplayRole, (where, text[:80])
        else:
            raise AssertionError(f"markup in a tooltip or title of {where!r}: {text[:80]!r}")
    for text, _where in shown:
        assert "\x00" not in text and "\x1b" not in text  # control characters neutralised
    shown_notices = window.notifier.shown
    assert shown_notices, "a critical alert notifies"
    for notice in shown_notices:
        assert "<" not in no_markup(notice.text) and "\x00" not in no_markup(notice.text)
