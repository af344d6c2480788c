"""The query language's bounds: how long a query may be and how deeply it may nest, said
as a QueryError with the column; a query at the bounds parses flat, in one pass, and is
evaluated, printed and compared without running out of stack; nothing else escapes."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.events.event import Severity
from dashboard.core.lang import query as query_module
from dashboard.core.lang.query import (
    MAX_QUERY_DEPTH,
    MAX_QUERY_LENGTH,
    AllOf,
    AnyOf,
    QueryError,
    Text,
    parse,
)
from dashboard.core.storage.store import EventStore
from tests.unit.factories import make_event

NOW = 1_795_430_000.0
DEEP_MESSAGE = (
    f"nested too deeply: at most {MAX_QUERY_DEPTH} levels of '(', NOT and '-' may hold one another"
)


def test_the_limits_are_the_documented_ones() -> None:
    assert (MAX_QUERY_LENGTH, MAX_QUERY_DEPTH) == (10_000, 64)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("(" * 65 + "a" + ")" * 65, 65),  # the 65th '(' is one too many
        ("(" * 1000 + "a" + ")" * 1000, 65),
        ("NOT " * 65 + "a", 257),  # the 65th NOT, at 64 * 4 + 1
        ("-" * 65 + "a", 65),
        ("x (" + "NOT (" * 32 + "a", 163),  # '(' and NOT count alike: the last '('
        ("(" * 64 + "a" + ")" * 64 + " (" + "(" * 64 + "b", 131 + 64),  # depth, not count
    ],
)
def test_nesting_deeper_than_the_limit_says_where(text: str, column: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert (caught.value.column, caught.value.message) == (column, DEEP_MESSAGE)
    assert text[column - 1] in "(N-"


@pytest.mark.parametrize(
    "text",
    [
        "(" * 64 + "a" + ")" * 64,
        "NOT " * 64 + "a",
        "-" * 64 + "a",
        "(" * 32 + "NOT " * 32 + "a" + ")" * 32,
        " ".join(["(" * 64 + "a" + ")" * 64] * 40),  # many siblings at the limit
    ],
)
def test_nesting_up_to_the_limit_parses(text: str) -> None:
    parse(text)


def test_a_query_longer_than_the_limit_says_where_the_limit_is() -> None:
    text = "a " * 5000 + "b"  # 10,001 characters
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert caught.value.column == 10_001
    assert caught.value.message == ("too long: 10,001 characters, and a query holds at most 10,000")
    assert parse(text[:-2]).root == AllOf((Text("a"),) * 5000)  # 9,999: fine


def test_a_long_query_is_checked_for_length_before_anything_else() -> None:
    """A mistake early in an over-long query is not what is reported: the length is."""
    with pytest.raises(QueryError, match=r"^column 10001: too long: 1,000,001 characters"):
        parse("(" + "x" * 1_000_000)


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the parser's look-aheads: one pass over the tokens takes a few per token."""
    counts = {"peek": 0}
    original = query_module._Parser._peek

    def peek(self: Any) -> Any:
        counts["peek"] += 1
        return original(self)

    monkeypatch.setattr(query_module._Parser, "_peek", peek)
    return counts


