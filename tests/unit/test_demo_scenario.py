"""The demo operation: believable, varied, repeatable, and decodable by our decoder."""

from __future__ import annotations

from collections import Counter

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Event, Rejected
from dashboard.feed.demo import HOSTS, DemoScenario
from dashboard.sources.sse_protocol import SSEParser


def run_scenario(n: int, **kwargs: object) -> list:
    scenario = DemoScenario(seed=3, **kwargs)  # type: ignore[arg-type]
    return [scenario.next(1_763_900_000.0 + i / 100) for i in range(n)]


def test_same_seed_same_events() -> None:
    assert [e.frame for e in run_scenario(300)] == [e.frame for e in run_scenario(300)]


def test_mix_of_kinds_and_envelopes() -> None:
    events = run_scenario(3000)
    kinds = Counter(e.type for e in events)
    for kind in (
        "metrics.update",
        "order.placed",
        "payment.processed",
        "inventory.updated",
        "email.sent",
        "delivery.dispatched",
        "user.logged_in",
    ):
        assert kinds[kind] > 20, kinds
    assert [e.id for e in events] == list(range(1, 3001))
    metrics = [e.body for e in events if e.type == "metrics.update"]
    assert {m["source"] for m in metrics} == set(HOSTS)
    assert all(0 < m["cpu"] <= 100 for m in metrics)
    assert any("specversion" in e.body for e in events)  # payments as CloudEvents
    assert any("what" in e.body for e in events)  # logins in the what/when/who shape


def test_every_frame_decodes_to_the_type_the_feed_meant() -> None:
    events = run_scenario(2000, junk=0.05)
    parser, decoder = SSEParser(), Decoder("demo")
    messages = parser.feed(b"".join(e.frame for e in events))
    assert len(messages) == len(events)
    for sent, message in zip(events, messages, strict=True):
        if message.oversized:
            assert sent.junk == "oversized"
            continue
        result = decoder.decode(
            message.data, received=0.0, event_type=message.event or None, event_id=message.id
        )
        if sent.junk:
            assert isinstance(result, Rejected), sent
        else:
            assert isinstance(result, Event) and result.type == sent.type, sent
            assert result.id == str(sent.id)


def test_alerts_come_with_severity_and_message() -> None:
    alerts = [e.body for e in run_scenario(20_000) if e.type == "alert"]
    assert alerts, "a long run should raise at least one alert"
    assert {a["severity"] for a in alerts} <= {"critical", "warning", "info"}
    assert all(a["message"].startswith(("CPU on", "Memory on")) for a in alerts)
