"""The monitor without Qt: rules, feed alerts, connection health and alert events, alert
identity, silences, and a recording run through it headlessly."""

from __future__ import annotations

import tomllib
from pathlib import Path

import orjson
import pytest

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Event, Severity
from dashboard.core.events.summary import one_line
from dashboard.core.monitor import OWN_CONNECTION, Monitor, run_through
from dashboard.core.monitor.alertbook import (
    MAX_SILENCES,
    AlertBook,
    silences_from_json,
    silences_json,
)
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.monitor.rules import AlertState
from tests.unit.factories import make_event

T0 = 1_795_430_000.0
ROOT = Path(__file__).resolve().parents[2]
CPU_RULE = {
    "name": "High CPU",
    "when": "type:metrics.update",
    "condition": "cpu > 90",
    "for": "30s",
    "severity": "critical",
    "message": "CPU on {source} at {data.cpu}%",
}
ERRORS_RULE = {
    "name": "Errors",
    "condition": "count(severity>=error) > 2 per 1m",
    "group_by": "",
    "severity": "error",
    "message": "{count} errors in a minute",
}


def cpu(source: str, value: float, at: float) -> Event:
    return make_event("metrics.update", {"cpu": value}, source=source, time=T0 + at)


def test_rules_fire_and_resolve_into_alert_events_made_as_events() -> None:
    monitor = Monitor([CPU_RULE])
    assert monitor.feed([cpu("web-1", 95, 0)]) == []  # pending
    assert monitor.take_changes() == []
    assert monitor.tick(T0 + 29) == []
    (entry,) = monitor.tick(T0 + 31)
    assert (entry.name, entry.key, entry.state) == ("High CPU", "web-1", AlertState.FIRING)
    monitor.feed([cpu("web-1", 40, 40)])
    changes = monitor.take_changes()
    assert [(c.state, c.at - T0, c.line()) for c in changes] == [
        (AlertState.FIRING, 31, "ALERT firing: High CPU (critical): CPU on web-1 at 95%"),
        (AlertState.RESOLVED, 40, "ALERT resolved: High CPU (critical): CPU on web-1 at 40%"),
    ]
    firing = changes[0].event(received=T0 + 32)
    assert (firing.type, firing.connection, firing.source, firing.severity, firing.time) == (
        "dashboard.alert.firing",
        OWN_CONNECTION,
        "web-1",
        Severity.CRITICAL,
        T0 + 31,
    )
    assert firing.data == {
        "alert": "High CPU",
        "origin": "rule",
        "key": "web-1",
        "message": "CPU on web-1 at 95%",
        "count": 1,
    }
    decoded = Decoder(OWN_CONNECTION).decode(firing.raw, received=T0)  # what the store keeps
    assert isinstance(decoded, Event)
    assert (decoded.type, decoded.data, decoded.time) == (firing.type, firing.data, T0 + 31)
    assert changes[1].event(T0).severity is Severity.INFO
    assert monitor.take_changes() == []


def test_the_monitor_s_own_alert_events_are_neither_alerts_nor_counted_by_rules() -> None:
    monitor = Monitor([ERRORS_RULE])
    errors = [make_event("job.failed", time=T0 + n, severity=Severity.ERROR) for n in range(3)]
    monitor.feed(errors)
    (fired,) = [c for c in monitor.take_changes() if c.name == "Errors"]
    own = fired.event(T0 + 3)
    assert own.severity is Severity.ERROR
    by_type = {own.type: [own]}
    for _ in range(5):  # fed back, as the window's store hands them back each tick
        assert monitor.feed([own], by_type) == []
        assert monitor.feed([own]) == []
    entries = list(monitor.book.entries.values())
    feed_alerts = [e for e in entries if e.origin.value == "feed"]
    assert [e.name for e in feed_alerts] == ["job.failed"]  # three errors: one feed alert
    assert [e.count for e in entries if e.name == "Errors"] == [1]
    assert monitor.take_changes() == []


def test_connection_health_fires_once_and_resolves() -> None:
    monitor = Monitor(conventions=AlertConventions(connection_down=30.0))
    assert monitor.tick(T0 + 10, [("orders", T0)]) == []
    (fired,) = monitor.tick(T0 + 31, [("orders", T0), ("payments", None)])
    assert fired.message == "orders has been down for 31 s"
    assert monitor.tick(T0 + 40, [("orders", T0)]) == []
    monitor.tick(T0 + 45, [("orders", None)])
    assert [c.line() for c in monitor.take_changes()] == [
        "ALERT firing: connection down (error): orders has been down for 31 s",
        "ALERT resolved: connection down (error): orders is back",
    ]