@pytest.mark.parametrize("joiner", [" OR ", " AND ", " "])
def test_a_long_flat_query_parses_flat_in_one_pass(
    joiner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = _counting(monkeypatch)
    terms = (MAX_QUERY_LENGTH - 1) // (len(joiner) + 2)
    text = joiner.join(["ab"] * terms)
    assert len(text) < MAX_QUERY_LENGTH
    root = parse(text).root
    kind = AnyOf if joiner == " OR " else AllOf
    assert isinstance(root, kind) and root.children == (Text("ab"),) * terms  # one level
    tokens = terms * (2 if joiner.strip() else 1)
    assert counts["peek"] <= 3 * tokens + 2


def test_look_aheads_grow_with_the_query_not_faster(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = _counting(monkeypatch)
    seen = []
    for groups in (25, 50, 100, 200):
        counts["peek"] = 0
        parse(" OR ".join(f"(a{n} b{n} OR NOT c{n})" for n in range(groups)))
        seen.append(counts["peek"])
    grew = [later - earlier for earlier, later in itertools.pairwise(seen)]
    assert grew[1] == 2 * grew[0] and grew[2] == 2 * grew[1]  # a constant cost per group


def _deepest() -> str:
    """An AND in an OR in an AND... 64 levels down: the deepest tree a query can make."""
    text = "z"
    for level in range(MAX_QUERY_DEPTH):
        text = f"(w{level} OR {text})" if level % 2 else f"(w{level} {text})"
    return text


def _events() -> list[Any]:
    """The first matches none of :func:`_deepest`'s words, the second every even one."""
    even = " ".join(f"w{level}" for level in range(0, MAX_QUERY_DEPTH, 2))
    return [
        make_event("metrics.update", {"cpu": 93.5, "host": "web-1"}),
        make_event("z", {"words": even}, source="db-1", severity=Severity.ERROR),
    ]


def _in_a_deep_stack(frames: int, work: Any) -> Any:
    """Run *work* with *frames* Python frames already below it (a Qt slot, an asyncio
    callback and the panels between them are a few dozen, not hundreds)."""
    if frames:
        return _in_a_deep_stack(frames - 1, work)
    return work()


def test_the_deepest_query_is_evaluated_printed_and_compared_with_room_to_spare() -> None:
    text = _deepest()
    store = EventStore(4)
    store.extend(_events())

    def work() -> Any:
        query = parse(text)
        block = store.columns(store.first_seq, store.end_seq)
        selected = list(query.select(block, now=NOW))
        matched = [query.matches(e, now=NOW) for e in _events()]
        return selected, matched, repr(query), str(query.root), query == parse(text)

    selected, matched, printed, _text, same = _in_a_deep_stack(300, work)
    assert selected == matched == [False, True] and same and printed.startswith("Query(")


def test_the_deepest_query_runs_in_a_thread_with_a_small_stack() -> None:
    """Evaluation recurses through C (``all``, ``any``) as well as Python: a thread's C
    stack, smaller than the main thread's, must hold the deepest query too."""
    outcome: list[object] = []

    def work() -> None:
        try:
            query = parse(_deepest())
            outcome.append([query.matches(e, now=NOW) for e in _events()])
        except BaseException as exc:  # reported below, in the test's thread
            outcome.append(exc)

    previous = threading.stack_size(512 * 1024)  # macOS's default for a thread
    try:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join(30)
    finally:
        threading.stack_size(previous)
    assert outcome == [[False, True]]


WORDS = ["a", "b", "x", "cpu", "AND", "OR", "NOT", "-", "(", ")", '"', ":", "=", "!=", "<",
         ">", ">=", "<=", "*", "?", "\\", "time", "severity", "type", "10", "-5m", " "]  # fmt: skip


@st.composite
def grammar_ish(draw: Any) -> str:
    """Random text from the query's own pieces, sometimes behind a long run of '(',
    NOT or '-' (past the depth limit), sometimes long (past the length limit)."""
    body = "".join(draw(st.lists(st.sampled_from(WORDS), max_size=60)))
    prefix = draw(st.sampled_from(["", "(", "NOT ", "-", "- ", "(NOT "]))
    repeat = draw(st.integers(min_value=0, max_value=400))
    text = prefix * repeat + body
    if draw(st.booleans()) and text:
        text *= draw(st.integers(min_value=1, max_value=MAX_QUERY_LENGTH // len(text) + 2))
    return text


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(grammar_ish())
def test_only_a_query_error_ever_escapes_the_parser(text: str) -> None:
    try:
        query = parse(text)
    except QueryError as error:
        assert 1 <= error.column <= min(len(text), MAX_QUERY_LENGTH) + 1
        return
    for event in _events():
        query.matches(event, now=NOW)
