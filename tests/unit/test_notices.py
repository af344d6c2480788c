"""Desktop notices: new critical alerts at once, a storm as one summary, repeats once."""

from __future__ import annotations

from dashboard.core.events.event import Event, Severity
from dashboard.core.monitor.alertbook import AlertBook
from dashboard.core.monitor.notifications import QUIET_S, NoticeGate
from tests.unit.factories import make_event

T0 = 1_795_430_000.0


def alert(source: str, at: float, severity: Severity = Severity.CRITICAL, n: int = 0):  # type: ignore[no-untyped-def]
    return make_event(f"alert.{n}", {"message": f"alert {n} on {source}"}, source=source,
                      time=T0 + at, severity=severity)  # fmt: skip


def test_a_storm_of_ten_thousand_alerts_in_a_second_is_one_summary() -> None:
    book, gate = AlertBook(), NoticeGate()
    first = gate.offer(book.add_feed_events([alert("web-1", 0)]), T0)
    assert [(n.title, n.text) for n in first] == [("Critical: alert.0", "alert 0 on web-1")]
    storm = [
        alert(f"host-{i % 50}", i / 10_000, Severity.CRITICAL if i % 2 else Severity.ERROR, i % 7)
        for i in range(10_000)
    ]
    shown = []
    for start in range(0, 10_000, 500):  # as the ticks of one second bring them
        shown += gate.offer(book.add_feed_events(storm[start : start + 500]), T0 + start / 10_000)
    assert shown == []  # held: a notice went out just before
    (summary,) = gate.due(T0 + QUIET_S)
    critical = {(e.name, e.key) for e in book.shown() if e.severity is Severity.CRITICAL}
    assert summary.title == f"{len(critical) - 1:,} new alerts ({len(critical) - 1:,} critical)"
    assert summary.text.endswith("…") and summary.severity is Severity.CRITICAL
    assert gate.due(T0 + 2 * QUIET_S) == []  # nothing new since


def test_a_repeat_notifies_once_and_a_return_after_resolving_again() -> None:
    book, gate = AlertBook(), NoticeGate()
    assert len(gate.offer(book.add_feed_events([alert("db-1", 0)]), T0)) == 1
    assert gate.offer(book.add_feed_events([alert("db-1", 10)]), T0 + 10) == []
    book.add_feed_events([alert("db-1", 20, Severity.INFO)])  # resolved
    (again,) = gate.offer(book.add_feed_events([alert("db-1", 30)]), T0 + 30)
    assert again.text == "alert 0 on db-1"


def test_below_the_chosen_severity_or_switched_off_nothing_shows() -> None:
    book = AlertBook()
    fired = book.add_feed_events([alert("web-1", 0, Severity.WARNING)])
    assert NoticeGate(Severity.CRITICAL).offer(fired, T0) == []
    assert len(NoticeGate(Severity.WARNING).offer(fired, T0)) == 1
    assert NoticeGate(None).offer(fired, T0) == []


def test_a_recovery_while_its_firing_is_held_is_not_told_as_the_firing() -> None:
    book, gate = AlertBook(), NoticeGate()

    def cpu(at: float, percent: int, severity: Severity) -> Event:
        words = "back to" if severity < Severity.WARNING else "at"
        return make_event("alert.cpu", {"message": f"CPU on db-1 {words} {percent}%"},
                          source="db-1", time=T0 + at, severity=severity)  # fmt: skip

    assert len(gate.offer(book.add_feed_events([alert("web-1", 0)]), T0)) == 1
    assert gate.offer(book.add_feed_events([cpu(1, 97, Severity.CRITICAL)]), T0 + 1) == []
    assert gate.offer(book.add_feed_events([cpu(2, 75, Severity.INFO)]), T0 + 2) == []
    (notice,) = gate.due(T0 + QUIET_S)
    assert (notice.title, notice.text, notice.severity) == (
        "Critical: alert.cpu",
        "CPU on db-1 at 97% (since resolved: CPU on db-1 back to 75%)",
        Severity.CRITICAL,
    )
