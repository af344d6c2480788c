"""Layout files past the bounds: too deep, too many, too big, not UTF-8, or holding a
query past the query language's bounds. Each is a LayoutError naming the file, the line
(and column, where the text says it) and the key, as every other layout mistake is."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.layouts import layoutfile as layouts
from dashboard.core.layouts.layoutfile import LayoutError, loads
from dashboard.core.layouts.tomlguard import check_text
from dashboard.sources.registry import KINDS

DEEP_QUERY = "(" * 400 + "cpu>1" + ")" * 400
QUERY_TOO_DEEP = (
    "column 65: nested too deeply: at most 64 levels of '(', NOT and '-' may hold one another"
)
TOML_TOO_DEEP = "nested too deeply: at most 16 levels of tables, arrays and dotted keys"


def test_the_limits_are_the_documented_ones() -> None:
    assert (layouts.MAX_FILE_SIZE, layouts.MAX_NESTING, layouts.MAX_ENTRIES) == (
        1 << 20,
        16,
        1000,
    )
    assert layouts.MAX_TABLES == {
        "connections": 200,
        "cards": 200,
        "charts": 50,
        "rules": 500,
        "panels": 50,
    }
    assert layouts.MAX_SERIES == 50


def _error(text: str) -> str:
    with pytest.raises(LayoutError) as caught:
        loads(text, "f.toml", kinds=KINDS)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"[[cards]]\nfield = 'cpu'\nquery = '{DEEP_QUERY}'\n",
            f"f.toml: line 1: cards[1]: query: {QUERY_TOO_DEEP}",
        ),
        (
            f"[[charts]]\ntitle = 'T'\n[[charts.series]]\nquery = '{DEEP_QUERY}'\n",
            f"f.toml: line 1: charts[1] ('T'): series[1]: query: {QUERY_TOO_DEEP}",
        ),
        (
            f"[[charts]]\ntitle = 'T'\nmarkers = '{DEEP_QUERY}'\n[[charts.series]]\nfield = 'x'\n",
            f"f.toml: line 1: charts[1] ('T'): markers: {QUERY_TOO_DEEP}",
        ),
        (
            f"[[rules]]\nname = 'R'\nwhen = '{DEEP_QUERY}'\ncondition = 'cpu > 90'\n",
            f"f.toml: line 3: rules[1] ('R'): alert rule 'R', when: {QUERY_TOO_DEEP}",
        ),
        (
            f"[[rules]]\nname = 'R'\ncondition = '{DEEP_QUERY}'\n",
            f"f.toml: line 3: rules[1] ('R'): alert rule 'R', condition: {QUERY_TOO_DEEP}",
        ),
        (
            f"[[rules]]\nname = 'R'\ncondition = 'count({DEEP_QUERY}) > 5 per 1m'\n",
            f"f.toml: line 3: rules[1] ('R'): alert rule 'R', condition: {QUERY_TOO_DEEP}",
        ),
        (
            f"title = 'x'\n\n[log]\nfilter = '{DEEP_QUERY}'\n",
            f"f.toml: line 3: [log]: filter: {QUERY_TOO_DEEP}",
        ),
        (
            "[[cards]]\nfield = 'cpu'\nquery = '" + "a " * 6000 + "'\n",
            "f.toml: line 1: cards[1]: query: column 10001: too long: 11,999 characters, and a "
            "query holds at most 10,000",
        ),
    ],
)
def test_a_query_past_the_query_bounds_is_named_where_it_is_written(
    text: str, message: str
) -> None:
    assert _error(text) == message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("title = 'x'\nlog = " + "{ a = " * 1000 + "1" + " }" * 1000, 2, 103),
        (
            "[[cards]]\nfield = 'cpu'\nthresholds = { warning = " + "[" * 1000 + "]" * 1000 + " }",
            3,
            41,
        ),
        ("title = 'x'\nwindow = [\n" + "[" * 500 + "]" * 500 + "\n]\n", 3, 16),
        ("[log]\nfilter." + ".".join(["a"] * 2000) + " = 1\n", 2, 37),
        ("\n[log." + "a." * 3000 + "b]\nx = 1\n", 2, 35),
        ("[[cards." + "a." * 3000 + "b]]\n", 1, 38),
        ("x = { " + ".".join(["a"] * 20) + " = 1 }\n", 1, 38),
    ],
)
def test_toml_nested_too_deeply_is_refused_at_its_line_and_column(
    text: str, line: int, column: int
) -> None:
    assert _error(text) == f"f.toml: line {line}, column {column}: {TOML_TOO_DEEP}"


def test_nesting_made_of_headers_dotted_keys_and_arrays_together_is_counted_whole() -> None:
    text = "[[cards]]\nfield = 'cpu'\nthresholds." + ".".join(["a"] * 10) + " = [[[[[[[1]]]]]]]\n"
    assert _error(text) == f"f.toml: line 1: cards[1].thresholds.a…: {TOML_TOO_DEEP}"


def test_values_with_dots_and_brackets_in_strings_are_not_nesting() -> None:
    text = (
        "[[cards]]\ntitle = '[[[[[[[[[[[[[[[[[[[[.................]'\nfield = 'a.b.c'\n"
        'description = """ {{{{{{{{{{{{{{{{{{{{{{{{ "" \\""" """\n'
        "thresholds = { warning = 1.5, critical = 2.5 }  # [[[[[[[[[[[[[[[[[[[[[[[[[\n"
        "[[cards.mappings]]\ntext = 'x'\nrange = [\n  1.5,\n  2.5,\n]\n"
    )
    [card] = loads(text, kinds=KINDS).cards
    assert card.title.startswith("[[[") and card.mappings[0].range == (1.5, 2.5)


def _many(table: str, count: int) -> str:
    """*count* copies of *table*; rules named apart (two of one name are refused)."""
    return "".join(table.replace("name = 'R'", f"name = 'R{n}'") for n in range(count))


@pytest.mark.parametrize(
    ("key", "table", "lines", "most"),
    [
        ("connections", "[[connections]]\nurl = 'http://x/e'\n", 2, 200),
        ("cards", "[[cards]]\nfield = 'c'\n", 2, 200),
        ("charts", "[[charts]]\n[[charts.series]]\nfield = 'cpu'\n", 3, 50),
        ("rules", "[[rules]]\nname = 'R'\ncondition = 'cpu > 1'\n", 3, 500),
    ],
)
def test_more_tables_than_a_layout_holds_are_refused_at_the_first_too_many(
    key: str, table: str, lines: int, most: int
) -> None:
    assert len(getattr(loads(_many(table, most), "f.toml", kinds=KINDS), key)) == most  # fine
    assert _error(_many(table, most + 1)) == (
        f"f.toml: line {most * lines + 1}: {key}: {most + 1:,} of them, and a layout holds "
        f"at most {most}"
    )


def test_ten_thousand_cards_are_refused_at_the_201st() -> None:
    assert _error("[[cards]]\nfield = 'c'\n" * 10_000) == (
        "f.toml: line 401: cards: 10,000 of them, and a layout holds at most 200"
    )


def test_too_many_written_inline_are_refused_at_the_key() -> None:
    text = "title = 'x'\ncards = [" + ", ".join(["{field = 'c'}"] * 201) + "]\n"
    assert _error(text) == "f.toml: line 2: cards: 201 of them, and a layout holds at most 200"


def test_too_many_series_in_a_chart_are_named_with_the_chart() -> None:
    text = "[[charts]]\ntitle = 'T'\n" + "[[charts.series]]\nfield = 'cpu'\n" * 51
    assert _error(text) == (
        "f.toml: line 1: charts[1] ('T'): series: 51 of them, and a chart holds at most 50"
    )


def test_too_many_entries_anywhere_else_are_named_with_their_path() -> None:
    mappings = "[[cards.mappings]]\ntext = 'x'\nvalue = 1\n" * 1001
    assert _error("[[cards]]\nfield = 'c'\n" + mappings) == (
        "f.toml: line 1: cards[1].mappings: 1,001 entries, and at most 1,000 may be here"
    )
    columns = ", ".join(f"'c{n}'" for n in range(1001))
    assert _error(f"title = 'x'\n[log]\ncolumns = [{columns}]\n") == (
        "f.toml: line 2: log.columns: 1,001 entries, and at most 1,000 may be here"
    )


def test_a_file_larger_than_a_layout_may_be_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    with pytest.raises(LayoutError) as caught:
        layouts.load(path, kinds=KINDS)
    assert str(caught.value) == f"{path}: larger than 1 MiB, the most a layout file may be"
    assert _error("# " + "ö" * (1 << 19)) == (
        "f.toml: larger than 1 MiB, the most a layout file may be"
    )


@pytest.mark.parametrize(
    ("data", "line", "column", "reason"),
    [
        (b"title = 'ok'\n[log]\nfilter = 'caf\xe9 cr\xe8me'\n", 3, 14, "invalid continuation byte"),
        (b"title = 'St\xc3\xb6rung \xff'\n", 1, 18, "invalid start byte"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, 1, "invalid start byte"),
        (b"title = 'x'\n\ntitle2 = '\xe2\x82", 3, 11, "unexpected end of data"),
    ],
)
def test_bytes_that_are_not_utf8_are_named_at_their_line_and_column(
    tmp_path: Path, data: bytes, line: int, column: int, reason: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    with pytest.raises(LayoutError) as caught:
        layouts.load(path, kinds=KINDS)
    assert str(caught.value) == f"{path}: line {line}, column {column}: not UTF-8 text ({reason})"


KEYS = st.text(alphabet=st.sampled_from(list("ab.[]{}\"'#= \\")), min_size=1, max_size=4)
SCALARS = (
    st.text(alphabet=st.sampled_from(list("ab.[]{}\"'#=,\n \\")), max_size=8)
    | st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
)


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


DOCUMENTS = st.dictionaries(
    KEYS,
    st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
        max_leaves=40,
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS, multiline=st.booleans())
def test_what_tomli_w_writes_within_the_limit_is_never_refused_as_too_deep(
    document: dict[str, object], multiline: bool
) -> None:
    try:
        text = tomli_w.dumps(document, multiline_strings=multiline)
    except (TypeError, ValueError):  # nothing TOML can say
        return
    if _depth(document) <= 16:
        check_text(text, 16)
        assert tomllib.loads(text) == document


PIECES = ["[", "]", "{", "}", "[[", "]]", "a", ".", "=", ",", "'", '"', '"""', "'''", "#",
          "\n", " ", "1.5", "\\", "a = ", "x.y", "[cards]", "[[cards]]"]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(["", "x = ", "[[cards]]\nthresholds = ", "[log]\nfilter", "["]),
    repeated=st.sampled_from(["[", "{ a = ", "a.", "[[", "{", ".", "['", '"""']),
    times=st.integers(min_value=0, max_value=1500),
    rest=st.lists(st.sampled_from(PIECES), max_size=40),
)
def test_any_deep_toml_ish_text_loads_or_gives_a_layout_error(
    prefix: str, repeated: str, times: int, rest: list[str]
) -> None:
    try:
        loads(prefix + repeated * times + "".join(rest), "x.toml", kinds=KINDS)
    except LayoutError as error:
        assert str(error).startswith("x.toml: ")
