"""Alert rules: states over time per key, counts per window, messages, and bad rules."""

from __future__ import annotations

import pytest

from dashboard.core.events.event import Severity
from dashboard.core.monitor.rules import AlertState, RuleEngine, RuleError, parse_rule, render
from tests.unit.factories import make_event

T0 = 1_795_430_000.0
CPU_RULE = {
    "name": "High CPU",
    "when": "type:metrics.update",
    "condition": "cpu > 90",
    "for": "30s",
    "severity": "critical",
    "group_by": "source",
    "message": "CPU on {source} at {data.cpu}%",
}


def cpu(source: str, value: float, at: float):  # type: ignore[no-untyped-def]
    return make_event("metrics.update", {"cpu": value}, source=source, time=T0 + at)


def states(changes):  # type: ignore[no-untyped-def]
    return [(c.key, c.state, c.at - T0, c.message) for c in changes]


def test_pending_then_firing_after_for_then_resolved_per_key() -> None:
    rule = parse_rule(CPU_RULE)
    engine = RuleEngine([rule])
    assert states(engine.feed([cpu("web-1", 95, 0), cpu("web-2", 50, 0)])) == [
        ("web-1", AlertState.PENDING, 0, "CPU on web-1 at 95%"),
    ]
    assert engine.tick(T0 + 29) == []  # not yet 30 s
    assert states(engine.feed([cpu("web-1", 97, 31)])) == [
        ("web-1", AlertState.FIRING, 31, "CPU on web-1 at 97%"),
    ]
    assert engine.state(rule, "web-1") is AlertState.FIRING and engine.state(rule, "web-2") is None
    assert engine.feed([cpu("web-1", 96, 40)]) == []  # still firing: said once
    assert states(engine.feed([cpu("web-1", 60, 50)])) == [
        ("web-1", AlertState.RESOLVED, 50, "CPU on web-1 at 60%"),
    ]


def test_a_tick_fires_a_pending_alert_without_new_events() -> None:
    engine = RuleEngine([parse_rule(CPU_RULE)])
    engine.feed([cpu("db-1", 99, 0)])
    assert states(engine.tick(T0 + 30)) == [("db-1", AlertState.FIRING, 30, "CPU on db-1 at 99%")]


def test_pending_that_stops_before_for_never_fires() -> None:
    engine = RuleEngine([parse_rule(CPU_RULE)])
    engine.feed([cpu("web-1", 95, 0)])
    assert states(engine.feed([cpu("web-1", 70, 10)])) == [
        ("web-1", AlertState.INACTIVE, 10, "CPU on web-1 at 70%"),
    ]
    assert engine.tick(T0 + 60) == []


def test_without_for_a_rule_fires_at_once_and_ignores_other_events() -> None:
    engine = RuleEngine([parse_rule({**CPU_RULE, "for": 0})])
    changes = engine.feed([make_event("order.placed", {"cpu": 99}, time=T0), cpu("web-1", 91.5, 1)])
    assert states(changes) == [("web-1", AlertState.FIRING, 1, "CPU on web-1 at 91.5%")]


def test_count_per_window_fires_and_resolves_as_events_age_out() -> None:
    rule = parse_rule(
        {
            "name": "Payment failures",
            "condition": "count(type:payment.failed) > 5 per 1m",
            "group_by": "",
            "message": "{count} failed payments in a minute",
        }
    )
    engine = RuleEngine([rule])
    failures = [make_event("payment.failed", time=T0 + n) for n in range(6)]
    changes = engine.feed([*failures[:5], make_event("payment.processed", time=T0 + 5)])
    assert changes == []  # 5 is not more than 5
    assert states(engine.feed(failures[5:])) == [
        ("", AlertState.FIRING, 5, "6 failed payments in a minute"),
    ]
    assert engine.tick(T0 + 59) == []
    assert states(engine.tick(T0 + 60.5)) == [  # the first one is over a minute old
        ("", AlertState.RESOLVED, 60.5, "5 failed payments in a minute"),
    ]


