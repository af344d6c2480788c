"""Fuzz targets for the transports' pure parts: whatever a sender sends (random bytes, random
JSON, JSON nested up to 1,100 levels), webhooks, WebSocket presets, line splitting, log
lines and watch streams answer with their documented results (an event's frame or a
rejected frame with a reason), never an exception. Every frame they make decodes, so a
connection's received = accepted + rejected holds."""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Rejected, Severity
from dashboard.core.events.nesting import TOO_DEEP, too_deep
from dashboard.core.transport.linesplit import LineSplitter, Oversized
from dashboard.core.transport.logline import line_row, read_log_line
from dashboard.core.transport.watchresume import DockerResume, KubernetesResume
from dashboard.core.transport.watchshapes import KUBERNETES, Shape, recognise
from dashboard.core.transport.webhooks import webhook_frames
from dashboard.core.transport.wspresets import GRAPHQL, HOME_ASSISTANT, Outcome, interpret
from tests.unit.strategies import ANY_JSON, deep_in

RECEIVED = 1_795_430_000.0
FEW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WEBHOOK_BODY = (
    ANY_JSON
    | st.binary(max_size=200)
    | deep_in(b'{"repository": {"full_name": "acme/shop"}, "ref": @}')
    | deep_in(
        b'{"groupKey": "g", "status": "firing", "alerts": [{"labels": '
        b'{"alertname": "A"}, "annotations": @}, @]}'
    )
    | deep_in(b'{"type": "deploy", "data": @}')
)
HEADERS = st.sampled_from([{}, {"x-github-event": "push", "x-github-delivery": "d-1"}])


def decodes(decoder: Decoder, frame: bytes) -> bool:
    """Whether *frame* decodes to an event (False: a rejected frame with a reason)."""
    row = decoder.decode_row(frame, RECEIVED)
    if isinstance(row, Rejected):
        assert row.reason
        return False
    return True


@given(body=WEBHOOK_BODY, headers=HEADERS)
@FEW
def test_a_webhook_body_is_events_or_one_rejected_frame(body: bytes, headers: dict) -> None:
    decoder = Decoder("hook")
    meta = {"path": "/", "remote": "127.0.0.1", "headers": headers}
    made = webhook_frames(body, headers, meta, decoder, RECEIVED)
    if isinstance(made, Rejected):
        assert made.reason and made.raw == body and made.size == len(body)
        return
    for frame, event_id in made:
        assert isinstance(frame, bytes) and (event_id is None or isinstance(event_id, str))
        decodes(decoder, frame)
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return
    assert not too_deep(value), "a body nested too deep must be rejected whole"


PRESET_MESSAGE = (
    ANY_JSON
    | st.binary(max_size=100)
    | deep_in(b'{"type": "next", "id": "1", "payload": {"data": {"orders": @}}}')
    | deep_in(b'{"type": "next", "id": "1", "payload": {"data": {"a": @, "b": 1}}}')
    | deep_in(b'{"type": "next", "id": "1", "payload": {"errors": [@]}}')
    | deep_in(b'{"type": "error", "id": "1", "payload": @}')
    | deep_in(b'{"type": "event", "event": {"event_type": "t", "context": @, "data": @}}')
    | deep_in(b'{"type": "result", "success": false, "error": {"message": @}}')
    | deep_in(b'{"type": @}')
)


@given(preset=st.sampled_from([GRAPHQL, HOME_ASSISTANT]), message=PRESET_MESSAGE)
@FEW
def test_a_preset_message_is_an_outcome_whose_frame_decodes(preset: str, message: bytes) -> None:
    outcome = interpret(preset, message)
    assert isinstance(outcome, Outcome)
    said = [x for x in (outcome.frame, outcome.reply, outcome.rejected, outcome.ended,
                        outcome.stop) if x is not None]  # fmt: skip
    assert len(said) <= 1
    if outcome.frame is not None:
        decodes(Decoder("ws"), outcome.frame)
    for text in (outcome.rejected, outcome.stop, outcome.ended):
        assert text is None or (text and "\x1b" not in text)


