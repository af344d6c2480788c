"""The fixed panel kinds' own layout tables, as panel options and back.

A layout keeps the cards in ``[[cards]]``, the charts in ``[[charts]]``, the log's filter
and columns in ``[log]``, and the alert rules and conventions in ``[[rules]]`` and
``[alerts]``, as layouts always did. Each fixed kind declares a
:class:`~dashboard.core.panels.panelkind.LayoutTables` from here, so the window shows a
layout and takes it back by looping over the kinds, without naming any of them.
"""

from __future__ import annotations

from typing import Any

from dashboard.core.layouts.layoutfile import Layout, LogSettings
from dashboard.core.panels.panelkind import LayoutTables, Options

__all__ = ["ALERTS", "CARDS", "CHARTS", "LOG"]


def _first(options: list[Options]) -> Options:
    return options[0] if options else {}


def _cards(layout: Layout) -> list[Options]:
    return [{"cards": tuple(layout.cards)}]


def _cards_back(options: list[Options]) -> dict[str, Any]:
    return {"cards": list(_first(options).get("cards", ()))}


def _charts(layout: Layout) -> list[Options]:
    return [{"chart": spec} for spec in layout.charts]


def _charts_back(options: list[Options]) -> dict[str, Any]:
    return {"charts": [o["chart"] for o in options]}


def _log(layout: Layout) -> list[Options]:
    """Nothing when ``[log]`` is empty: the log keeps the columns it remembered, unless
    the layout is a whole file (see the window's apply)."""
    if not (layout.log.columns or layout.log.filter):
        return []
    return [{"filter": layout.log.filter, "columns": layout.log.columns}]


def _log_back(options: list[Options]) -> dict[str, Any]:
    log = _first(options)
    return {"log": LogSettings(log.get("filter", ""), tuple(log.get("columns", ())))}


def _alerts(layout: Layout) -> list[Options]:
    return [{"rules": [dict(r) for r in layout.rules], "alerts": layout.alerts}]


def _alerts_back(options: list[Options]) -> dict[str, Any]:
    alerts = _first(options)
    back = {"rules": [dict(r) for r in alerts.get("rules", ())]}
    return back | ({"alerts": alerts["alerts"]} if "alerts" in alerts else {})


CARDS = LayoutTables(_cards, _cards_back)
CHARTS = LayoutTables(_charts, _charts_back)
LOG = LayoutTables(_log, _log_back)
ALERTS = LayoutTables(_alerts, _alerts_back)
