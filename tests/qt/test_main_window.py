"""The main window fed by the real demo feed over SSE shows exactly what the feed sent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Event, Severity
from dashboard.core.layouts.layoutfile import builtin
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.demo import HOSTS, FeedEvent
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.ui.app import Dashboard
from dashboard.ui.log_model import SOURCE, SUMMARY, TYPE
from dashboard.ui.main_window import LOG_REFRESH_S
from tests.unit.factories import make_event


@pytest.fixture
def feed() -> Iterator[FeedThread]:
    thread = FeedThread(FeedServer(rate=2000, seed=5, paused=True, limit=600, junk=0.02))
    thread.start()
    yield thread
    thread.close()


@pytest.fixture
def dashboard(
    qt_loop: Any, qtbot: Any, feed: FeedThread, settings: QSettings, run_on_loop: Any
) -> Iterator[Dashboard]:
    layout = builtin("demo")
    layout.rules = []  # the feed's own alerts only: those are what the test counts
    dash = Dashboard(
        [ConnectionSpec(feed.server.url, "demo")], settings=settings, tick_ms=10, layout=layout
    )
    qtbot.addWidget(dash.window)
    dash.start()
    yield dash
    run_on_loop(dash.aclose())


def feed_all(qtbot: Any, feed: FeedThread, dash: Dashboard) -> list[FeedEvent]:
    """Let the paused feed send its events once the dashboard listens; wait for all."""
    qtbot.waitUntil(lambda: feed.server.streams == 1, timeout=10_000)
    feed.server.paused = False
    qtbot.waitUntil(
        lambda: (
            dash.store.counts.get("demo") is not None and dash.store.counts["demo"].frames == 600
        ),
        timeout=20_000,
    )
    dash.window.refresh_now()
    return feed.snapshot()


def expected_events(sent: list[FeedEvent]) -> list[Event]:
    """What the feed's frames decode to, decoded here independently of the app."""
    decoder = Decoder("demo")
    events = []
    for s in sent:
        if s.junk:
            continue
        data = s.frame.split(b"data: ", 1)[1].rstrip(b"\n")
        result = decoder.decode(data, received=0.0, event_type=s.sse_event, event_id=str(s.id))
        assert isinstance(result, Event)
        events.append(result)
    return events


