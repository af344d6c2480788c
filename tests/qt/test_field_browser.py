"""The field browser: the tree follows the events, and the operator's actions become signals."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication

from dashboard.core.panels.fieldcatalog import COUNT_EVERY_S, COUNT_LIMIT, MAX_PATHS
from dashboard.ui.panels.fields import (
    MIME_FIELD,
    REFRESH_S,
    FieldBrowser,
    field_from_mime,
    field_mime,
)
from tests.unit.factories import make_event

METRICS = {"host": "web-1", "cpu": 41.5, "memory": 2048, "requests": 120, "errors": 1}
ORDER = {
    "order_id": "o-1",
    "amount": 99.5,
    "items": [{"sku": "A", "qty": 2}],
    "customer": {"id": "c-9", "tier": "gold"},
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _browser(qtbot: Any, clock: Clock | None = None) -> FieldBrowser:
    browser = FieldBrowser(clock or Clock())
    qtbot.addWidget(browser)
    browser.resize(700, 400)
    return browser


def _loaded(qtbot: Any) -> FieldBrowser:
    browser = _browser(qtbot)
    browser.add_events([make_event("metrics.update", METRICS), make_event("order.created", ORDER)])
    assert browser.take_turn() == REFRESH_S
    assert browser.proxy.rowCount() == 2
    return browser


def _shown(browser: FieldBrowser) -> dict[str, list[str]]:
    """The view's types, each with its field paths, in the order shown."""
    proxy = browser.proxy
    tree = {}
    for row in range(proxy.rowCount()):
        parent = proxy.index(row, 0)
        tree[parent.data(Qt.ItemDataRole.DisplayRole)] = [
            proxy.index(r, 0, parent).data() for r in range(proxy.rowCount(parent))
        ]
    return tree


def _cell(browser: FieldBrowser, event_type: str, path: str | None, column: int) -> str:
    index = browser.index_of(event_type, path)
    return index.siblingAtColumn(column).data()


def test_the_tree_shows_types_and_paths(qtbot: Any, qtmodeltester: Any) -> None:
    browser = _loaded(qtbot)
    assert _shown(browser) == {
        "metrics.update": ["cpu", "errors", "host", "memory", "requests"],
        "order.created": [
            "amount",
            "customer",
            "customer.id",
            "customer.tier",
            "items",
            "items.0",
            "items.0.qty",
            "items.0.sku",
            "order_id",
        ],
    }
    assert _cell(browser, "metrics.update", "cpu", 1) == "number"
    assert _cell(browser, "metrics.update", "cpu", 2) == "41.5"
    assert _cell(browser, "metrics.update", "host", 2) == "web-1"
    assert _cell(browser, "order.created", "items", 2) == "[1 item]"
    assert _cell(browser, "metrics.update", "cpu", 3) == "100 %"
    assert _cell(browser, "metrics.update", None, 2) == "1 event"
    assert _cell(browser, "metrics.update", None, 3).endswith("/s")
    assert browser.status.text() == "2 types · 14 fields"
    assert browser.view.isExpanded(browser.index_of("metrics.update"))
    qtmodeltester.check(browser.model)


def test_values_update_in_place_and_new_paths_come_in(qtbot: Any) -> None:
    browser = _loaded(qtbot)
    browser.view.collapse(browser.index_of("order.created"))
    browser.view.setCurrentIndex(browser.index_of("metrics.update", "cpu"))
    browser.add_events([make_event("metrics.update", {**METRICS, "cpu": 77.0, "disk": 0.5})])
    assert browser.take_turn() == REFRESH_S
    assert browser.index_of("metrics.update", "disk").isValid()
    assert _cell(browser, "metrics.update", "cpu", 2) == "77.0"
    assert _cell(browser, "metrics.update", "disk", 3) == "50 %"  # in one of the two
    # The tree was not rebuilt: the selection and the collapsed type stay as they were.
    assert browser.view.currentIndex() == browser.index_of("metrics.update", "cpu")
    assert not browser.view.isExpanded(browser.index_of("order.created"))
    assert browser.status.text() == "2 types · 15 fields"


def test_hostile_values_are_one_short_line(qtbot: Any) -> None:
    browser = _browser(qtbot)
    browser.add_events([make_event("t", {"note": "<b>bold</b>\nsecond line " + "x" * 500})])
    assert browser.take_turn() == REFRESH_S
    assert browser.index_of("t", "note").isValid()
    text = _cell(browser, "t", "note", 2)
    assert "\n" not in text and len(text) <= 80 and text.startswith("<b>bold</b> second")


def test_double_click_on_a_number_asks_for_a_card(qtbot: Any) -> None:
    browser = _loaded(qtbot)
    index = browser.index_of("metrics.update", "cpu")
    with qtbot.waitSignal(browser.card_requested, timeout=2000) as blocker:
        browser.view.doubleClicked.emit(index)
    assert blocker.args == ["metrics.update", "cpu"]
    with qtbot.assertNotEmitted(browser.card_requested):
        browser.view.doubleClicked.emit(browser.index_of("metrics.update", "host"))


def _actions(browser: FieldBrowser, event_type: str, path: str | None) -> dict[str, Any]:
    return {a.text(): a for a in browser.actions_for(browser.index_of(event_type, path))}


def test_menu_of_a_numeric_field(qtbot: Any) -> None:
    browser = _loaded(qtbot)
    actions = _actions(browser, "metrics.update", "cpu")
    assert list(actions) == [
        "Add as card",
        "Add as chart series",
        "Add as series on a new chart",
        "Copy path",
        "Filter the log to this type",
    ]
    for text, signal in (
        ("Add as card", browser.card_requested),
        ("Add as chart series", browser.series_requested),
        ("Add as series on a new chart", browser.new_chart_requested),
    ):
        with qtbot.waitSignal(signal, timeout=2000) as blocker:
            actions[text].trigger()
        assert blocker.args == ["metrics.update", "cpu"]
    with qtbot.waitSignal(browser.filter_requested, timeout=2000) as blocker:
        actions["Filter the log to this type"].trigger()
    assert blocker.args == ["type=metrics.update"]
    actions["Copy path"].trigger()
    assert QGuiApplication.clipboard().text() == "cpu"


