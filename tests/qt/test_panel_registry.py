"""Panels as a registry: a panel kind brought by a module of its own (tests/toy_panel.py)
is in the View menu, loads from a ``[[panels]]`` table with the layout's errors, saves back
as it was written, and is rebuilt when a replay seeks; every layout in the repository
loads; the built-in panels are built, fed and reset through the same registry."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

from dashboard.core.events.event import Rejected
from dashboard.core.layouts import layoutfile as layouts
from dashboard.core.layouts.layoutfile import LayoutError, loads
from dashboard.core.panels.panelkind import PanelKind, PanelKinds
from dashboard.sources.recording import open_recording
from dashboard.sources.registry import KINDS
from dashboard.ui.app import Dashboard, Workspace
from dashboard.ui.panels.registry import PANELS, PanelContext
from tests.qt.test_replay_window import _recording, settle
from tests.toy_panel import toy_panels
from tests.unit.factories import make_event

ROOT = Path(__file__).resolve().parents[2]
TOY_LAYOUT = """\
version = 1

[[panels]]
kind = "toy-counter"
label = "CPU reports"
event_type = "metrics.update"
digits = 5
"""


@pytest.fixture
def toys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PanelKinds:
    return toy_panels(tmp_path, monkeypatch)


def _menu(menu_bar_or_menu: Any, text: str) -> QMenu:
    for action in menu_bar_or_menu.actions():
        if action.menu() is not None and action.text().replace("&", "") == text:
            return action.menu()
    raise AssertionError(f"no menu {text!r}")


def test_a_toy_kind_is_in_the_view_menu_and_adds_its_panel(
    qtbot: Any, settings: QSettings, toys: PanelKinds
) -> None:
    window = Dashboard([], settings=settings, panels=toys).window
    qtbot.addWidget(window)
    add = _menu(_menu(window.menuBar(), "View"), "Add a panel")
    assert [a.text() for a in add.actions()] == ["Toy counter"]
    assert add.actions()[0].toolTip() == "counts the events of one type"
    add.actions()[0].trigger()
    [(kind, panel)] = window.docks.panels
    assert kind == "toy-counter"
    assert panel.text() == "Events: 0"
    assert panel.parentWidget().objectName() == "panel-toy-counter-0"
    saved = tomllib.loads(layouts.dumps(window.current_layout(), KINDS, toys))
    assert saved["panels"] == [{"kind": "toy-counter"}]  # its options are the defaults


def test_the_built_in_window_offers_no_kind_it_always_shows(
    qtbot: Any, settings: QSettings
) -> None:
    window = Dashboard([], settings=settings).window
    qtbot.addWidget(window)
    view = _menu(window.menuBar(), "View")
    assert "Add a panel" not in [a.text().replace("&", "") for a in view.actions()]
    assert [k.name for k in PANELS] == [
        "log", "cards", "chart", "fields", "alerts", "rejected", "connections", "silences",
        "histogram", "detail",
    ]  # fmt: skip


def test_a_panels_table_loads_and_saves_back_identically(
    qtbot: Any, settings: QSettings, toys: PanelKinds
) -> None:
    layout = loads(TOY_LAYOUT, "toy.toml", KINDS, toys)
    assert [(p.kind, dict(p.options)) for p in layout.panels] == [
        ("toy-counter", {"label": "CPU reports", "event_type": "metrics.update", "digits": 5})
    ]
    window = Dashboard([], settings=settings, layout=layout, panels=toys).window
    qtbot.addWidget(window)
    [(_kind, panel)] = window.docks.panels
    assert panel.text() == "CPU reports: 0"
    again = layouts.dumps(window.current_layout(), KINDS, toys)
    assert tomllib.loads(again)["panels"] == tomllib.loads(TOY_LAYOUT)["panels"]
    assert loads(again, "again.toml", KINDS, toys).panels == layout.panels


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            TOY_LAYOUT + "colour = 'red'\n",
            "toy.toml: line 8: panels[1]: unknown key 'colour' "
            "(known: kind, label, event_type, digits)",
        ),
        (
            TOY_LAYOUT.replace("digits = 5", "digits = 'five'"),
            "toy.toml: line 3: panels[1]: digits: expected a whole number, got 'five'",
        ),
        (
            TOY_LAYOUT.replace("digits = 5", "digits = 0"),
            "toy.toml: line 3: panels[1]: digits: expected 1 or more, got 0",
        ),
        (
            "[[panels]]\nkind = 'gauge'\n",
            "toy.toml: line 1: panels[1]: kind: no panel kind 'gauge' (there are: toy-counter)",
        ),
        (
            "[[panels]]\nkind = 'cards'\n",
            "toy.toml: line 1: panels[1]: kind: the Cards panel is always there, not a "
            "[[panels]] table; its settings are the layout's [[cards]] (a [[panels]] table "
            "may be: toy-counter)",
        ),
        ("[[panels]]\nlabel = 'x'\n", "toy.toml: line 1: panels[1]: kind: say which kind"),
    ],
)
def test_a_wrong_panels_table_is_refused_at_its_line(
    text: str, message: str, toys: PanelKinds
) -> None:
    with pytest.raises(LayoutError) as caught:
        loads(text, "toy.toml", KINDS, toys)
    assert str(caught.value).startswith(message)


def test_without_the_panel_kinds_a_headless_reader_keeps_the_table(toys: PanelKinds) -> None:
    """`dashboard record --layout` builds no panel: the table is kept as written."""
    layout = loads(TOY_LAYOUT, "toy.toml", KINDS)
    assert [(p.kind, dict(p.options)) for p in layout.panels] == [
        ("toy-counter", {"label": "CPU reports", "event_type": "metrics.update", "digits": 5})
    ]


@pytest.fixture
def toy_replay(
    qt_loop: Any,
    qtbot: Any,
    tmp_path: Path,
    settings: QSettings,
    run_on_loop: Any,
    toys: PanelKinds,
) -> Iterator[Dashboard]:
    path = tmp_path / "incident.jsonl"
    _recording(path)  # 100 CPU reports (metrics.update), report 50 an alert
    dash = Dashboard(
        [],
        settings=settings,
        replay=open_recording(path),
        speed=None,
        tick_ms=10,
        layout=loads(TOY_LAYOUT, "toy.toml", KINDS, toys),
        panels=toys,
    )
    assert dash.player is not None
    dash.player.playing = False
    qtbot.addWidget(dash.window)
    dash.start()
    yield dash
    run_on_loop(dash.aclose())


def test_the_toy_panel_is_rebuilt_when_a_replay_seeks(qtbot: Any, toy_replay: Dashboard) -> None:
    dash, player = toy_replay, toy_replay.player
    assert player is not None
    [(_kind, panel)] = dash.window.docks.panels
    player.seek(60)
    settle(qtbot, dash, 60)
    assert (panel.count, panel.text()) == (59, "CPU reports: 59")  # report 50 is the alert
    player.seek(20)  # back: everything is reset and folded again from the start
    settle(qtbot, dash, 20)
    assert (panel.count, panel.text()) == (20, "CPU reports: 20")


def _readme_layouts() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)


def test_every_layout_in_the_repository_loads(toys: PanelKinds) -> None:
    files = sorted((ROOT / "resources" / "layouts").glob("*.toml"))
    files += sorted((ROOT / "docs").glob("*.toml"))
    assert len(files) >= 3
    for path in files:
        layouts.load(path, KINDS, PANELS)
    examples = _readme_layouts()
    assert len(examples) >= 5
    for number, text in enumerate(examples, 1):  # the README's plugin example is the toy
        loads(text, f"README.md example {number}", KINDS, toys)


def test_a_replay_opened_from_the_window_shows_its_plugin_panels(
    qt_loop: Any,
    qtbot: Any,
    tmp_path: Path,
    settings: QSettings,
    run_on_loop: Any,
    toys: PanelKinds,
) -> None:
    layout = loads(TOY_LAYOUT, "toy.toml", KINDS, toys)
    workspace = Workspace([], settings=settings, layout=layout, panels=toys)
    qtbot.addWidget(workspace.live.window)
    path = tmp_path / "incident.jsonl"
    _recording(path)
    replay = run_on_loop(workspace.open(path, speed=None))
    assert replay is not None and replay.player is not None
    player = replay.player
    qtbot.waitUntil(lambda: player.at_end and not player.playing, timeout=10_000)
    replay.bus.flush()
    [(kind, panel)] = replay.window.docks.panels
    assert (kind, panel.count) == ("toy-counter", 99)  # report 50 is the alert
    run_on_loop(workspace.aclose())


def _recording_kinds(calls: list[tuple[str, str]]) -> PanelKinds:
    """The built-in registry with every kind's factory wrapped: each panel built is noted,
    and so is every tick's events, rejected frames and reset that reaches it."""

    def wrap(kind: PanelKind) -> PanelKind:
        def build(context: PanelContext, options: dict[str, Any]) -> Any:
            panel = kind.widget(context, options)
            calls.append((kind.name, "built"))
            for method in ("add_events", "add_rejected", "reset"):
                original = getattr(panel, method, None)
                if original is not None:
                    setattr(panel, method, _noting(calls, kind.name, method, original))
            return panel

        return dataclasses.replace(kind, widget=build)

    return PanelKinds([wrap(kind) for kind in PANELS])