def test_log_cards_chart_and_alerts_match_the_feed(
    qtbot: Any, feed: FeedThread, dashboard: Dashboard
) -> None:
    sent = feed_all(qtbot, feed, dashboard)
    window = dashboard.window
    good = [s for s in sent if not s.junk]
    want = expected_events(sent)

    # The log: one row per accepted event, in order, with the right cells; between them,
    # the dashboard's own events for alerts that fired or resolved.
    model = window.log_model
    rows = [model.event_at(r) for r in range(model.rowCount())]
    assert model.rowCount() == dashboard.store.end_seq
    from_feed = [r for r, e in enumerate(rows) if e is not None and e.connection == "demo"]
    own = [e for e in rows if e is not None and e.connection == "dashboard"]
    assert len(from_feed) + len(own) == len(rows) and len(from_feed) == len(good)
    assert [model.index(r, TYPE).data() for r in from_feed] == [s.type for s in good]
    assert [model.index(r, SOURCE).data() for r in from_feed] == [e.source for e in want]
    state: dict[tuple[str, str], str] = {}
    changes = []
    for event in (e for e in want if AlertConventions().is_alert(e)):
        now = "firing" if event.severity >= Severity.WARNING else "resolved"
        name = event.data.get("alertname", event.type)  # the demo names its alerts
        if state.get((name, event.source)) != now:
            state[(name, event.source)] = now
            changes.append((f"dashboard.alert.{now}", name, event.source))
    assert [(e.type, e.data["alert"], e.data["key"]) for e in own] == changes
    metric_index = next(i for i, s in enumerate(good) if s.type == "metrics.update")
    metric_row = from_feed[metric_index]
    body = good[metric_index].body
    assert model.index(metric_row, SUMMARY).data() == (
        f"cpu={body['cpu']:g} memory={body['memory']} requests={body['requests']} "
        f"errors={body['errors']}"
    )

    # The cards: computed here from what the feed sent.
    metrics = [s.body for s in good if s.type == "metrics.update"]
    latest = {m["source"]: m for m in metrics}
    assert set(latest) == set(HOSTS)
    cpu = sum(m["cpu"] for m in latest.values()) / len(latest)
    memory = sum(m["memory"] for m in latest.values()) / len(latest)
    requests = sum(m["requests"] for m in latest.values())
    errors = sum(m["errors"] for m in metrics)
    cards = window.cards
    assert cards.card("CPU").value.text() == f"{cpu:,.1f} %"
    assert cards.card("Memory").value.text() == f"{memory:,.0f} MB"
    assert cards.card("Requests/s").value.text() == f"{requests:,.0f}"
    assert cards.card("Errors").value.text() == f"{errors:,.0f}"
    assert cards.card("CPU").caption.text() == "mean of 3 sources"

    # The chart: one curve per host holding that host's CPU readings.
    assert set(window.chart.curves) == {(0, host) for host in HOSTS}
    assert window.chart.title.text() == "CPU % by host"
    assert window.chart.legend.isVisible()
    for host in HOSTS:
        _, y = window.chart.curves[(0, host)].getOriginalDataset()
        assert list(y) == [m["cpu"] for m in metrics if m["source"] == host]

    # The alert panel: one row per alert (its name, else its type) and source, counting its
    # repeats; the newest of each says whether it is still firing (the demo's "back to 70%"
    # is info, and resolves the host's CPU alert, not its memory alert).
    alerts = [e for e in want if AlertConventions().is_alert(e)]
    assert alerts, "the demo's payment failures are warnings"
    groups: dict[tuple[str, str], list[Event]] = {}
    for event in alerts:
        groups.setdefault((event.data.get("alertname", event.type), event.source), []).append(event)
    model = window.alerts.model
    rows = [model.entry_at(r) for r in range(model.rowCount())]
    assert {(e.name, e.key, e.count) for e in rows if e} == {
        (t, s, len(group)) for (t, s), group in groups.items()
    }
    firing = sum(group[-1].severity >= Severity.WARNING for group in groups.values())
    assert window.side_tabs.tabText(0) == f"Alerts ({firing})"
    assert window.windowTitle().startswith(f"({firing} alert")

    # Rejected frames: counted and kept with their reasons.
    junk = [s for s in sent if s.junk]
    assert junk, "the feed was asked for 2% junk"
    assert dashboard.store.rejected_total == len(junk)
    assert window.rejected_model.rowCount() == len(junk)
    assert window.side_tabs.tabText(1) == f"Rejected ({len(junk)})"
    stored = len(good) + len(own)  # the feed's events and the dashboard's alert events
    assert window.status.totals_label.text() == f"events {stored:,} · rejected {len(junk):,}"
    assert dashboard.summary() == f"events={stored} rejected={len(junk)} connections=1"


def test_log_follows_the_tail_until_the_operator_scrolls_up(
    qtbot: Any, feed: FeedThread, dashboard: Dashboard
) -> None:
    window = dashboard.window
    window.resize(900, 600)
    feed.server.limit = 300
    view = window.log_view
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: feed.server.streams == 1, timeout=10_000)
    feed.server.paused = False
    qtbot.waitUntil(lambda: dashboard.store.end_seq >= 200, timeout=10_000)
    dashboard.bus.flush()
    assert view.following and bar.value() == bar.maximum() > 0
    bar.setValue(0)
    feed.server.limit = 600
    qtbot.waitUntil(lambda: dashboard.store.counts["demo"].frames == 600, timeout=20_000)
    dashboard.bus.flush()
    assert not view.following and bar.value() == 0  # stays where the operator looks
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.following and bar.value() == bar.maximum()


