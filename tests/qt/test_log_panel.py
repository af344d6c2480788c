"""The event log panel: filtering (also in steps over a big store), its mistakes, the
jump-to-latest control, histogram ranges, filter-on-value, field columns, export."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QScrollBar, QTableView

from dashboard.core.events.event import Event, Severity
from dashboard.core.lang.query import parse
from dashboard.core.panels import logrows
from dashboard.core.storage.recordformat import read_events
from dashboard.core.storage.store import EventStore
from dashboard.ui import log_model
from dashboard.ui.export import export_events
from dashboard.ui.log_model import SOURCE, SUMMARY, EventLogModel
from dashboard.ui.panels.log import DETAIL_HEIGHT, DETAIL_WIDTH, LogPanel
from dashboard.ui.panels.log_view import PAUSED_TEXT
from tests.unit.factories import make_event

HOSTS = ("web-1", "web-2", "db-1")


def _event(n: int) -> Event:
    """Every 10th a warning, every 25th an error; hosts take turns; one second apart."""
    severity = Severity.INFO
    if n % 10 == 0:
        severity = Severity.WARNING
    if n % 25 == 0:
        severity = Severity.ERROR
    kind = "order.placed" if n % 2 else "metrics.update"
    return make_event(
        kind,
        {"n": n, "host": HOSTS[n % 3], "cpu": n % 100},
        source=f"src-{n % 4}",
        severity=severity,
        time=1_000_000.0 + n,
    )


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _panel(qtbot: Any, store: EventStore, settings: QSettings) -> LogPanel:
    model = EventLogModel(store)
    panel = LogPanel(store, model, settings)
    qtbot.addWidget(panel)
    panel.resize(1000, 420)
    model.sync()
    return panel


def _shown(panel: LogPanel) -> list[int]:
    return [int(s) for s in panel.model.shown_seqs()]


def test_a_filtered_model_through_batched_inserts_and_eviction(qtmodeltester: Any) -> None:
    store = EventStore(capacity=100)
    model = EventLogModel(store)
    model.set_query(parse("severity>=warning"))
    inserted: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    model.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    store.extend(_event(n) for n in range(60))
    model.sync()
    store.extend(_event(n) for n in range(60, 150))  # evicts seqs 0..49
    model.sync()
    warnings = [n for n in range(150) if n % 10 == 0 or n % 25 == 0]
    assert inserted == [(0, 6), (1, 11)]  # 7 below 60; 11 more after the 6 below 50 went
    assert removed == [(0, 5)]
    assert [model.seq_at(r) for r in range(model.rowCount())] == warnings[6:]
    assert model.index(0, SOURCE).data() == "src-2"
    qtmodeltester.check(model)


def test_a_new_filter_over_a_big_store_is_scanned_in_steps(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logrows, "SCAN_BLOCK", 1000)
    monkeypatch.setattr(log_model, "SCAN_BUDGET_S", 0.0)  # one block per step
    store = EventStore(capacity=10_000)
    store.extend(_event(n) for n in range(10_000))
    model = EventLogModel(store)
    model.sync()
    progress: list[float] = []
    model.scan_progress.connect(progress.append)
    with qtbot.waitSignal(model.scan_progress, check_params_cb=lambda p: p == 1.0, timeout=5000):
        model.set_query(parse("host:db-1 severity>=error"))
    assert progress == [n / 10 for n in range(1, 10)] + [1.0]
    expected = [n for n in range(10_000) if n % 3 == 2 and n % 25 == 0]
    assert [model.seq_at(r) for r in range(model.rowCount())] == expected


def test_a_mistake_is_shown_and_the_filter_in_force_stays(qtbot: Any, settings: QSettings) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(100))
    panel = _panel(qtbot, store, settings)
    assert panel.set_filter("type:order.*")
    assert len(_shown(panel)) == 50
    qtbot.keyClicks(panel.filter_edit, " cpu>")
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)
    assert not panel.filter_error.isHidden()
    assert panel.filter_error.text() == (
        "⚠ column 18: expected a value after 'cpu>' (the filter in force is still: type:order.*)"
    )
    assert panel.model.query.text == "type:order.*" and len(_shown(panel)) == 50
    qtbot.keyClicks(panel.filter_edit, "90")
    qtbot.waitUntil(lambda: panel.model.query.text == "type:order.* cpu>90", timeout=3000)
    assert panel.filter_error.isHidden()
    assert _shown(panel) == [91, 93, 95, 97, 99]
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Escape)
    assert panel.filter_edit.text() == "" and len(_shown(panel)) == 100


def test_scrolling_up_pauses_following_and_offers_a_jump(qtbot: Any, settings: QSettings) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(500))
    panel = _panel(qtbot, store, settings)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.view
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0
    bar.setValue(0)
    store.extend(_event(n) for n in range(500, 507))
    panel.model.sync()
    assert bar.value() == 0 and not view.following
    assert view.jump_button.isVisible()
    assert view.jump_button.text() == "Following paused - End to resume · ↓ 7 new"
    store.extend(_event(n) for n in range(507, 510))
    panel.model.sync()
    assert view.jump_button.text() == "Following paused - End to resume · ↓ 10 new"
    qtbot.mouseClick(view.jump_button, Qt.MouseButton.LeftButton)
    assert view.following and not view.jump_button.isVisible()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() > 0, timeout=2000)


def test_selecting_a_row_pauses_following_and_the_keys_move_from_it(
    qtbot: Any, settings: QSettings
) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(500))
    panel = _panel(qtbot, store, settings)
    panel.show()
    qtbot.waitExposed(panel)
    view, bar = panel.view, panel.view.verticalScrollBar()
    assert view.following and bar.value() == bar.maximum() > 0
    row = panel.model.rowCount() - 3  # a row in view, at the bottom: following would not stop
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.visualRect(view.model().index(row, 1)).center(),
    )
    assert view.currentIndex().row() == row and not view.following
    assert view.jump_button.isVisible() and view.jump_button.text() == PAUSED_TEXT
    assert panel.detail.shown_event is not None and panel.detail.shown_event.data["n"] == 497
    where = bar.value()
    store.extend(_event(n) for n in range(500, 600))
    panel.model.sync()
    qtbot.waitUntil(lambda: bar.maximum() > where + 50, timeout=2000)
    assert bar.value() == where  # the selected row stays in view
    assert view.jump_button.text() == f"{PAUSED_TEXT} · ↓ 100 new"
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert panel.model.seq_at(view.currentIndex().row()) == 498  # the next one, not the oldest
    assert panel.detail.shown_event is not None and panel.detail.shown_event.data["n"] == 498
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.following and not view.jump_button.isVisible()
    assert not view.currentIndex().isValid()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=2000)
    store.extend(_event(n) for n in range(600, 700))
    panel.model.sync()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() > where + 150, timeout=2000)


def test_with_no_row_selected_the_keys_start_from_the_newest(
    qtbot: Any, settings: QSettings
) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(500))
    panel = _panel(qtbot, store, settings)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert panel.model.seq_at(view.currentIndex().row()) == 499
    assert not view.following


def test_the_wheel_pauses_following_at_once(qtbot: Any, settings: QSettings) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(500))
    panel = _panel(qtbot, store, settings)
    panel.show()
    qtbot.waitExposed(panel)
    view, bar = panel.view, panel.view.verticalScrollBar()
    bar.triggerAction(QScrollBar.SliderAction.SliderPageStepSub)
    assert not view.following and view.jump_button.text() == PAUSED_TEXT
    bar.setValue(bar.maximum())  # back at the newest, no row selected: following again
    assert view.following and not view.jump_button.isVisible()


def test_the_summary_takes_the_width_and_the_detail_pane_waits_for_a_row(
    qtbot: Any, settings: QSettings
) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(50))
    panel = _panel(qtbot, store, settings)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.view

    def summary_fills_the_rest() -> bool:
        others = sum(view.columnWidth(c) for c in range(panel.model.columnCount()) if c != SUMMARY)
        return view.columnWidth(SUMMARY) == view.viewport().width() - others

    assert panel.detail.isHidden() and view.width() > 950
    qtbot.waitUntil(summary_fills_the_rest, timeout=2000)
    view.selectRow(10)
    assert panel.detail.isVisible() and panel.detail.width() == DETAIL_WIDTH
    qtbot.waitUntil(summary_fills_the_rest, timeout=2000)
    panel.split.moveSplitter(700, 1)  # the operator drags it
    dragged = panel.split.width() - 700
    assert panel.detail_width == panel.detail.width() == dragged
    panel.set_filter("type:order.*")  # nothing selected any more
    assert panel.detail.isHidden()
    panel.save_state()

    again = _panel(qtbot, store, settings)
    again.show()
    qtbot.waitExposed(again)
    again.view.selectRow(3)
    assert again.detail.width() == dragged


def test_in_a_narrow_log_the_detail_pane_goes_under_it(qtbot: Any, settings: QSettings) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(50))
    panel = _panel(qtbot, store, settings)
    panel.resize(700, 600)  # the log's room beside the side docks at 1366 x 768
    panel.show()
    qtbot.waitExposed(panel)
    panel.view.selectRow(45)
    assert panel.split.orientation() == Qt.Orientation.Vertical
    qtbot.waitUntil(lambda: panel.view.rowAt(panel.view.viewport().height() - 1) > 0)
    shown = panel.view.visualRect(panel.model.index(45, 0))
    assert panel.view.viewport().rect().contains(shown)  # still in view over the pane
    assert panel.detail.height() == DETAIL_HEIGHT
    assert panel.view.width() == panel.detail.width() == panel.split.width()  # the log whole
    panel.split.moveSplitter(300, 1)
    dragged = panel.detail.height()
    assert panel.detail_height == dragged != DETAIL_HEIGHT
    panel.resize(1200, 600)  # wide again: beside, at the width it had
    qtbot.waitUntil(lambda: panel.split.orientation() == Qt.Orientation.Horizontal)
    assert panel.detail.width() == DETAIL_WIDTH
    panel.save_state()
    again = _panel(qtbot, store, settings)
    again.resize(700, 600)
    again.show()
    qtbot.waitExposed(again)
    again.view.selectRow(3)
    assert again.detail.height() == dragged


def test_tab_leaves_the_log_table(qtbot: Any, settings: QSettings) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(5))
    panel = _panel(qtbot, store, settings)
    assert not panel.view.tabKeyNavigation()


def test_a_histogram_range_becomes_part_of_the_filter_and_goes_again(
    qtbot: Any, settings: QSettings
) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(300))
    panel = _panel(qtbot, store, settings)
    panel.set_filter("host:web-1")
    panel.histogram.range_selected.emit(1_000_100.0, 1_000_130.0)
    assert panel.filter_edit.text().startswith("host:web-1 time>=")
    assert _shown(panel) == list(range(102, 130, 3))
    panel.histogram.range_selected.emit(1_000_000.0, 1_000_010.0)  # replaces the first
    assert _shown(panel) == [0, 3, 6, 9]
    panel.histogram.range_cleared.emit()
    assert panel.filter_edit.text() == "host:web-1" and len(_shown(panel)) == 100


def test_filter_on_a_value_from_the_detail_pane_and_the_log_cells(
    qtbot: Any, settings: QSettings
) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(60))
    panel = _panel(qtbot, store, settings)
    panel.view.selectRow(4)
    assert panel.detail.shown_event is not None and panel.detail.shown_event.seq == 4
    panel.detail.filter_requested.emit("data.host", "web-2", False)
    assert panel.filter_edit.text() == "data.host=web-2"
    assert _shown(panel) == list(range(1, 60, 3))
    panel.detail.filter_requested.emit("severity", "warning", True)
    assert panel.filter_edit.text() == "data.host=web-2 -severity=warning"
    assert 10 not in _shown(panel) and 1 in _shown(panel)
    menu = panel.cell_menu(panel.model.index(0, SOURCE))
    titles = [a.text() for a in menu.actions() if a.text()]
    assert titles == ["Filter on source = src-1", "Exclude source = src-1", "Copy as JSON"]
    menu.actions()[0].trigger()
    assert panel.filter_edit.text() == "data.host=web-2 -severity=warning source=src-1"
    assert _shown(panel) == [1, 13, 25, 37, 49]


def test_an_or_filter_is_bracketed_before_a_value_is_added(qtbot: Any, settings: QSettings) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(60))
    panel = _panel(qtbot, store, settings)
    panel.set_filter("host:web-1 OR host:db-1")
    panel.filter_on("type", "order.placed", False)
    assert panel.filter_edit.text() == "(host:web-1 OR host:db-1) type=order.placed"
    assert all(n % 3 != 1 and n % 2 for n in _shown(panel))


def test_field_columns_show_values_and_are_remembered(qtbot: Any, settings: QSettings) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(5))
    panel = _panel(qtbot, store, settings)
    panel.detail.column_requested.emit("data.host")
    model = panel.model
    assert model.headerData(SUMMARY, Qt.Orientation.Horizontal) == "host"
    assert [model.index(r, SUMMARY).data() for r in range(3)] == ["web-1", "web-2", "db-1"]
    assert model.index(0, SUMMARY + 1).data().startswith("n=0")  # the summary moved right
    again = _panel(qtbot, store, settings)
    assert again.model.fields == ["data.host"]
    (remove,) = [a for a in again.header_menu(SUMMARY).actions() if "Remove" in a.text()]
    remove.trigger()
    assert again.model.fields == [] and settings.value("log/fields") in ([], None)


def test_counts_histogram_and_scrollbar_marks(qtbot: Any, settings: QSettings) -> None:
    store = EventStore(capacity=200)
    store.extend(_event(n) for n in range(250))
    panel = _panel(qtbot, store, settings)
    with qtbot.waitSignal(panel.overview_shown):  # worked out in a worker thread
        panel.show()
        qtbot.waitExposed(panel)
    assert panel.counts.text() == "200 events · 50 oldest evicted"
    histogram = panel.histogram.histogram
    assert histogram is not None and int(histogram.counts.sum()) == 200
    assert int(histogram.counts[:, 2].sum()) == 8  # errors: 50, 75 .. 225
    severities = {severity for _pixel, severity in panel.view.marks.marks}
    assert severities == {Severity.WARNING, Severity.ERROR}
    panel.set_filter("severity>=error")
    assert panel.counts.text() == "8 of 200 events · 50 oldest evicted"
    qtbot.waitUntil(lambda: {s for _p, s in panel.view.marks.marks} == {Severity.ERROR})
    assert int(panel.histogram.histogram.counts.sum()) == 8  # type: ignore[union-attr]


def test_export_writes_what_the_filter_shows(qtbot: Any, tmp_path: Path) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(40))
    model = EventLogModel(store)
    model.set_query(parse("host:db-1"))
    model.add_field("host")
    jsonl, table = tmp_path / "out.jsonl", tmp_path / "out.csv"
    assert export_events(None, store, model.shown_seqs(), str(jsonl)) == 13
    with jsonl.open("rb") as stream:
        back = list(read_events(stream, "out.jsonl"))
    assert [e.seq for e in back] == list(range(2, 40, 3))  # type: ignore[union-attr]
    assert all(e.data["host"] == "db-1" for e in back)  # type: ignore[union-attr,index]
    assert export_events(None, store, model.shown_seqs(), str(table), model.fields) == 13
    with table.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["seq"] for r in rows] == [str(n) for n in range(2, 40, 3)]
    assert {r["data.host"] for r in rows} == {"db-1"}


def test_export_to_an_unwritable_place_says_so(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.ui import export

    warnings: list[str] = []
    monkeypatch.setattr(
        export.QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text)
    )
    store = EventStore()
    store.extend(_event(n) for n in range(3))
    target = tmp_path / "missing-dir" / "out.jsonl"
    assert export_events(None, store, EventLogModel(store).shown_seqs(), str(target)) is None
    assert warnings == [f"Could not write {target}:\nNo such file or directory"]


def test_rows_being_read_stay_put_while_old_ones_are_evicted(
    qtbot: Any, settings: QSettings
) -> None:
    store = EventStore(capacity=2000)
    store.extend(_event(n) for n in range(2000))
    panel = _panel(qtbot, store, settings)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.view
    view.scrollTo(panel.model.index(1000, 0), QTableView.ScrollHint.PositionAtTop)
    top = panel.model.seq_at(view.rowAt(0))
    store.extend(_event(n) for n in range(2000, 2300))  # evicts 300 from the top
    panel.model.sync()
    assert not view.following
    assert panel.model.seq_at(view.rowAt(0)) == top


def test_no_match_says_so_and_a_new_filter_clears_the_detail_pane(
    qtbot: Any, settings: QSettings
) -> None:
    store = EventStore()
    store.extend(_event(n) for n in range(50))
    panel = _panel(qtbot, store, settings)
    panel.view.selectRow(3)
    assert panel.detail.shown_event is not None
    with qtbot.waitSignal(panel.overview_shown):
        panel.set_filter("type:nothing.like.this")
    qtbot.waitUntil(lambda: panel.histogram.histogram is None)
    assert panel.detail.shown_event is None
    assert panel.histogram._placeholder == "No event matches the filter"