def test_messages_with_missing_fields_show_a_placeholder() -> None:
    event = make_event("metrics.update", {"cpu": 93.456}, source="web-1")
    assert render("{source}: {data.cpu:.1f}% of {data.host} ({key})", event, {"key": "k"}) == (
        "web-1: 93.5% of [data.host?] (k)"
    )
    assert render("{data.cpu:.1f} {severity}", make_event(data={"cpu": "n/a"}), {}) == "n/a info"
    assert render("{rule} {nothing}", None, {"rule": "R"}) == "R [nothing?]"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"condition": "cpu>90"}, "an alert rule: give it a name"),
        ({"name": "R"}, "alert rule 'R': give a condition, like cpu > 90 or count(...) > 5 per 1m"),
        ({"name": "R", "condition": "cpu>", "x": 1}, "alert rule 'R': unknown setting 'x'"),
        ({"name": "R", "condition": "cpu>90", "for": "soon"},
         "alert rule 'R', for: expected a duration like 30s, 5m or 1h, not 'soon'"),
        ({"name": "R", "condition": "cpu>90", "severity": "meh"},
         "alert rule 'R', severity: 'meh' is not a severity"),
        ({"name": "R", "condition": "count(type:x) > five per 1m"},
         "alert rule 'R', condition: expected count(QUERY) > N per 1m, not "
         "'count(type:x) > five per 1m'"),
    ],
)  # fmt: skip
def test_a_bad_rule_says_which_and_what(settings: dict[str, object], message: str) -> None:
    with pytest.raises(RuleError) as refused:
        parse_rule(settings)
    assert str(refused.value) == message


def test_a_bad_condition_query_names_the_column() -> None:
    with pytest.raises(RuleError) as refused:
        parse_rule({"name": "R", "condition": "cpu > "})
    assert str(refused.value).startswith("alert rule 'R', condition: column ")


def test_severity_and_defaults() -> None:
    rule = parse_rule({"name": "R", "condition": "severity>=error"})
    assert (rule.severity, rule.hold, rule.group_by) == (Severity.WARNING, 0.0, "source")


def _by_type(events):  # type: ignore[no-untyped-def]
    grouped: dict[str, list] = {}  # type: ignore[type-arg]
    for event in events:
        grouped.setdefault(event.type, []).append(event)
    return grouped


@pytest.mark.parametrize(
    "when",
    ["type:metrics.update", "type:order.*", "type:nothing.here", "source:web-1"],
    ids=["one-type", "two-types-interleaved", "no-type", "not-on-type"],
)
def test_events_grouped_by_type_give_the_same_changes(when: str) -> None:
    rule = {**CPU_RULE, "when": when, "for": "5s"}
    tick = [
        make_event("order.placed", {"cpu": 99}, source="web-1", time=T0),
        cpu("web-1", 95, 1),
        make_event("order.paid", {"cpu": 10}, source="web-1", time=T0 + 2),
        cpu("web-1", 60, 3),
        make_event("order.placed", {"cpu": 98}, source="web-1", time=T0 + 4),
        cpu("web-2", 99, 5),
    ]
    later = [cpu("web-2", 99, 20), make_event("order.placed", {"cpu": 97}, time=T0 + 21)]
    plain, grouped = RuleEngine([parse_rule(rule)]), RuleEngine([parse_rule(rule)])
    for events in (tick, later):
        expected = states(plain.feed(events))
        assert states(grouped.feed(events, _by_type(events))) == expected
    assert bool(expected) == (when != "type:nothing.here")  # the last tick changes something


def test_a_feed_inventing_keys_keeps_at_most_max_keys_states_the_quietest_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dashboard.core.monitor import rules

    monkeypatch.setattr(rules, "MAX_KEYS", 3)
    rule = parse_rule({**CPU_RULE, "for": "0s"})
    engine = RuleEngine([rule])
    engine.feed([cpu("web-1", 95, 0), cpu("web-2", 95, 1), cpu("web-3", 95, 2)])
    engine.feed([cpu("web-1", 96, 3)])  # web-1 heard from again: web-2 is the quietest now
    engine.feed([cpu(f"new-{n}", 95, 4 + n) for n in range(2)])
    assert [k for k in ("web-1", "web-2", "web-3", "new-0", "new-1") if engine.state(rule, k)] == [
        "web-1",
        "new-0",
        "new-1",
    ]
    assert engine.forgotten == 2
    for n in range(1000):  # however many more come, no more than MAX_KEYS are kept
        engine.feed([cpu(f"host-{n}", 95, 10 + n)])
    assert len(engine._keys) == 3 and engine.forgotten == 1002
