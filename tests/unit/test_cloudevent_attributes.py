"""A CloudEvent's attributes beyond the envelope (``subject``, ``datacontenttype``,
extensions such as ``traceparent``) are kept: searchable, exported, read back."""

from __future__ import annotations

import io

import orjson

from dashboard.core.events.decode import Decoder, event_attributes
from dashboard.core.events.event import Event
from dashboard.core.lang.query import parse
from dashboard.core.storage.recordformat import event_record, read_events, record_line
from dashboard.core.storage.store import EventStore

NOW = 1_795_430_533.0


def cloudevent(n: int, subject: str, **extra: object) -> bytes:
    return orjson.dumps(
        {"specversion": "1.0", "id": f"pay-{n}", "type": "payment.processed",
         "source": "payments", "subject": subject, "datacontenttype": "application/json",
         "data": {"amount": n}, **extra}
    )  # fmt: skip


def decoded(raw: bytes) -> Event:
    event = Decoder("ce").decode(raw, received=NOW)
    assert isinstance(event, Event)
    return event


def test_the_attributes_beyond_the_envelope_are_kept_and_exported() -> None:
    event = decoded(cloudevent(1, "order/17", traceparent="00-abc-01", partitionkey=7))
    assert (event.type, event.source, event.id, event.data) == (
        "payment.processed", "payments", "pay-1", {"amount": 1}
    )  # fmt: skip
    attributes = {
        "subject": "order/17",
        "datacontenttype": "application/json",
        "traceparent": "00-abc-01",
        "partitionkey": 7,
    }
    assert event_attributes(event.raw) == attributes
    assert event_record(event)["attributes"] == attributes
    event.seq = 0
    [again] = list(read_events(io.BytesIO(record_line(event)), "x.jsonl"))
    assert isinstance(again, Event) and event_attributes(again.raw) == attributes
    assert "attributes" not in event_record(decoded(b'{"type": "plain", "subject": "x"}'))


def test_attributes_are_searchable_the_same_on_events_and_on_store_columns() -> None:
    raws = [
        cloudevent(1, "order/17", traceparent="00-abc-01"),
        cloudevent(2, "order/18"),
        b'{"type": "order.placed", "subject": "order/17"}',  # a payload field, no attribute
        cloudevent(3, "refund/4", traceparent="00-def-01"),
    ]
    store = EventStore(100)
    decoder = Decoder("ce")
    store.register(decoder)
    for raw in raws:
        store.extend([decoder.decode(raw, received=NOW)])  # type: ignore[list-item]
    store.release(store.end_seq)
    block = store.columns(0, store.end_seq)
    events = store.events(0, store.end_seq)
    for text, expected in (
        ("attributes.subject:order/*", [True, True, False, False]),
        ("attributes.traceparent:*", [True, False, False, True]),
        ('attributes.datacontenttype="application/json"', [True, True, False, True]),
        ("-attributes.traceparent:*", [False, True, True, False]),
        ("subject:order/17", [False, False, True, False]),  # the payload's, as before
    ):
        query = parse(text)
        assert [query.matches(e, NOW) for e in events] == expected, text
        assert list(query.select(block, now=NOW)) == expected, text
