"""Where a panel sits is its kind's ``place``, when it is built and after View → Reset the
arrangement (``Docks.arrange``); the registry refuses a place a kind held many times cannot
take, and the window a registry without its built-in kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from dashboard.core.layouts.layoutfile import loads
from dashboard.core.panels.panelkind import PanelKind, PanelKinds
from dashboard.sources.registry import KINDS
from dashboard.ui.app import Dashboard
from dashboard.ui.docking import dock_of
from dashboard.ui.panels.registry import PANELS
from tests.toy_panel import toy_panels

TOP = Qt.DockWidgetArea.TopDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
LAYOUT = """\
version = 1

[[cards]]
title = "Events"
type = "metrics.update"
show = "count"

[[charts]]
title = "A"
[[charts.series]]
field = "n"

[[panels]]
kind = "toy-counter"
"""


@pytest.mark.parametrize(("place", "area"), [("under-top", TOP), ("right", RIGHT)])
def test_an_added_kind_sits_where_it_says_and_stays_there_after_a_reset(
    qtbot: Any,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    place: str,
    area: Qt.DockWidgetArea,
) -> None:
    toys = toy_panels(tmp_path, monkeypatch, place)
    assert toys.named("toy-counter").place == place
    layout = loads(LAYOUT, "toy.toml", KINDS, toys)
    window = Dashboard([], settings=settings, layout=layout, panels=toys).window
    qtbot.addWidget(window)
    [(_kind, panel)] = window.docks.panels
    dock, chart = dock_of(panel), dock_of(window.chart)
    for _when in ("built", "reset"):
        assert window.dockWidgetArea(dock) == area
        assert window.dockWidgetArea(chart) == TOP
        assert window.tabifiedDockWidgets(dock) == []  # beside the chart, not behind it
        assert not dock.isHidden()
        window.docks.arrange()
    # A chart added later stands beside the panel under the cards, the panel stays put.
    window.requests.add_chart_for("metrics.update", "data.n")
    window.docks.arrange()
    assert window.dockWidgetArea(dock) == area
    assert len(window.charts) == 2


@pytest.mark.parametrize("place", ["top", "middle", "side-tab", "in-log"])
def test_the_registry_refuses_a_place_an_added_kind_cannot_take(place: str) -> None:
    kind = PanelKind(name="gauge", title="Gauge", place=place)
    with pytest.raises(ValueError) as caught:
        PANELS.adding(kind)
    assert str(caught.value) == (
        f"panel kind 'gauge': a [[panels]] kind cannot be placed {place!r}"
        " (it may be placed: under-top, right)"
    )


def test_the_registry_refuses_a_kind_held_many_times_in_the_middle() -> None:
    kind = PanelKind(name="gauges", title="Gauges", fixed=True, many=True, place="middle")
    with pytest.raises(ValueError, match="'gauges': a kind held many times cannot be placed"):
        PanelKinds([kind])


def test_the_window_refuses_a_registry_without_a_built_in_kind(
    qtbot: Any, settings: QSettings
) -> None:
    kinds = PanelKinds(k for k in PANELS if k.name not in ("silences", "detail"))
    with pytest.raises(ValueError) as caught:
        Dashboard([], settings=settings, panels=kinds)
    assert str(caught.value) == (
        "the window's panel kinds lack the built-in 'silences', 'detail': the window holds"
        " every built-in panel; make the registry with PANELS.adding(kind, ...)"
    )
