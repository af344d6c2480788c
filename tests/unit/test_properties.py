"""Property-based tests: whatever a feed sends or a layout file holds, the decoder and the
layout loader answer with their documented results, never another exception."""

from __future__ import annotations

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Event, Rejected
from dashboard.core.events.nesting import too_deep
from dashboard.core.events.summary import summarize
from dashboard.core.layouts.layoutfile import (
    CARD_KEYS,
    CHART_KEYS,
    SERIES_KEYS,
    Layout,
    LayoutError,
    connection_keys,
    dumps,
    loads,
)
from dashboard.sources.registry import KINDS
from tests.unit.strategies import JSON, as_json, deep_in, deep_json

ENVELOPE = st.fixed_dictionaries(
    {},
    optional={
        "type": JSON,
        "time": JSON | st.sampled_from(["2026-11-23T10:42:13.250Z", "10:42", "-1", "1e400"]),
        "source": JSON,
        "severity": JSON | st.sampled_from(["warn", "FATAL", "", "7"]),
        "data": JSON,
        "id": JSON,
    },
)


@given(
    frame=st.binary(max_size=300)
    | ENVELOPE.map(as_json)
    | JSON.map(as_json)
    | deep_json()
    | deep_in(b'{"type": "a", "data": @}'),
    limit=st.sampled_from([200, 30_000]),
)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_the_decoder_answers_any_frame_with_an_event_or_a_reason(frame: bytes, limit: int) -> None:
    result = Decoder("c", max_frame_bytes=limit).decode(frame, received=1_700_000_000.0)
    assert isinstance(result, Event | Rejected)
    if isinstance(result, Rejected):
        assert result.reason and result.connection == "c"
    else:
        assert isinstance(result.type, str) and isinstance(result.time, float)
        assert not too_deep(result.data)  # (what is accepted can be written again)
        assert isinstance(summarize(result), str)


VALUE = st.recursive(
    st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["5m", "30s", "-1s", "never", "type:alert", "cpu>", "count(x) > 1 per 1m"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def table(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, object]]:
    """A table of known keys (and now and then an unknown one) with any values."""
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=6), VALUE, max_size=6)


DOCUMENT = st.fixed_dictionaries(
    {},
    optional={
        "version": VALUE,
        "title": VALUE,
        "connections": st.lists(table(connection_keys(KINDS)), max_size=2),
        "cards": st.lists(table(CARD_KEYS), max_size=3),
        "charts": st.lists(
            table(CHART_KEYS).map(lambda t: t)
            | st.builds(
                lambda t, s: {**t, "series": s},
                table(CHART_KEYS),
                st.lists(table(SERIES_KEYS), max_size=2),
            ),
            max_size=2,
        ),
        "rules": st.lists(
            table(("name", "when", "condition", "for", "severity", "group_by", "message")),
            max_size=2,
        ),
        "alerts": VALUE | table(("types", "min_severity", "connection_down")),
        "log": VALUE | table(("filter", "columns")),
        "window": VALUE | table(("arrangement",)),
    },
)


def toml_text(document: dict[str, object]) -> str | None:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):  # NaN keys and the like: not a file anyone can write
        return None


@given(document=DOCUMENT)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_the_layout_loader_answers_any_document_with_a_layout_or_a_layout_error(
    document: dict[str, object],
) -> None:
    text = toml_text(document)
    if text is None:
        return
    try:
        layout = loads(text, "shift.toml", kinds=KINDS)
    except LayoutError as error:
        assert str(error).startswith("shift.toml: ")
        return
    assert isinstance(layout, Layout)
    assert (
        loads(dumps(layout, KINDS), kinds=KINDS) == layout
    )  # what loads, saves and loads the same


@given(text=st.text(max_size=200))
@settings(max_examples=300)
def test_the_layout_loader_answers_any_text_with_a_layout_or_a_layout_error(text: str) -> None:
    try:
        loads(text, "x.toml", kinds=KINDS)
    except LayoutError as error:
        assert str(error).startswith("x.toml: ")