def test_configure_and_reset_keep_what_they_should() -> None:
    monitor = Monitor([CPU_RULE])
    monitor.book.silence("High CPU", "db-1", until=T0 + 600, note="maintenance")
    monitor.feed([make_event("alert.disk", source="db-1", time=T0, severity=Severity.ERROR)])
    monitor.configure([ERRORS_RULE], AlertConventions(types=("alert.*",)))
    assert list(monitor.rules) == ["Errors"] and monitor.rule_settings == [ERRORS_RULE]
    assert len(monitor.book.entries) == 1  # a new layout keeps the alerts noted
    monitor.reset()
    assert monitor.book.entries == {} and monitor.book.conventions.types == ("alert.*",)
    assert [s.note for s in monitor.book.silences] == ["maintenance"]


# -- alert identity ----------------------------------------------------------------------
def alert(name_field: str, name: str, at: float, severity: Severity, **data: object) -> Event:
    payload = {"message": f"{name} on checkout", **data}
    if name_field:
        payload[name_field] = name
    return make_event("alert", payload, source="checkout", time=T0 + at, severity=severity)


@pytest.mark.parametrize("name_field", ["alertname", "name", "alert_name"])
def test_a_cpu_and_a_memory_alert_from_one_service_stay_apart(name_field: str) -> None:
    book = AlertBook()
    book.add_feed_events(
        [
            alert(name_field, "HighCPU", 0, Severity.CRITICAL),
            alert(name_field, "HighMemory", 1, Severity.WARNING),
            alert(name_field, "HighCPU", 2, Severity.CRITICAL),
        ]
    )
    shown = {e.name: e for e in book.shown()}
    assert sorted(shown) == ["HighCPU", "HighMemory"]
    cpu_alert, memory = shown["HighCPU"], shown["HighMemory"]
    assert (cpu_alert.severity, cpu_alert.count, memory.severity, memory.count) == (
        Severity.CRITICAL, 2, Severity.WARNING, 1
    )  # fmt: skip
    assert (cpu_alert.key, memory.key, cpu_alert.name_field) == ("checkout", "checkout", name_field)
    book.acknowledge(memory)
    assert book.unacknowledged == 1  # the CPU alert still waits
    book.add_feed_events([alert(name_field, "HighCPU", 3, Severity.INFO)])  # CPU back to normal
    assert (cpu_alert.state, memory.state) == (AlertState.RESOLVED, AlertState.FIRING)
    assert (memory.acknowledged, cpu_alert.acknowledged) == (True, False)


def test_labels_and_alertmanager_s_shape_are_part_of_the_identity() -> None:
    book = AlertBook()

    def am(status: str, instance: str, at: float) -> Event:
        labels = {"alertname": "DiskFull", "instance": instance, "severity": "critical"}
        data = {"status": status, "labels": labels, "message": f"disk on {instance}"}
        return make_event("alert", data, source="am", time=T0 + at, severity=Severity.CRITICAL)

    book.add_feed_events([am("firing", "db-1", 0), am("firing", "db-2", 1)])
    entries = {dict(e.labels)["instance"]: e for e in book.shown()}
    assert sorted(entries) == ["db-1", "db-2"]
    assert entries["db-1"].labels == (("instance", "db-1"), ("severity", "critical"))
    assert entries["db-1"].name == "DiskFull"
    book.add_feed_events([am("resolved", "db-1", 2)])
    assert (entries["db-1"].state, entries["db-2"].state) == (
        AlertState.RESOLVED, AlertState.FIRING
    )  # fmt: skip
    record = book.take_changes()[0].record
    assert record["data"]["labels"] == {"instance": "db-1", "severity": "critical"}


def test_without_a_name_field_the_type_names_the_alert_as_before() -> None:
    book = AlertBook()
    book.add_feed_events([make_event("alert.cpu", {"name": {"not": "text"}}, time=T0,
                                     severity=Severity.ERROR)])  # fmt: skip
    (entry,) = book.shown()
    assert (entry.name, entry.event_type, entry.name_field) == ("alert.cpu", "alert.cpu", "")


def test_the_book_is_bounded_however_many_alerts_a_feed_invents() -> None:
    from dashboard.core.monitor.alertbook import MAX_ENTRIES

    book = AlertBook()
    book.add_feed_events(
        make_event("alert", {"alertname": f"A{n}"}, time=T0 + n, severity=Severity.ERROR)
        for n in range(MAX_ENTRIES + 10)
    )
    assert len(book.entries) == MAX_ENTRIES and book.forgotten == 10
    assert {e.name for e in book.shown()[-1:]} == {"A10"}  # the ones idle longest went


def test_labels_are_bounded() -> None:
    book = AlertBook()
    labels = {f"k{n:03d}": "v" * 500 for n in range(100)}
    book.add_feed_events([make_event("alert", {"labels": labels}, time=T0,
                                     severity=Severity.ERROR)])  # fmt: skip
    (entry,) = book.shown()
    assert len(entry.labels) == 20 and {len(v) for _k, v in entry.labels} == {100}


