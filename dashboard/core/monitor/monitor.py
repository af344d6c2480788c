"""The monitor: what watches the events for alerts, with no window.

It is fed the same batches as the panels (:meth:`Monitor.feed`) and the clock
(:meth:`Monitor.tick`, with each connection's health), and owns the layout's rule engine,
the alert book (pending, firing, resolved; acknowledgements; silences) and the alert
events the dashboard writes (``dashboard.alert.firing`` / ``dashboard.alert.resolved``),
made here as events (:meth:`Monitor.take_changes`, :meth:`AlertChange.event`). The window
shows its book and writes its events into the store; ``dashboard record`` writes them into
the recording and prints a line for each; a replay folds the recording's events into it
from the start, so a seek rebuilds the alert state; ``dashboard check-rules`` runs a
recording through it.

The dashboard's own alert events tell of alerts already noted: the monitor passes them
to neither the book nor the rules (a rule counting errors would otherwise count its own
alerts, and a replay would see each alert twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from dashboard.core.events.event import Event, Severity
from dashboard.core.monitor.alertbook import OWN_PREFIX, AlertBook, AlertEntry, Origin
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.monitor.rules import AlertRule, AlertState, RuleEngine, parse_rule

OWN_CONNECTION = "dashboard"  # the connection name of the dashboard's own alert events
Health = tuple[str, float | None]  # a connection's name, and since when it is down (or None)


@dataclass(frozen=True)
class AlertChange:
    """An alert that started firing or resolved, as it was at that moment."""

    state: AlertState  # FIRING or RESOLVED
    at: float  # when (the events' time, or the clock's)
    name: str  # the rule's name, the feed alert's name, or "connection down"
    key: str
    origin: Origin
    severity: Severity
    message: str
    record: dict[str, Any]  # the alert event's envelope

    def event(self, received: float) -> Event:
        """The alert event (``dashboard.alert.firing``...) that tells of this change."""
        record = self.record
        return Event(
            record["type"],
            self.at,
            received,
            record["source"],
            Severity.named(record["severity"]) or Severity.INFO,
            record["data"],
            orjson.dumps(record),  # what the store decodes it from again, if it must
            OWN_CONNECTION,
        )

    def line(self) -> str:
        """``ALERT firing: High CPU (critical): CPU on web-1 at 97%`` (the server's words
        in it are the caller's to make inert)."""
        return f"ALERT {self.state.value}: {self.name} ({self.severity.label}): {self.message}"


class Monitor:
    """Rules, alert book and connection health over the events it is fed.

    *rules* are rule tables as a layout holds them (checked by :func:`parse_rule`);
    *conventions* say which feed events are alerts and when a feed down is one.
    """

    def __init__(
        self,
        rules: Sequence[Mapping[str, Any]] = (),
        conventions: AlertConventions | None = None,
    ) -> None:
        self.book = AlertBook(conventions)
        self.rule_settings: list[dict[str, Any]] = []
        self.engine = RuleEngine([])
        self.configure(rules, self.book.conventions)

    # -- set-up ------------------------------------------------------------------------
    def configure(self, rules: Sequence[Mapping[str, Any]], conventions: AlertConventions) -> None:
        """Watch with these rules and conventions from now on (a layout was applied); the
        rules start from nothing, the alerts noted so far stay. A rule with
        ``enabled = false`` is kept (to be saved again) but not watched."""
        self.rule_settings = [dict(r) for r in rules]
        parsed = (parse_rule(r) for r in self.rule_settings)
        self.engine = RuleEngine(rule for rule in parsed if rule.enabled)
        self.book.conventions = conventions

    @property
    def conventions(self) -> AlertConventions:
        return self.book.conventions

    @property
    def rules(self) -> dict[str, AlertRule]:
        """The rules by name (what an alert's events are, for the log's filter)."""
        return {rule.name: rule for rule in self.engine.rules}

    def reset(self) -> None:
        """Forget every alert and rule state (a replay starts again from its first event);
        the operator's silences stay."""
        silences = self.book.silences
        self.book = AlertBook(self.book.conventions)
        self.book.silences = silences
        self.engine = RuleEngine(self.engine.rules)

    # -- what comes in -----------------------------------------------------------------
    def feed(
        self, events: Sequence[Event], by_type: Mapping[str, list[Event]] | None = None
    ) -> list[AlertEntry]:
        """A batch of events (*by_type*: the same grouped by type, when the caller has it);
        answers the entries that fired (for notifications)."""
        if by_type is not None:
            if any(name.startswith(OWN_PREFIX) for name in by_type):
                events = [e for e in events if not e.type.startswith(OWN_PREFIX)]
                by_type = None
        elif any(e.type.startswith(OWN_PREFIX) for e in events):
            events = [e for e in events if not e.type.startswith(OWN_PREFIX)]
        fired = self.book.add_feed_events(events)
        if self.engine.rules and events:
            fired += self.book.apply(self.engine.feed(events, by_type))
        return fired

    def tick(self, now: float, health: Iterable[Health] = ()) -> list[AlertEntry]:
        """Let time pass to *now*: rules held long enough fire, counts lose old events, and
        connections down for longer than the conventions allow fire (*health*: each
        connection's name and since when it is down, or None); answers what fired."""
        fired = self.book.apply(self.engine.tick(now)) if self.engine.rules else []
        after = self.conventions.connection_down
        for name, down_since in health:
            fired += self.book.connection(name, down_since, now, after)
        return fired

    def next_due(self) -> float | None:
        """When a rule's state may next change with no new event (see RuleEngine.next_due)."""
        return self.engine.next_due() if self.engine.rules else None

    # -- what goes out -----------------------------------------------------------------
    @property
    def noted(self) -> int:
        """Changes whenever the book took anything in (a view's cue to refresh)."""
        return self.book.noted

    def take_changes(self) -> list[AlertChange]:
        """The alerts that fired or resolved since the last call, in order."""
        return [
            AlertChange(
                change.state,
                change.at,
                change.entry.name,
                change.entry.key,
                change.entry.origin,
                change.severity,
                change.record["data"]["message"],
                change.record,
            )
            for change in self.book.take_changes()
            if change.state in (AlertState.FIRING, AlertState.RESOLVED)
        ]