@given(
    data=st.lists(ANY_JSON | st.binary(max_size=60), max_size=6),
    cuts=st.lists(st.integers(1, 50), min_size=1, max_size=6),
    limit=st.integers(1, 300),
    documents=st.booleans(),
)
@FEW
def test_lines_are_cut_within_the_limit_whatever_the_chunks(
    data: list[bytes], cuts: list[int], limit: int, documents: bool
) -> None:
    stream = b"\n".join(data) + b"\n"
    splitter = LineSplitter(limit, documents=documents)
    lines: list[bytes | Oversized] = []
    at, index = 0, 0
    while at < len(stream):
        size = cuts[index % len(cuts)]
        lines += splitter.feed(stream[at : at + size])
        at, index = at + size, index + 1
    lines += splitter.flush()
    decoder = Decoder("file", max_frame_bytes=limit)
    for line in lines:
        if isinstance(line, Oversized):
            assert line.size > limit and len(line.preview) <= max(limit, 4096)
            continue
        assert line and len(line) <= limit and (documents or b"\n" not in line)
        row = line_row(decoder, line, RECEIVED)
        assert isinstance(row, tuple | Rejected)


@given(line=ANY_JSON | st.binary(max_size=120) | st.text(max_size=120).map(str.encode))
@FEW
def test_a_log_line_is_a_row_or_a_rejected_frame(line: bytes) -> None:
    when, severity = read_log_line(line.decode("utf-8", "replace"), RECEIVED)
    assert when is None or isinstance(when, float)
    assert severity is None or isinstance(severity, Severity)
    row = line_row(Decoder("file"), line, RECEIVED)
    if isinstance(row, Rejected):
        assert row.reason
    else:
        assert isinstance(row[0], str) and isinstance(row[1], float) and row[6] == line


WATCH_LINE = (
    ANY_JSON
    | deep_in(
        b'{"type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "p", '
        b'"namespace": "n", "resourceVersion": "7"}, "spec": @}}'
    )
    | deep_in(b'{"type": "ERROR", "object": @}')
    | deep_in(b'{"type": @, "object": @}')
    | deep_in(b'{"Type": "container", "Action": "die", "Actor": @, "timeNano": 1}')
    | deep_in(b'{"Type": @, "Action": @, "Actor": {"Attributes": @}}')
)


@given(lines=st.lists(WATCH_LINE, min_size=1, max_size=4), items=st.lists(WATCH_LINE, max_size=4))
@FEW
def test_watch_lines_and_relists_are_shapes_lines_or_rejected(
    lines: list[bytes], items: list[bytes]
) -> None:
    """As the JSON-lines reader takes them: a line too deep is no shape (the decoder then
    rejects it); the rest is recognised or not, noted for resuming; a relist page's
    objects come back as lines that decode, or rejected when too deep."""
    kubernetes, docker, decoder = KubernetesResume(), DockerResume(), Decoder("watch")
    for line in lines:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if type(value) is not dict or too_deep(value, line):
            continue
        shape = recognise(value)
        assert shape is None or isinstance(shape, Shape)
        if shape is None:
            continue
        if shape.api == KUBERNETES:
            kubernetes.seen(value["type"], value["object"], shape.version)  # type: ignore[arg-type]
        else:
            docker.seen(shape.version, line)  # type: ignore[arg-type]
        assert isinstance(decoder.payload(line, shape.type), object)
    listed = []
    for item in items:
        try:
            listed.append(orjson.loads(item))
        except orjson.JSONDecodeError:
            continue
    kubernetes.begin_relist()
    out = kubernetes.relisted("Pod", listed, RECEIVED, "watch")
    out += kubernetes.end_relist("Pod", "9")
    for made in out:
        if isinstance(made, Rejected):
            assert made.reason == f"a listed Pod: {TOO_DEEP}" and made.connection == "watch"
        else:
            decodes(decoder, made)