# -- silences ----------------------------------------------------------------------------
def test_silences_list_end_early_carry_a_note_and_are_bounded() -> None:
    book = AlertBook()
    whole = book.silence("High CPU", None, until=T0 + 600, note="deploying")
    one = book.silence("disk", "db-1", until=T0 + 60)
    assert book.active_silences(T0) == [one, whole]  # soonest to end first
    assert (whole.matcher, one.matcher) == ("every key", "key = db-1")
    noted = book.set_note(one, "ana: replacing the disk")
    assert book.active_silences(T0) == [noted, whole] and noted.until == one.until
    assert book.active_silences(T0 + 61) == [whole]  # ended ones leave the list
    book.unsilence(whole)
    assert book.active_silences(T0) == []
    for n in range(MAX_SILENCES + 5):
        book.silence(f"rule {n}", None, until=T0 + 600)
    assert len(book.silences) == MAX_SILENCES and book.silences[0].name == "rule 5"


def test_a_silenced_alert_shows_the_silence_that_covers_it() -> None:
    book = AlertBook()
    book.add_feed_events([make_event("alert.cpu", time=T0, severity=Severity.ERROR)])
    (entry,) = book.shown()
    silence = book.silence("alert.cpu", "web-1", until=T0 + 60)
    assert book.silenced_by(entry, T0 + 1) == silence
    assert book.silenced_by(entry, T0 + 61) is None
    book.unsilence(silence)
    assert book.silenced_by(entry, T0 + 1) is None


def test_silences_are_kept_as_json_and_read_back_carefully() -> None:
    book = AlertBook()
    book.silence("High CPU", None, until=T0 + 600, note="deploying")
    book.silence("disk", "db-1", until=T0 + 60)
    text = silences_json(book.silences)
    assert silences_from_json(text, T0) == book.silences
    assert [s.name for s in silences_from_json(text, T0 + 100)] == ["High CPU"]
    junk = orjson.dumps([{"name": 5}, "x", {"name": "a", "key": None, "until": "soon"}])
    assert silences_from_json(junk.decode(), T0) == []
    assert silences_from_json("not json", T0) == []


# -- a recording run through the rules, headlessly -----------------------------------------
def test_a_for_rule_fires_when_due_even_with_no_event_then() -> None:
    failures = {**ERRORS_RULE, "condition": "count(type:job.failed) > 2 per 1m"}
    monitor = Monitor([CPU_RULE, failures])
    events = [cpu("web-1", 95, 0), cpu("web-1", 96, 10)]
    events += [make_event("job.failed", time=T0 + 100 + n)
               for n in range(3)]  # fmt: skip
    events += [cpu("web-1", 40, 200), cpu("web-1", 40, 300)]
    changes = [(c.name, c.state.value, round(c.at - T0, 3)) for c in run_through(monitor, events)]
    assert changes == [
        ("High CPU", "firing", 30.0),  # when due, not at the next event (t=100)
        ("Errors", "firing", 102.0),
        ("Errors", "resolved", 160.0),  # the first error left the minute
        ("High CPU", "resolved", 200.0),
    ]


def test_nothing_is_ticked_past_the_last_event() -> None:
    monitor = Monitor([CPU_RULE])
    assert list(run_through(monitor, [cpu("web-1", 95, 0), cpu("web-1", 95, 20)])) == []
    (entry,) = monitor.book.shown()
    assert entry.state is AlertState.PENDING


def test_the_monitor_is_in_the_import_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    monitor = next(
        c for c in config["contracts"] if c.get("source_modules") == ["dashboard.core.monitor"]
    )
    assert {"PySide6", "dashboard.ui", "dashboard.sources"} <= set(monitor["forbidden_modules"])


def test_a_feed_alert_s_event_records_its_message_in_the_feed_s_own_words() -> None:
    """It stored the message escaped and on one line (``\\x1b``, ``\\u202e`` as text): the
    recording held altered data. Raw, cut at MESSAGE_TEXT characters; escaped where shown."""
    from dashboard.core.monitor.feedalerts import MESSAGE_TEXT

    said = "disk \x1b[2J full\non db-1 \u202eevil"
    long = "x" * 1_000
    monitor = Monitor([])
    monitor.feed([
        make_event("alert", {"alertname": "Disk", "message": said}, severity=Severity.ERROR),
        make_event("alert", {"alertname": "Long", "message": long}, severity=Severity.ERROR),
    ])  # fmt: skip
    disk, cut = (change.event(T0).data["message"] for change in monitor.take_changes())
    assert disk == said + " alertname=Disk"  # (the summary: the message, then the rest)
    assert cut == "x" * (MESSAGE_TEXT - 1) + "…"
    (shown,) = [e for e in monitor.book.shown() if e.name == "Disk"]
    assert one_line(shown.message) == "disk \\x1b[2J full on db-1 \\u202eevil alertname=Disk"
