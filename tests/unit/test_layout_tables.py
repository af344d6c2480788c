"""The fixed panel kinds' own layout tables as panel options and back (Qt-free): every
layout in the repository goes through them and comes back the same."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from dashboard.core.layouts.layoutfile import Layout, LogSettings, load
from dashboard.core.layouts.tables import ALERTS, CARDS, CHARTS, LOG
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.panels.panelkind import LayoutTables, PanelKind, PanelKinds
from dashboard.core.panels.series import ChartSpec
from dashboard.sources.registry import KINDS

ROOT = Path(__file__).resolve().parents[2]
TABLES = (CARDS, CHARTS, LOG, ALERTS)
LAYOUTS = sorted((ROOT / "resources" / "layouts").glob("*.toml")) + sorted(
    (ROOT / "docs").glob("*.toml")
)


def _through(tables: LayoutTables, layout: Layout) -> dict:
    return tables.write(tables.read(layout))


@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.name)
def test_every_layout_goes_through_the_tables_and_back(path: Path) -> None:
    layout = load(path, KINDS)
    fields: dict = {}
    for tables in TABLES:
        fields |= _through(tables, layout)
    assert replace(layout, **fields) == layout


def test_each_panel_of_a_kind_held_many_times_is_one_entry() -> None:
    a, b = ChartSpec("A", ()), ChartSpec("B", ())
    assert CHARTS.read(Layout(charts=[a, b])) == [{"chart": a}, {"chart": b}]
    assert CHARTS.write([{"chart": b}]) == {"charts": [b]}
    assert CHARTS.read(Layout()) == []


def test_a_layout_that_says_nothing_of_the_log_leaves_it_alone() -> None:
    assert LOG.read(Layout()) == []
    assert LOG.write([]) == {"log": LogSettings()}
    log = LogSettings("type:order.*", ("data.total",))
    assert LOG.read(Layout(log=log)) == [{"filter": "type:order.*", "columns": ("data.total",)}]
    assert LOG.write(LOG.read(Layout(log=log))) == {"log": log}


def test_rules_and_conventions_are_the_alert_panels_options() -> None:
    rules = [{"name": "hot", "when": "cpu > 90"}]
    conventions = AlertConventions(min_severity="error")
    [options] = ALERTS.read(Layout(rules=rules, alerts=conventions))
    assert options == {"rules": rules, "alerts": conventions}
    assert options["rules"] is not rules  # (a copy: the layout keeps its own)
    assert ALERTS.write([options]) == {"rules": rules, "alerts": conventions}


def test_a_kind_says_where_it_goes_and_the_kinds_held_once_put_the_log_parts_first() -> None:
    with pytest.raises(ValueError, match="no place 'left'"):
        PanelKind("gauge", "Gauge", place="left")
    kinds = PanelKinds(
        [
            PanelKind("log", "Log", fixed=True, place="middle"),
            PanelKind("chart", "Chart", fixed=True, many=True, place="under-top"),
            PanelKind("strip", "Strip", fixed=True, place="in-log"),
            PanelKind("toy", "Toy"),
        ]
    )
    assert [k.name for k in kinds.held_once()] == ["strip", "log"]
    assert kinds.named("chart").many and not kinds.named("chart").held_once
    assert [k.name for k in kinds.addable()] == ["toy"]
