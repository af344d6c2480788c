"""The window meets queries and layouts past their bounds: a mistake shown where the user
looks (under the filter box, in the layout message), never a traceback, nothing changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from dashboard.core.layouts.layoutfile import builtin
from dashboard.ui.app import Dashboard

TOO_DEEP = (
    "column 65: nested too deeply: at most 64 levels of '(', NOT and '-' may hold one another"
)


def _window(qtbot: Any, settings: QSettings) -> Dashboard:
    dash = Dashboard([], settings=settings, layout=builtin("demo"))
    qtbot.addWidget(dash.window)
    return dash


def test_the_filter_box_shows_a_query_past_the_bounds_and_keeps_the_filter(
    qtbot: Any, settings: QSettings
) -> None:
    panel = _window(qtbot, settings).window.log_panel
    assert panel.set_filter("type:order.*")
    assert not panel.set_filter("(" * 1000 + "a" + ")" * 1000)
    assert panel.filter_error.text() == (
        f"⚠ {TOO_DEEP} (the filter in force is still: type:order.*)"
    )
    assert not panel.set_filter("NOT " * 500 + "a")
    assert not panel.set_filter("a " * 6000)
    assert panel.filter_error.text() == (
        "⚠ column 10001: too long: 12,000 characters, and a query holds at most 10,000 "
        "(the filter in force is still: type:order.*)"
    )
    assert panel.model.query.text == "type:order.*"


def test_filtering_on_a_value_too_long_for_a_query_says_so(qtbot: Any, settings: QSettings) -> None:
    panel = _window(qtbot, settings).window.log_panel
    panel.filter_on("data.note", "x" * 20_000, exclude=False)
    assert panel.filter_error.text() == (
        "⚠ the value is too long to filter on (a query holds at most 10,000 characters)"
    )
    assert panel.model.query.text == ""  # nothing applied


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[cards]]\nfield = 'cpu'\nquery = '" + "(" * 400 + "cpu>1" + ")" * 400 + "'\n",
            f"line 1: cards[1]: query: {TOO_DEEP}",
        ),
        (
            "title = 'x'\nlog = " + "{ a = " * 1000 + "1" + " }" * 1000,
            "line 2, column 103: nested too deeply: at most 16 levels of tables, arrays and "
            "dotted keys",
        ),
        (
            "[[charts]]\n[[charts.series]]\nfield = 'cpu'\n" * 2000,
            "line 151: charts: 2,000 of them, and a layout holds at most 50",
        ),
    ],
)
def test_a_layout_past_the_bounds_is_named_and_changes_nothing(
    qtbot: Any,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    message: str,
) -> None:
    window = _window(qtbot, settings).window
    was = window.current_layout()
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: said.append(text))
    path = tmp_path / "big.toml"
    path.write_text(text, encoding="utf-8")
    assert not window.open_layout(path)
    assert said == [f"{path}: {message}"]
    now = window.current_layout()
    assert (now.cards, now.charts, now.rules) == (was.cards, was.charts, was.rules)


def test_the_most_charts_a_layout_holds_stay_within_the_screen_four_side_by_side(
    qtbot: Any, settings: QSettings
) -> None:
    """50 charts side by side made a window 9,000 pixels wide, every title cut to nothing:
    four stand side by side, each further one a tab of the one it would stand under."""
    from dashboard.core.layouts.layoutfile import loads
    from dashboard.ui.docking import CHARTS_SIDE_BY_SIDE, dock_of

    chart = "[[charts]]\ntitle = 'Chart {n}'\n[[charts.series]]\ntype = 't'\nfield = 'v'\n"
    layout = loads("".join(chart.format(n=n) for n in range(50)), "fifty.toml")
    window = Dashboard([], settings=settings, layout=layout).window
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    docks = [dock_of(c) for c in window.charts]
    assert len(docks) == 50 and CHARTS_SIDE_BY_SIDE == 4
    for index, dock in enumerate(docks[CHARTS_SIDE_BY_SIDE:], CHARTS_SIDE_BY_SIDE):
        column = docks[index % CHARTS_SIDE_BY_SIDE]
        assert dock in window.tabifiedDockWidgets(column), dock.windowTitle()
    front = docks[:CHARTS_SIDE_BY_SIDE]
    assert all(not d.visibleRegion().isEmpty() for d in front)
    assert all(d.visibleRegion().isEmpty() for d in docks[CHARTS_SIDE_BY_SIDE:])
    assert window.width() <= 1366
    assert sorted(d.geometry().left() for d in front) == [d.geometry().left() for d in front]
    assert all(d.width() >= 250 for d in front)  # a title bar with room for its title
