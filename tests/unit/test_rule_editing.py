"""The rule editor's logic: editing rule tables as the layout holds them, the layout's own
checks and messages, disabled rules, and the preview's exact counts."""

from __future__ import annotations

import pytest

from dashboard.core.layouts.layoutfile import LayoutError, dumps, loads
from dashboard.core.monitor import Monitor
from dashboard.core.monitor.rule_editing import Preview, RuleTables, preview, rule_problem
from dashboard.core.monitor.rules import RuleError, parse_rule
from tests.unit.factories import make_event

NOW = 1_795_430_000.0
HIGH_CPU = {"name": "High CPU", "when": "type:metrics.update", "condition": "cpu > 90"}


def cpu(value: float, ago: float, source: str = "web-1"):
    return make_event("metrics.update", {"cpu": value}, source=source, time=NOW - ago)


KNOWN = [
    cpu(99, 700),  # before the 10 minutes: not looked at
    cpu(95, 500),  # web-1 fires (1)
    cpu(50, 490),  # ... and resolves
    cpu(97, 480),  # web-1 fires again (2)
    cpu(99, 470, "web-2"),  # web-2 fires (3)
    cpu(99, 400, "web-2"),  # still firing: not again
    make_event("orders.placed", {"cpu": 99}, time=NOW - 300),  # not a metrics.update
]


def test_the_preview_counts_each_start_of_firing_in_the_last_ten_minutes() -> None:
    assert preview(HIGH_CPU, KNOWN, NOW) == Preview(fired=3, keys=2, events=6, window=600.0)
    assert preview(HIGH_CPU, KNOWN, NOW).text() == (
        "Would have fired 3 times in the last 10 minutes (2 keys), over 6 events held."
    )
    quiet = {**HIGH_CPU, "condition": "cpu > 100"}
    assert preview(quiet, KNOWN, NOW).text() == (
        "Would not have fired in the last 10 minutes, over 6 events held."
    )


def test_the_preview_lets_a_for_run_out_up_to_now_and_ignores_enabled() -> None:
    held = {**HIGH_CPU, "for": "30s", "enabled": False}
    assert preview(held, [cpu(95, 100)], NOW).fired == 1  # fired 70 s ago, no event since
    assert preview(held, [cpu(95, 20)], NOW).fired == 0  # still pending now
    counting = {"name": "Bursts", "condition": "count(type:metrics.update) > 2 per 1m"}
    assert preview(counting, KNOWN, NOW) == Preview(fired=1, keys=1, events=6, window=600.0)


def test_a_disabled_rule_is_kept_and_not_watched() -> None:
    monitor = Monitor([{**HIGH_CPU, "enabled": False}, {**HIGH_CPU, "name": "Other"}])
    assert [r["name"] for r in monitor.rule_settings] == ["High CPU", "Other"]
    assert list(monitor.rules) == ["Other"]
    monitor.feed([cpu(99, 10)])
    assert [change.name for change in monitor.take_changes()] == ["Other"]
    with pytest.raises(
        RuleError, match=r"^alert rule 'X', enabled: expected true or false, got 'no'$"
    ):
        parse_rule({"name": "X", "condition": "a > 1", "enabled": "no"})


def test_a_layout_refuses_two_rules_of_one_name_as_the_editor_does() -> None:
    text = (
        '[[rules]]\nname = "A"\ncondition = "a > 1"\n\n[[rules]]\nname = "A"\ncondition = "b > 1"\n'
    )
    with pytest.raises(LayoutError) as caught:
        loads(text, "x.toml")
    assert str(caught.value) == (
        "x.toml: line 6: rules[2] ('A'): alert rule 'A': another rule has this name"
    )
    problem = rule_problem({"name": "A", "condition": "b > 1"}, [{"name": "A"}])
    assert problem is not None and problem.key == "name"
    assert str(caught.value).endswith(str(problem))


def test_add_edit_duplicate_disable_delete() -> None:
    rules = RuleTables([HIGH_CPU])
    added = rules.add()
    assert rules.text(added, "name") == "New rule"
    problem = rules.problem(added)
    assert problem is not None and problem.key == "condition"
    assert str(problem) == (
        "alert rule 'New rule': give a condition, like cpu > 90 or count(...) > 5 per 1m"
    )
    rules.set_text(added, "condition", "errors > 0")
    rules.set_text(added, "for", "1m")
    assert rules.problems() == {}
    rules.set_text(added, "for", "")  # empty: the default, left out
    copy = rules.duplicate(0)
    assert rules.text(copy, "name") == "High CPU (copy)"
    assert rules.duplicate(0) == 1 and rules.text(1, "name") == "High CPU (copy) 2"
    rules.delete(1)
    rules.set_enabled(copy, False)
    rules.set_text(copy, "name", "New rule")
    assert str(rules.problem(copy)) == "alert rule 'New rule': another rule has this name"
    rules.set_text(copy, "name", "Copy")
    assert rules.tables() == [
        HIGH_CPU,
        {**HIGH_CPU, "name": "Copy", "enabled": False},
        {"name": "New rule", "condition": "errors > 0"},
    ]
    rules.set_enabled(copy, True)
    assert "enabled" not in rules.tables()[1]
    layout = loads(dumps(loads("")))
    layout.rules = rules.tables()
    assert loads(dumps(layout)).rules == rules.tables()
