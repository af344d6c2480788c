"""One-line summaries, the alert convention and the rate meter."""

from __future__ import annotations

import pytest

from dashboard.core.events.event import Severity
from dashboard.core.events.summary import one_line, summarize
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.panels.rate import RateMeter
from tests.unit.factories import make_event


def test_summary_puts_the_message_first_then_key_values() -> None:
    event = make_event("alert", {"cpu": 93.0, "message": "CPU on web-2 at 93%", "host": "a b"})
    assert summarize(event) == 'CPU on web-2 at 93% cpu=93 host="a b"'


def test_summary_headline_can_be_a_reason_or_error() -> None:
    event = make_event("payment.failed", {"order_id": "ord-1", "reason": "card declined"})
    assert summarize(event) == "card declined order_id=ord-1"
    assert summarize(make_event(data={"error": 5, "msg": "boom"})) == "boom error=5"


def test_summary_of_nested_values_and_text_and_scalars() -> None:
    assert summarize(make_event(data={"d": {"ip": "192.0.2.1"}, "ok": True, "n": None})) == (
        'd={"ip":"192.0.2.1"} ok=true n=null'
    )
    assert summarize(make_event(data="line one\nline two")) == "line one line two"
    assert summarize(make_event(data=[1, 2])) == "[1,2]"


def test_summary_is_cut_and_controls_are_neutralised() -> None:
    long = summarize(make_event(data="x" * 1000), limit=50)
    assert len(long) == 50 and long.endswith("…")
    assert one_line("a\x00b\x1b[31mc\u202ed\ne") == "a\\x00b\\x1b[31mc\\u202ed e"


@pytest.mark.parametrize(
    ("etype", "severity", "expected"),
    [
        ("alert", Severity.INFO, True),
        ("alert.cpu", Severity.INFO, True),
        ("alerting", Severity.INFO, False),
        ("order.placed", Severity.WARNING, True),
        ("order.placed", Severity.NOTICE, False),
        ("x", Severity.CRITICAL, True),
    ],
)
def test_alert_convention(etype: str, severity: Severity, expected: bool) -> None:
    assert AlertConventions().is_alert(make_event(etype, severity=severity)) is expected


def test_alert_conventions_are_configurable() -> None:
    only_alarms = AlertConventions(types=("alarm.*", "pager"), min_severity="none")
    assert only_alarms.is_alert(make_event("alarm.disk"))
    assert only_alarms.is_alert(make_event("pager"))
    assert not only_alarms.is_alert(make_event("alert", severity=Severity.CRITICAL))
    errors_up = AlertConventions(types=(), min_severity="error")
    assert errors_up.is_alert(make_event("x", severity=Severity.ERROR))
    assert not errors_up.is_alert(make_event("alert.cpu", severity=Severity.WARNING))
    with pytest.raises(ValueError, match="min_severity: 'loud' is not a severity"):
        AlertConventions(min_severity="loud")


def test_rate_meter_over_a_sliding_window() -> None:
    meter = RateMeter(window=2.0)
    assert meter.update(0.0, 0) == 0.0
    assert meter.update(1.0, 100) == 100.0
    assert meter.update(2.0, 300) == 150.0
    assert meter.update(3.0, 300) == pytest.approx(100.0)  # window now 1..3
    assert meter.update(5.0, 300) == 0.0
