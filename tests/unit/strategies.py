"""Hypothesis strategies for the fuzz targets: random JSON as producers write it, and JSON
nested up to 1,100 levels (past orjson's 254 for writing and 1,024 for reading), written
as text (neither orjson nor the json module writes it)."""

from __future__ import annotations

import json

from hypothesis import strategies as st

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
# The depths where something changes: the decoder's limit, orjson's limits for writing and
# reading; and any other up to 1,100.
DEPTH = st.sampled_from([63, 64, 65, 66, 253, 254, 255, 256, 1023, 1024, 1025]) | st.integers(
    0, 1100
)
LEAF = st.none() | st.integers() | st.text(max_size=8) | st.lists(st.integers(), max_size=3)
LEVEL = st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'[1,{"k":', b"}]")])


def as_json(value: object) -> bytes:
    """JSON as producers write it, big integers and NaN included (orjson refuses those)."""
    return json.dumps(value).encode()


@st.composite
def deep_json(draw: st.DrawFn) -> bytes:
    """A JSON text nested DEPTH levels of arrays, objects or both, around a small value."""
    depth = draw(DEPTH)
    levels = draw(st.lists(LEVEL, min_size=1, max_size=3))
    leaf = as_json(draw(LEAF))
    opening = b"".join(levels[i % len(levels)][0] for i in range(depth))
    closing = b"".join(levels[i % len(levels)][1] for i in reversed(range(depth)))
    return opening + leaf + closing


ANY_JSON = JSON.map(as_json) | deep_json()


@st.composite
def deep_in(draw: st.DrawFn, template: bytes) -> bytes:
    """*template* with its ``@`` replaced by random or deep JSON."""
    return template.replace(b"@", draw(ANY_JSON))
