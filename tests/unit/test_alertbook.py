"""The alert book: repeats grouped, states, acknowledgements, silences, connection health."""

from __future__ import annotations

import orjson

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Event, Severity
from dashboard.core.monitor.alertbook import AlertBook, Origin
from dashboard.core.monitor.rules import AlertState, RuleEngine, parse_rule
from tests.unit.factories import make_event

T0 = 1_795_430_000.0


def cpu_alert(source: str, cpu: float, at: float, severity: Severity = Severity.CRITICAL):  # type: ignore[no-untyped-def]
    event = make_event(
        "alert.cpu",
        {"message": f"CPU on {source} at {cpu}%"},
        source=source,
        time=T0 + at,
        severity=severity,
    )
    return event


def test_a_storm_of_repeats_is_one_entry_that_counts() -> None:
    book = AlertBook()
    fired = book.add_feed_events(cpu_alert("web-1", 95 + n % 5, n) for n in range(10_000))
    (entry,) = book.shown()
    assert (entry.origin, entry.name, entry.key, entry.count) == (
        Origin.FEED,
        "alert.cpu",
        "web-1",
        10_000,
    )
    assert (entry.first_seen, entry.last_seen) == (T0, T0 + 9_999)
    assert entry.message == "CPU on web-1 at 99%"
    assert len(fired) == 10_000 and book.unacknowledged == 1


def test_a_recovery_resolves_and_a_return_needs_attention_again() -> None:
    book = AlertBook()
    book.add_feed_events([cpu_alert("db-1", 94, 0), make_event("metrics.update", time=T0)])
    (entry,) = book.shown()
    book.acknowledge(entry)
    assert book.unacknowledged == 0
    book.add_feed_events([cpu_alert("db-1", 70, 5, Severity.INFO)])  # "back to 70%"
    assert (entry.state, entry.count, entry.acknowledged) == (AlertState.RESOLVED, 2, True)
    book.add_feed_events([cpu_alert("db-1", 97, 9)])
    assert (entry.state, entry.acknowledged, book.unacknowledged) == (AlertState.FIRING, False, 1)
    assert book.clear_resolved() == 0


def test_filters_acknowledge_all_and_clear_resolved() -> None:
    book = AlertBook()
    book.add_feed_events(
        [
            cpu_alert("web-1", 95, 0),
            make_event("payment.failed", time=T0 + 1, source="payments", severity=Severity.WARNING),
            cpu_alert("web-2", 96, 2),
            cpu_alert("web-2", 60, 3, Severity.INFO),
        ]
    )
    assert [(e.key, e.state.value) for e in book.shown()] == [
        ("web-2", "resolved"),
        ("payments", "firing"),
        ("web-1", "firing"),
    ]
    assert [e.key for e in book.shown(min_severity=Severity.ERROR)] == ["web-2", "web-1"]
    assert [e.key for e in book.shown(states=[AlertState.RESOLVED])] == ["web-2"]
    assert book.acknowledge_all() == 2 and book.unacknowledged == 0
    assert book.clear_resolved() == 1 and len(book.shown()) == 2


def test_a_silence_hides_a_rule_or_one_key_until_it_ends() -> None:
    book = AlertBook()
    book.silence("alert.cpu", "web-1", until=T0 + 60)
    book.add_feed_events([cpu_alert("web-1", 95, 0), cpu_alert("web-2", 95, 1)])
    assert [e.key for e in book.shown()] == ["web-2"] and book.silenced == 1
    book.add_feed_events([cpu_alert("web-1", 95, 61)])  # the silence is over
    assert [e.key for e in book.shown()] == ["web-1", "web-2"]


