"""The alert rules as the rule editor changes them: a list of rule tables (as a layout
holds them) with add, duplicate, delete, enable/disable and per-setting edits, each rule
checked as the layout file checks it (:func:`~dashboard.core.monitor.rules.parse_rule`, plus one
name per rule), and a preview: how often a rule would have fired over the last minutes
of the events held, found by running it headlessly (:func:`run_through`).

The preview is bounded: it looks at most :data:`PREVIEW_WINDOW_S` back and at the newest
:data:`PREVIEW_EVENTS` events of that time (the caller hands it those).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.core.events.event import Event
from dashboard.core.monitor.alertbook import Origin
from dashboard.core.monitor.headless import run_through
from dashboard.core.monitor.monitor import Monitor
from dashboard.core.monitor.rules import AlertState, RuleError, parse_rule, same_name

# The settings the editor shows, in its order ("enabled" is a check box of its own).
SETTINGS = ("name", "when", "condition", "for", "severity", "group_by", "message")
PREVIEW_WINDOW_S = 600.0  # "in the last 10 minutes"
# The newest events of that window the preview runs through: 50,000 take 0.2-0.3 s (measured
# on two shared cores), run once typing pauses.
PREVIEW_EVENTS = 50_000
NEW_NAME = "New rule"


def rule_problem(table: Mapping[str, Any], others: Iterable[Mapping[str, Any]]) -> RuleError | None:
    """What is wrong with *table* as the layout file would say it (its ``key`` names the
    setting), or a name another rule of *others* has already; None when it is usable."""
    try:
        rule = parse_rule(table)
    except RuleError as exc:
        return exc
    if any(str(other.get("name") or "").strip() == rule.name for other in others):
        return same_name(rule.name)
    return None


def is_enabled(table: Mapping[str, Any]) -> bool:
    return table.get("enabled", True) is not False


class RuleTables:
    """The rules being edited, as layout tables: what :meth:`tables` answers is what the
    layout saves and the monitor is configured with."""

    def __init__(self, tables: Sequence[Mapping[str, Any]] = ()) -> None:
        self.rules: list[dict[str, Any]] = [dict(t) for t in tables]

    def __len__(self) -> int:
        return len(self.rules)

    def tables(self) -> list[dict[str, Any]]:
        return [dict(t) for t in self.rules]

    def problem(self, index: int) -> RuleError | None:
        others = self.rules[:index] + self.rules[index + 1 :]
        return rule_problem(self.rules[index], others)

    def problems(self) -> dict[int, RuleError]:
        """The rules that cannot be saved, by index."""
        found = {i: self.problem(i) for i in range(len(self.rules))}
        return {i: problem for i, problem in found.items() if problem is not None}

    def text(self, index: int, key: str) -> str:
        """A setting as the editor shows it ("" when not set: the default applies)."""
        value = self.rules[index].get(key)
        return "" if value is None else str(value)

    def set_text(self, index: int, key: str, text: str) -> None:
        """Set *key* of a rule to *text*; an empty text leaves the setting out (its default).
        A value written as a number in the file (``for = 30``) stays one while unchanged."""
        table = self.rules[index]
        if text.strip() == "":
            table.pop(key, None)
        elif self.text(index, key) != text:
            table[key] = text

    def set_enabled(self, index: int, enabled: bool) -> None:
        """Only a disabled rule says so (``enabled = false``); true is the default."""
        if enabled:
            self.rules[index].pop("enabled", None)
        else:
            self.rules[index]["enabled"] = False

    def add(self) -> int:
        """A new rule, named so that no other rule is; its index."""
        self.rules.append({"name": self._free_name(NEW_NAME)})
        return len(self.rules) - 1

    def duplicate(self, index: int) -> int:
        """A copy of a rule right after it, named "NAME (copy)"; its index."""
        copy = dict(self.rules[index])
        copy["name"] = self._free_name(f"{self.text(index, 'name').strip() or NEW_NAME} (copy)")
        self.rules.insert(index + 1, copy)
        return index + 1

    def delete(self, index: int) -> None:
        del self.rules[index]

    def _free_name(self, base: str) -> str:
        taken = {str(t.get("name") or "").strip() for t in self.rules}
        name, number = base, 2
        while name in taken:
            name, number = f"{base} {number}", number + 1
        return name


@dataclass(frozen=True)
class Preview:
    """What a rule would have done over the events looked at."""

    fired: int  # times it started firing
    keys: int  # different keys (sources...) that fired
    events: int  # events looked at
    window: float  # seconds looked back

    def text(self) -> str:
        minutes = self.window / 60
        span = f"{minutes:g} minutes" if minutes != 1 else "minute"
        times = "once" if self.fired == 1 else f"{self.fired:,} times"
        if self.fired == 0:
            said = f"Would not have fired in the last {span}"
        else:
            said = f"Would have fired {times} in the last {span}"
            if self.keys > 1:
                said += f" ({self.keys:,} keys)"
        return f"{said}, over {self.events:,} events held."


def preview(
    table: Mapping[str, Any],
    events: Sequence[Event],
    now: float,
    window: float = PREVIEW_WINDOW_S,
) -> Preview:
    """Run the rule in *table* (enabled or not; it must be usable) alone through the
    *events* of the last *window* seconds before *now*, in a monitor of its own, then let
    the clock run to *now* (a ``for`` that ran out since the last event fires); count the
    times it started firing. Silences are not applied: this is what the rule would do."""
    settings = dict(table)
    settings.pop("enabled", None)
    monitor = Monitor([settings])
    name = parse_rule(settings).name
    start = now - window
    looked_at = [e for e in events if start <= e.time <= now]
    fired: list[tuple[str, float]] = []

    def note(changes: Iterable[Any]) -> None:
        for change in changes:
            if (
                change.state is AlertState.FIRING
                and change.origin is Origin.RULE
                and change.name == name
            ):
                fired.append((change.key, change.at))

    note(run_through(monitor, looked_at))
    while (due := monitor.next_due()) is not None and due <= now:
        monitor.tick(due + 1e-6)
        note(monitor.take_changes())
        if monitor.next_due() == due:
            break  # (nothing moved: never loop for ever on it)
    return Preview(len(fired), len({key for key, _ in fired}), len(looked_at), window)
