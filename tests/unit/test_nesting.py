"""How deep JSON may nest (64 levels), and writing a value of any depth without an error."""

from __future__ import annotations

import orjson
import pytest

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Rejected
from dashboard.core.events.nesting import CUT, MAX_DEPTH, TOO_DEEP, json_bytes, too_deep
from tests.unit.factories import nested, nested_text


@pytest.mark.parametrize("key", [None, "a"])
def test_sixty_four_levels_are_fine_and_sixty_five_too_deep(key: str | None) -> None:
    assert MAX_DEPTH == 64 and TOO_DEEP == "JSON nested deeper than 64 levels"
    assert not too_deep(nested(64, key=key)) and too_deep(nested(65, key=key))
    assert not too_deep({"a": [1, {"b": nested(61)}]}) and too_deep({"a": [1, {"b": nested(62)}]})
    assert not too_deep("text") and not too_deep(None) and not too_deep([])


def test_the_text_s_brackets_are_counted_first_as_an_upper_bound() -> None:
    """A text nests only as deep as it has brackets: few (or a short text) answer at once,
    without walking; brackets inside strings only make the count larger, never wrong."""
    deep = nested(65)
    assert not too_deep(deep, b"[1]")  # (the text given is trusted to hold the value)
    assert too_deep(deep, nested_text(65))
    assert not too_deep(nested(64), nested_text(64))
    text = b'["' + b"[" * 200 + b'"]'
    assert not too_deep(orjson.loads(text), text)


def test_the_decoder_rejects_a_frame_nested_too_deep_at_every_depth_orjson_reads() -> None:
    decoder = Decoder("c")
    for depth in (65, 254, 255, 300, 1000, 1024):
        frame = nested_text(depth)
        row = decoder.decode_row(frame, 1.0)
        assert isinstance(row, Rejected) and (row.reason, row.raw) == (TOO_DEEP, frame)
    past = decoder.decode_row(nested_text(1025), 1.0)
    assert isinstance(past, Rejected) and past.reason.startswith("invalid JSON: depth limit")
    assert decoder.decode_row(nested_text(64), 1.0)[5] == nested(64)  # type: ignore[index]


def test_any_value_is_written_past_orjson_s_limits() -> None:
    assert json_bytes(nested(254)) == orjson.dumps(nested(254))  # orjson's own limit: as is
    assert orjson.loads(json_bytes(nested(255))) == nested(63, leaf=[CUT])
    assert orjson.loads(json_bytes(nested(1000, key="k"))) == nested(63, key="k", leaf={"k": CUT})
    assert json_bytes({1: 2**70}, orjson.OPT_NON_STR_KEYS) == b'{"1": 1180591620717411303424}'
    indented = json_bytes([nested(300), 2**70], orjson.OPT_INDENT_2).decode()
    assert indented.startswith("[\n  [\n    [") and indented.endswith("1180591620717411303424\n]")
    assert json_bytes({"at": object}) == b'{"at":"<class \'object\'>"}'