def test_rule_transitions_make_one_entry_per_key_with_its_state() -> None:
    rule = parse_rule(
        {"name": "High CPU", "when": "type:metrics.update", "condition": "cpu > 90",
         "for": "10s", "message": "CPU on {source} at {data.cpu}%"}
    )  # fmt: skip
    engine, book = RuleEngine([rule]), AlertBook()
    reports = [make_event("metrics.update", {"cpu": 95}, source="web-1", time=T0 + n)
               for n in range(12)]  # fmt: skip
    assert book.apply(engine.feed(reports[:1])) == []  # pending: shown, not fired
    (entry,) = book.shown()
    assert (entry.state, entry.origin) == (AlertState.PENDING, Origin.RULE)
    fired = book.apply(engine.feed(reports[1:]))
    assert [e.state for e in fired] == [AlertState.FIRING] and entry.count == 1
    book.apply(engine.feed([make_event("metrics.update", {"cpu": 40}, source="web-1",
                                       time=T0 + 20)]))  # fmt: skip
    assert (entry.state, entry.message) == (AlertState.RESOLVED, "CPU on web-1 at 40%")


def test_a_rule_without_for_fires_at_once_and_counts_one_firing() -> None:
    rule = parse_rule({"name": "Low stock", "condition": "remaining < 5", "group_by": "data.sku"})
    engine, book = RuleEngine([rule]), AlertBook()
    low = make_event("inventory.updated", {"sku": "ramen", "remaining": 2}, time=T0)
    (entry,) = book.apply(engine.feed([low]))
    assert (entry.state, entry.key, entry.count, entry.fired_at) == (
        AlertState.FIRING, "ramen", 1, T0
    )  # fmt: skip
    assert [(c.state, c.at) for c in book.take_changes()] == [(AlertState.FIRING, T0)]


def test_a_pending_rule_alert_that_goes_away_leaves_no_row() -> None:
    rule = parse_rule({"name": "R", "condition": "cpu > 90", "for": "1m"})
    engine, book = RuleEngine([rule]), AlertBook()
    book.apply(engine.feed([make_event(data={"cpu": 95}, time=T0)]))
    book.apply(engine.feed([make_event(data={"cpu": 20}, time=T0 + 5)]))
    assert book.shown() == []


def test_a_connection_down_too_long_fires_and_resolves_when_back() -> None:
    book = AlertBook()
    assert book.connection("orders", down_since=T0, now=T0 + 10, after=30) == []
    (fired,) = book.connection("orders", down_since=T0, now=T0 + 31, after=30)
    assert (fired.message, fired.severity) == ("orders has been down for 31 s", Severity.ERROR)
    assert book.connection("orders", down_since=T0, now=T0 + 40, after=30) == []  # once
    book.connection("orders", down_since=None, now=T0 + 45, after=30)
    assert (fired.state, fired.message) == (AlertState.RESOLVED, "orders is back")


def test_changes_become_the_dashboard_s_own_events_which_are_not_alerts_again() -> None:
    book = AlertBook()
    book.add_feed_events([cpu_alert("web-1", 95, 0), cpu_alert("web-1", 96, 1)])
    book.add_feed_events([cpu_alert("web-1", 70, 2, Severity.INFO)])
    changes = book.take_changes()
    assert [(c.entry.key, c.state, c.at - T0) for c in changes] == [
        ("web-1", AlertState.FIRING, 0),
        ("web-1", AlertState.RESOLVED, 2),
    ]
    assert book.take_changes() == []
    decoder = Decoder("dashboard")
    firing = decoder.decode(orjson.dumps(changes[0].record), received=T0)
    assert isinstance(firing, Event)
    assert (firing.type, firing.source, firing.severity, firing.time) == (
        "dashboard.alert.firing",
        "web-1",
        Severity.CRITICAL,
        T0,
    )
    assert firing.data == {
        "alert": "alert.cpu",
        "origin": "feed",
        "key": "web-1",
        "message": "CPU on web-1 at 95%",  # as it was when it fired, not the newest
        "count": 1,
    }
    assert book.add_feed_events([firing]) == [] and book.noted == 3  # not an alert again