def _noting(calls: list[tuple[str, str]], name: str, method: str, original: Any) -> Any:
    def noted(*args: Any) -> Any:
        calls.append((name, method))
        return original(*args)

    return noted


def test_the_window_builds_feeds_and_resets_every_built_in_panel_through_the_registry(
    qtbot: Any, settings: QSettings
) -> None:
    calls: list[tuple[str, str]] = []
    kinds = _recording_kinds(calls)
    layout = loads(
        "version = 1\n[[charts]]\ntitle = 'A'\n[[charts.series]]\nfield = 'n'\n"
        "[[charts]]\ntitle = 'B'\n[[charts.series]]\nfield = 'n'\n",
        "two-charts.toml",
        KINDS,
        kinds,
    )
    dash = Dashboard([], settings=settings, layout=layout, panels=kinds)
    window = dash.window
    qtbot.addWidget(window)
    once = [k.name for k in PANELS if k.fixed and not k.many]
    assert sorted(n for n, what in calls if what == "built") == sorted([*once, "chart", "chart"])
    # Those shown in the log are built first: the log is built with them.
    built = [n for n, what in calls if what == "built"]
    assert built[:3] == ["histogram", "detail", "log"]
    # One list, the kinds held once in the registry's order, then the layout's charts.
    assert [k.name for k, _p in window.host.panels] == [*once, "chart", "chart"]
    assert [k for k, _p in window.host.panels] == [*(k for k in kinds if k.held_once), *[
        kinds.named("chart")] * 2]  # fmt: skip
    assert window.cards is window.host.first("cards")
    assert window.log_panel is window.host.first("log")
    assert window.log_panel.histogram is window.host.first("histogram")
    assert window.log_panel.detail is window.host.first("detail")
    assert [c.spec.title for c in window.charts] == ["A", "B"]
    assert [d.objectName() for d in window.docks.fixed_docks] == ["cards", "fields", "alerts"]
    # The View menu shows and hides them, in the registry's order.
    toggles = [a for a in _menu(window.menuBar(), "View").actions() if a.isCheckable()][:3]
    assert [(a.text(), a.shortcut().toString()) for a in toggles] == [
        ("Cards", "Ctrl+1"),
        ("Fields", "Ctrl+2"),
        ("Alerts", "Ctrl+3"),
    ]

    calls.clear()
    dash.store.extend([make_event(data={"n": n}) for n in range(3)])
    dash.store.extend([Rejected("not JSON", b"{", 0.0, "feed")])
    dash.bus.flush()
    fed = {name for name, what in calls if what == "add_events"}
    assert fed == {"cards", "fields", "chart"}  # (the log reads the store on its turn)
    assert [name for name, what in calls if what == "add_rejected"] == ["rejected"]
    assert window.side_tabs.tabText(1) == "Rejected (1)"
    calls.clear()
    window.reset_view()
    reset = [name for name, what in calls if what == "reset"]
    assert reset == ["log", "cards", "fields", "alerts", "rejected", "chart", "chart"]
    assert window.side_tabs.tabText(1) == "Rejected"


def test_a_layout_goes_through_each_fixed_kinds_tables_and_comes_back_the_same(
    qtbot: Any, settings: QSettings
) -> None:
    demo = layouts.builtin("demo", KINDS, PANELS)
    demo.log = layouts.LogSettings("severity>=warning", ("data.host",))
    window = Dashboard([], settings=settings, layout=demo).window
    qtbot.addWidget(window)
    assert window.host.first("cards").options() == {"cards": tuple(demo.cards)}
    assert window.host.first("log").options() == {
        "filter": "severity>=warning",
        "columns": ("data.host",),
    }
    again = window.current_layout()
    assert (again.cards, again.charts, again.rules, again.alerts, again.log) == (
        demo.cards,
        demo.charts,
        demo.rules,
        demo.alerts,
        demo.log,
    )