def test_the_log_takes_in_new_rows_ten_times_a_second(qtbot: Any, settings: QSettings) -> None:
    dash = Dashboard([], settings=settings)
    qtbot.addWidget(dash.window)
    model = dash.window.log_model
    dash.store.extend(make_event(data={"n": n}) for n in range(30))
    dash.bus.flush()
    assert model.rowCount() == 30  # the first tick shows them
    dash.store.extend(make_event(data={"n": n}) for n in range(30, 50))
    dash.bus.flush()  # a tick within LOG_REFRESH_S: the cards and alerts have them, the log not yet
    counted = sum(line.arrays()[1].sum() for line in dash.window.chart.data.lines.values())
    assert model.rowCount() == 30 and counted == 50
    started = time.monotonic()
    qtbot.waitUntil(lambda: (dash.bus.flush(), model.rowCount() == 50)[1], timeout=2_000)
    assert time.monotonic() - started <= LOG_REFRESH_S + 0.5  # a later tick, no new event
    assert [model.event_at(r).data["n"] for r in (0, 29, 30, 49)] == [0, 29, 30, 49]  # type: ignore[union-attr]


def test_the_panels_that_repaint_take_turns_one_per_tick(qtbot: Any, settings: QSettings) -> None:
    """A tick folds its events into every panel but lets one refresh repaint, the one
    waiting longest (in a tie: the panels in the registry's order, log, cards and field
    browser, then the status bar, then the charts), so that a chart's paint and the log's
    never fall into one frame and hold the next tick back."""
    dash = Dashboard([], settings=settings, layout=builtin("demo"))
    qtbot.addWidget(dash.window)
    window = dash.window
    now = time.time()
    dash.store.extend(
        make_event("metrics.update", {"cpu": 40.0 + n}, source=HOSTS[n % 3], time=now)
        for n in range(30)
    )

    def refreshed() -> list[bool]:
        return [
            window.log_model.rowCount() == 30,
            window.cards.card("CPU").value.text() == "68.0 %",  # the hosts' latest: 67, 68, 69
            window.fields.proxy.rowCount() == 1,
            window.status.totals_label.text().startswith("events 30 "),
            len(window.charts[0].curves) == 3,  # CPU % by host
            len(window.charts[1].curves) == 1,  # events per second by type
        ]

    assert refreshed() == [False] * 6
    for turn in range(1, 7):
        dash.bus.flush()
        assert refreshed() == [True] * turn + [False] * (6 - turn), f"tick {turn}"


def test_before_any_data_the_panels_say_what_they_wait_for(qtbot: Any, settings: QSettings) -> None:
    window = Dashboard([], settings=settings, layout=builtin("demo")).window
    qtbot.addWidget(window)
    assert window.cards.card("CPU").value.text() == "—"
    assert window.cards.card("CPU").caption.text() == "waiting for metrics.update"
    assert [chart.title.text() for chart in window.charts] == [
        "CPU % by host: waiting for events",
        "Events per second by type: waiting for events",
    ]
    assert not window.chart.legend.isVisible()


def test_geometry_is_remembered_and_the_arrangement_is_the_layouts(
    qtbot: Any, settings: QSettings
) -> None:
    first = Dashboard([], settings=settings, layout=builtin("demo"))
    qtbot.addWidget(first.window)
    first.window.show()
    qtbot.waitExposed(first.window)
    first.window.resize(770, 740)  # the offscreen screen is 800 x 800
    window = first.window
    assert window.dockWidgetArea(window.fields_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.fields_dock)
    window.alerts_dock.hide()
    layout = window.current_layout()
    window.close()
    second = Dashboard([], settings=settings, layout=layout)
    qtbot.addWidget(second.window)
    assert (second.window.width(), second.window.height()) == (770, 740)
    second.window.show()
    qtbot.waitExposed(second.window)
    again = second.window
    assert again.dockWidgetArea(again.fields_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert again.alerts_dock.isHidden() and not again.fields_dock.isHidden()
    assert [c.spec for c in again.charts] == [c.spec for c in window.charts]
