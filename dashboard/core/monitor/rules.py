"""Local alert rules: a condition on events, held for a while, per key; Prometheus-like
states (pending -> firing -> resolved).

A rule, as a layout file will hold it::

    name = "High CPU"
    when = "type:metrics.update"           # the events the rule looks at (a query)
    condition = "cpu > 90"                 # a query each of those events passes or not
    for = "30s"                            # true this long before it fires
    severity = "critical"
    group_by = "source"                    # one alert per value of this (or data.host...)
    message = "CPU on {source} at {data.cpu}%"
    enabled = false                        # kept in the layout, but not watched

or, counting: ``condition = "count(type:payment.failed) > 5 per 1m"``.

With a per-event condition, the newest event of a key decides: it passes (pending, then
firing once ``for`` has passed) or not (back to nothing, or resolved). With a count, the
events of the last window are counted per key on every event and every tick. Time is the
events' own time and the clock given to :meth:`RuleEngine.tick`, so a replay reproduces
what happened live.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from dashboard.core.events.event import Event, Severity
from dashboard.core.events.fieldpath import MISSING, lookup
from dashboard.core.lang.duration import SETTINGS, DurationRange
from dashboard.core.lang.query import Query, QueryError, parse

_COUNT = re.compile(
    r"\s*count\((?P<query>.*)\)\s*(?P<op>>=|<=|>|<|=)\s*(?P<n>\d+)\s*per\s+(?P<window>\S+)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_SPACED_OP = re.compile(r"(?<=[\w\]])\s*(>=|<=|!=|>|<|=)\s*(?=[^\s=<>])")
_PLACEHOLDER = re.compile(r"\{([^{}:]+)(?::([^{}]*))?\}")
_ENVELOPE = ("type", "source", "connection", "id")
# Alert states kept at once, of every rule and key; past it the one quiet longest is
# forgotten (a feed inventing hosts must not grow the monitor without end).
MAX_KEYS = 5_000
HOLDS = DurationRange(0.0, 365 * 86_400.0)  # a rule's "for": 0 (fire at once) to 365d
_OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
}


class RuleError(ValueError):
    """A rule that cannot be used: which rule, which setting (*key*), what is wrong."""

    def __init__(self, message: str, key: str = "name") -> None:
        super().__init__(message)
        self.key = key


class AlertState(Enum):
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"
    INACTIVE = "inactive"  # was pending, and stopped before it fired


@dataclass(frozen=True)
class CountCondition:
    query: Query
    op: str
    threshold: int
    window: float

    def holds(self, count: int) -> bool:
        return bool(_OPS[self.op](count, self.threshold))


@dataclass(frozen=True)
class AlertRule:
    name: str
    when: Query
    condition: Query | CountCondition
    hold: float = 0.0  # the rule's "for"
    severity: Severity = Severity.WARNING
    group_by: str = "source"
    message: str = "{rule} on {key}"
    enabled: bool = True  # a disabled rule stays in the layout; the monitor skips it


@dataclass(frozen=True)
class Transition:
    """An alert entering *state* at *at* (epoch seconds), with its rendered message."""

    rule: AlertRule
    key: str
    state: AlertState
    at: float
    message: str


def parse_rule(settings: Mapping[str, Any]) -> AlertRule:
    """A rule from its settings (a layout file's table); RuleError naming what is wrong."""
    name = str(settings.get("name") or "").strip()
    label = f"alert rule {name!r}" if name else "an alert rule"
    if not name:
        raise RuleError(f"{label}: give it a name")
    unknown = sorted(set(settings) - {"name", "when", "condition", "for", "severity",
                                       "group_by", "message", "enabled"})  # fmt: skip
    if unknown:
        raise RuleError(f"{label}: unknown setting {unknown[0]!r}", unknown[0])
    try:
        when = _query(str(settings.get("when", "")), "when")
    except ValueError as exc:
        raise RuleError(f"{label}, {exc}", "when") from None
    text = str(settings.get("condition") or "").strip()
    if not text:
        raise RuleError(
            f"{label}: give a condition, like cpu > 90 or count(...) > 5 per 1m", "condition"
        )
    try:
        condition = _condition(text)
    except ValueError as exc:
        raise RuleError(f"{label}, {exc}", "condition") from None
    try:
        hold = HOLDS.read(settings.get("for", 0), "for")
    except ValueError as exc:
        raise RuleError(f"{label}, {exc}", "for") from None
    severity_text = str(settings.get("severity", "warning"))
    severity = Severity.named(severity_text)
    if severity is None:
        raise RuleError(f"{label}, severity: {severity_text!r} is not a severity", "severity")
    enabled = settings.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RuleError(f"{label}, enabled: expected true or false, got {enabled!r}", "enabled")
    return AlertRule(
        name,
        when,
        condition,
        hold,
        severity,
        str(settings.get("group_by", "source")),
        str(settings.get("message", "{rule} on {key}")),
        enabled,
    )


def same_name(name: str) -> RuleError:
    """Two rules of one name would share their alerts: the second is refused."""
    return RuleError(f"alert rule {name!r}: another rule has this name", "name")


def _condition(text: str) -> Query | CountCondition:
    count = _COUNT.match(text)
    if count is None:
        if text.lower().startswith("count("):
            raise ValueError(f"condition: expected count(QUERY) > N per 1m, not {text!r}")
        return _query(text, "condition")
    query = _query(count["query"], "condition")
    window = SETTINGS.read(count["window"], "condition's window")
    return CountCondition(query, count["op"], int(count["n"]), window)


def _query(text: str, what: str) -> Query:
    """A query where ``cpu > 90`` may be written with spaces (the log's filter wants
    ``cpu>90``, where a lone ``>`` would be a word)."""
    tight = _SPACED_OP.sub(r"\1", text)
    try:
        return parse(tight)
    except QueryError as exc:
        raise ValueError(f"{what}: {exc}") from None


def key_of(event: Event, group_by: str) -> str:
    """The value an alert is grouped by: an envelope attribute or a payload path."""
    if not group_by:
        return ""
    if group_by in _ENVELOPE:
        return str(getattr(event, group_by) or "")
    path = group_by.removeprefix("data.")
    value = lookup(event.data, path)
    return "" if value is MISSING else str(value)


def render(template: str, event: Event | None, extra: Mapping[str, Any]) -> str:
    """The message with ``{source}``, ``{data.cpu}``, ``{data.cpu:.1f}``, ``{key}``,
    ``{rule}``, ``{count}`` filled in; what is missing shows as ``[data.cpu?]``."""

    def fill(match: re.Match[str]) -> str:
        name, spec = match[1].strip(), match[2]
        value: Any = extra.get(name, MISSING)
        if value is MISSING and event is not None:
            if name in (*_ENVELOPE, "severity", "time"):
                value = getattr(event, name)
                value = value.label if isinstance(value, Severity) else value
            else:
                value = lookup(event.data, name.removeprefix("data."))
        if value is MISSING or value is None:
            return f"[{name}?]"
        if spec:
            try:
                return format(value, spec)
            except (TypeError, ValueError):
                return str(value)
        return str(value)

    return _PLACEHOLDER.sub(fill, template)


@dataclass
class _KeyState:
    state: AlertState | None = None
    since: float = 0.0  # when the condition became true
    event: Event | None = None  # the newest event of the key
    times: deque[float] = field(default_factory=deque)  # counted events in the window


class RuleEngine:
    """Evaluates *rules* over events as they come; answers the state changes."""

    def __init__(self, rules: Iterable[AlertRule]) -> None:
        self.rules = list(rules)
        self._keys: dict[tuple[str, str], _KeyState] = {}  # the newest activity last
        self.forgotten = 0  # states dropped to keep MAX_KEYS

    def state(self, rule: AlertRule, key: str) -> AlertState | None:
        found = self._keys.get((rule.name, key))
        if found is None or found.state is AlertState.INACTIVE:
            return None
        return found.state

    def feed(
        self, events: Iterable[Event], by_type: Mapping[str, list[Event]] | None = None
    ) -> list[Transition]:
        """Take in a tick's events (*by_type*: the same grouped by type, when the caller
        has it), rule by rule; answers the changes in time order."""
        events = list(events)
        changes: list[Transition] = []
        for rule in self.rules:
            condition = rule.condition
            chosen = (
                rule.when.filter(events)
                if by_type is None
                else rule.when.filter_grouped(events, by_type)
            )
            for event in chosen:
                key = key_of(event, rule.group_by)
                if isinstance(condition, CountCondition):
                    if not condition.query.matches(event, event.time):
                        continue
                    slot = self._slot(rule, key)
                    slot.times.append(event.time)
                    slot.event = event
                    self._count(rule, key, slot, event.time, changes)
                else:
                    slot = self._slot(rule, key)
                    slot.event = event
                    holds = condition.matches(event, event.time)
                    self._step(rule, key, slot, holds, event.time, changes)
        changes.sort(key=lambda change: change.at)  # (stable: a rule's own order stays)
        return changes

    def tick(self, now: float) -> list[Transition]:
        """Let time pass: pending alerts whose ``for`` is over fire, counts lose old events."""
        changes: list[Transition] = []
        for rule in self.rules:
            for (name, key), slot in list(self._keys.items()):
                if name != rule.name:
                    continue
                if isinstance(rule.condition, CountCondition):
                    self._count(rule, key, slot, now, changes)
                elif slot.state is AlertState.PENDING:
                    self._step(rule, key, slot, True, now, changes)
        return changes

    def next_due(self) -> float | None:
        """The earliest time a rule's state may change with no new event: a pending alert's
        ``for`` running out, or a count's oldest event leaving its window (None: nothing
        waits). A headless replay ticks at these times, so its alerts fire when due."""
        by_name = {rule.name: rule for rule in self.rules}
        due: float | None = None
        for (name, _key), slot in self._keys.items():
            rule = by_name.get(name)
            if rule is None:
                continue
            when = None
            if slot.state is AlertState.PENDING:
                when = slot.since + rule.hold
            if isinstance(rule.condition, CountCondition) and slot.times:
                leaves = slot.times[0] + rule.condition.window
                when = leaves if when is None else min(when, leaves)
            if when is not None and (due is None or when < due):
                due = when
        return due

    def _slot(self, rule: AlertRule, key: str) -> _KeyState:
        """The state of *rule* for *key*, moved to the end (the newest activity)."""
        keys = self._keys
        slot = keys.pop((rule.name, key), None)
        if slot is None:
            slot = _KeyState()
            if len(keys) >= MAX_KEYS:
                del keys[next(iter(keys))]  # the one quiet longest
                self.forgotten += 1
        keys[(rule.name, key)] = slot
        return slot

    def _count(
        self, rule: AlertRule, key: str, slot: _KeyState, now: float, out: list[Transition]
    ) -> None:
        condition = rule.condition
        assert isinstance(condition, CountCondition)
        while slot.times and slot.times[0] <= now - condition.window:
            slot.times.popleft()
        self._step(rule, key, slot, condition.holds(len(slot.times)), now, out)

    def _step(
        self,
        rule: AlertRule,
        key: str,
        slot: _KeyState,
        holds: bool,
        now: float,
        out: list[Transition],
    ) -> None:
        state = slot.state
        if holds:
            if state in (None, AlertState.RESOLVED, AlertState.INACTIVE):
                slot.since = now
                slot.state = AlertState.PENDING
                if rule.hold > 0:
                    out.append(self._transition(rule, key, slot, now))
                    return
            if slot.state is AlertState.PENDING and now - slot.since >= rule.hold:
                slot.state = AlertState.FIRING
                out.append(self._transition(rule, key, slot, now))
        elif state is AlertState.FIRING:
            slot.state = AlertState.RESOLVED
            out.append(self._transition(rule, key, slot, now))
        elif state is AlertState.PENDING:
            slot.state = AlertState.INACTIVE  # it never fired: nothing to resolve
            out.append(self._transition(rule, key, slot, now))

    def _transition(self, rule: AlertRule, key: str, slot: _KeyState, now: float) -> Transition:
        extra = {"rule": rule.name, "key": key or "everything", "count": len(slot.times)}
        message = render(rule.message, slot.event, extra)
        assert slot.state is not None
        return Transition(rule, key, slot.state, now, message)