def test_menu_of_other_rows(qtbot: Any) -> None:
    browser = _loaded(qtbot)
    text = _actions(browser, "order.created", "customer.tier")
    assert list(text) == ["Add as card", "Copy path", "Filter the log to this type"]
    with qtbot.waitSignal(browser.card_requested, timeout=2000) as blocker:
        text["Add as card"].trigger()
    assert blocker.args == ["order.created", "customer.tier"]
    assert list(_actions(browser, "order.created", "items")) == [
        "Copy path",
        "Filter the log to this type",
    ]
    type_row = _actions(browser, "order.created", None)
    assert list(type_row) == ["Filter the log to this type"]
    with qtbot.waitSignal(browser.filter_requested, timeout=2000) as blocker:
        type_row["Filter the log to this type"].trigger()
    assert blocker.args == ["type=order.created"]
    assert browser.actions_for(QModelIndex()) == []


def test_the_filter_hides_rows_that_do_not_match(qtbot: Any) -> None:
    browser = _loaded(qtbot)
    browser.filter_edit.setText("CUSTOMER")
    assert _shown(browser) == {"order.created": ["customer", "customer.id", "customer.tier"]}
    browser.filter_edit.setText("metrics")  # a matching type shows all its fields
    assert _shown(browser) == {"metrics.update": ["cpu", "errors", "host", "memory", "requests"]}
    browser.filter_edit.setText("nothing like it")
    assert _shown(browser) == {}
    browser.filter_edit.clear()
    assert len(_shown(browser)) == 2


def test_too_many_types_are_counted_under_the_tree(qtbot: Any) -> None:
    browser = _browser(qtbot)
    browser.add_events([make_event(f"type.{i}", {"v": i}) for i in range(217)])
    assert browser.take_turn() == REFRESH_S
    assert browser.proxy.rowCount() == 200
    assert browser.status.text() == "200 types · 200 fields (17 types not shown: too many)"


def test_the_tree_takes_turns_until_the_rates_fall_to_zero(qtbot: Any) -> None:
    clock = Clock()
    browser = _browser(qtbot, clock)
    assert browser.take_turn() is None  # nothing came: the turn passes
    browser.add_events([make_event("t", {"v": 1})])
    assert browser.take_turn() == REFRESH_S
    assert browser.proxy.rowCount() == 1
    assert browser.take_turn() == REFRESH_S  # nothing new, but the rate still has to fall
    assert _cell(browser, "t", None, 3) != "0.0/s"
    clock.now += 60
    assert browser.take_turn() == REFRESH_S
    assert _cell(browser, "t", None, 3) == "0.0/s"
    assert browser.take_turn() is None


def test_reset_empties_it(qtbot: Any) -> None:
    browser = _loaded(qtbot)
    browser.reset()
    assert browser.proxy.rowCount() == 0
    assert browser.catalog.types() == []
    assert browser.status.text() == "0 types · 0 fields"
    browser.add_events([make_event("metrics.update", METRICS)])
    assert browser.take_turn() == REFRESH_S
    assert browser.proxy.rowCount() == 1


def test_mime_round_trip(qtbot: Any) -> None:
    mime = field_mime("order.created", "items.0.qty")
    assert mime.hasFormat(MIME_FIELD)
    assert field_from_mime(mime) == ("order.created", "items.0.qty")
    assert field_from_mime(QMimeData()) is None
    # What a drag from the tree carries.
    browser = _loaded(qtbot)
    index = browser.index_of("metrics.update", "cpu")
    assert browser.proxy.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    assert field_from_mime(browser.proxy.mimeData([index])) == ("metrics.update", "cpu")
    assert not browser.proxy.flags(browser.index_of("metrics.update")) & (
        Qt.ItemFlag.ItemIsDragEnabled
    )


def test_fields_left_out_of_a_wide_type_are_counted_under_the_tree(qtbot: Any) -> None:
    clock = Clock()
    browser = _browser(qtbot, clock)
    browser.add_events([make_event("order.placed", {f"k{i}": i for i in range(50_000)})])
    browser.add_events([make_event("metrics.update", METRICS)])
    assert browser.take_turn() == REFRESH_S
    assert len(_shown(browser)["order.placed"]) == MAX_PATHS
    assert browser.status.text() == (
        "2 types · 305 fields; showing the first 300 fields of order.placed; its newest "
        "event has 50,000"
    )
    tip = browser.index_of("order.placed").data(Qt.ItemDataRole.ToolTipRole)
    assert "\nShowing the first 300 fields of order.placed; its newest event has 50,000" in tip
    # Another wide type; then newer events of fewer (other) paths, counted a second later.
    clock.now += COUNT_EVERY_S
    browser.add_events([make_event("inventory", {f"s{i}": i for i in range(COUNT_LIMIT + 1)})])
    browser.add_events([make_event("order.placed", {f"new{i}": i for i in range(20)})])
    browser.refresh()
    assert browser.status.text() == (
        "3 types · 605 fields; showing the first 300 fields of order.placed; more were "
        "left out (and 1 other type like it)"
    )
    tip = browser.index_of("inventory").data(Qt.ItemDataRole.ToolTipRole)
    more = f"more than {COUNT_LIMIT:,}"
    assert f"\nShowing the first 300 fields of inventory; its newest event has {more}<" in tip
