"""The one query language: the log filter, ``dashboard query`` and (later) alert rules.

Grammar (adjacent terms mean AND; ``AND``, ``OR`` and ``NOT`` are upper case)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | "(" or ")" | term
    term    := word | "quoted phrase" | field op value
    op      := ":" | "=" | "!=" | "<" | "<=" | ">" | ">="

``field:value`` matches case-insensitively and takes ``*``/``?`` globs (``field:*`` means
the field exists); ``=`` is exact; ``!=`` and the comparisons need the field to be there.
Fields are the envelope (``type``, ``source``, ``severity``, ``time``, ``received``,
``connection``, ``id``), the payload (``data.cpu``, or just ``cpu``) or an attribute beyond
the envelope (``attributes.subject``: a CloudEvent's). ``*`` alone, like the empty query,
matches every event.

A query is evaluated two ways with the same meaning: :meth:`Query.matches` on one Event
(``dashboard query``, alert rules) and :meth:`Query.select` on a block of store columns
at once (the log filter over a million events). Tests check that the two always agree.

A query is at most :data:`MAX_QUERY_LENGTH` characters long and nests ``(``, ``NOT`` and
``-`` at most :data:`MAX_QUERY_DEPTH` deep; past either, :func:`parse` raises a
:class:`QueryError` naming the limit and the column where it is passed. Parsing is one
pass over the tokens; evaluating costs one visit per node, with the tree's depth bounded.
"""

from __future__ import annotations

import math
import operator
import re
import time as clock
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from fnmatch import translate
from typing import Any, Protocol

import numpy as np
import orjson

from dashboard.core.events.decode import event_attributes
from dashboard.core.events.event import Event, Severity
from dashboard.core.events.fieldpath import MISSING, as_number, lookup
from dashboard.core.lang.duration import parse_ago

ENVELOPE_TEXT = ("type", "source", "connection", "id")
ENVELOPE_TIME = ("time", "received")
ENVELOPE_FIELDS = (*ENVELOPE_TEXT, "severity", *ENVELOPE_TIME)
ATTRIBUTES_PREFIX = "attributes."  # a CloudEvent's other attributes: attributes.subject
OPERATORS = (":", "!=", ">=", "<=", "=", "<", ">")
KEYWORDS = ("AND", "OR", "NOT")
MAX_TYPES_REMEMBERED = 10_000  # per query, by Query.filter
# An operator's query is a line or two: a few dozen terms, a few levels of parentheses;
# a pasted list of a few hundred ids is well under the length. Past these the query is
# generated or hostile: the length bounds the work per event (each term is a test), the
# depth the stack (each level is a few frames when parsing, evaluating and printing).
MAX_QUERY_LENGTH = 10_000  # characters
MAX_QUERY_DEPTH = 64  # '(', NOT and '-' inside one another

_FIELD_TERM = re.compile(r"([A-Za-z_@$][\w@$.\-]*?)(!=|>=|<=|:|=|<|>)(.*)", re.DOTALL)
_CLOCK_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AFTER_DATE = re.compile(r" +(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)(?=[\s)]|$)")
_SEVERITY_WORDS = ", ".join(s.label for s in Severity)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class QueryError(ValueError):
    """A mistake in a query: where it is (1-based column) and what was expected there."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.message = message


# -- tokens ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "-", "word", "phrase", "field"
    column: int
    text: str = ""  # the word or phrase; for "field": the field name
    op: str = ""  # for "field"
    value: str = ""  # for "field"
    quoted: bool = False  # for "field": the value was a "quoted phrase"


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The phrase in quotes at *start* (``\\"`` and ``\\\\`` escape), and where it ends."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise QueryError(start + 1, 'unterminated quoted phrase: expected a closing "')


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        column = i + 1
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, column))
            i += 1
        elif char == '"':
            phrase, i = _read_quoted(text, i)
            tokens.append(_Token("phrase", column, phrase))
        elif char == "-" and i + 1 < size and not text[i + 1].isspace():
            tokens.append(_Token("-", column))
            i += 1
        else:
            end = i
            while end < size and not text[end].isspace() and text[end] not in '()"':
                end += 1
            word = text[i:end]
            i = end
            if word in KEYWORDS:
                tokens.append(_Token(word, column))
                continue
            field = _FIELD_TERM.fullmatch(word)
            if field is None:
                if word[0] in "!:=<>":
                    raise QueryError(column, f"expected a field name before {word[0]!r}")
                tokens.append(_Token("word", column, word))
                continue
            name, op, value = field.groups()
            quoted = False
            if not value and i < size and text[i] == '"':
                value, i = _read_quoted(text, i)
                quoted = True
            elif not value:
                raise QueryError(column + len(word), f"expected a value after {word!r}")
            elif name in ENVELOPE_TIME and _DATE.fullmatch(value):
                clock_time = _AFTER_DATE.match(text, i)  # "2026-11-23 10:42" as one time
                if clock_time:
                    value, i = f"{value}T{clock_time.group(1)}", clock_time.end()
            tokens.append(_Token("field", column, name, op, value, quoted))
    return tokens


# -- the tree --------------------------------------------------------------------------
class Columns(Protocol):
    """A block of consecutive stored events as columns (EventStore.columns makes them)."""

    raw: list[bytes]
    type: list[str]
    source: list[str]
    id: list[str | None]
    connection: list[str]
    time: np.ndarray
    received: np.ndarray
    severity: np.ndarray

    def __len__(self) -> int: ...

    def payload(self, row: int, key: str | None = None) -> Any:
        """The decoded payload (``data``) of the event in *row*; with *key*, perhaps the
        whole object, where a path starting at *key* finds the same."""
        ...


class Node:
    """One part of a parsed query."""

    cost = 1  # how expensive select() is per row; And/Or run cheap children first

    def matches(self, event: Event, now: float) -> bool:
        raise NotImplementedError

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        """The rows of *mask* (a bool array over *block*) that match; never outside it."""
        raise NotImplementedError


@dataclass(frozen=True)
class Everything(Node):
    def matches(self, event: Event, now: float) -> bool:
        return True

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        return mask.copy()


def _cheapest_first(node: AllOf | AnyOf) -> None:
    """Work out once, when the node is made, its cost and the order select() runs its
    children in (a node's cost is its dearest child's: no walk of the subtree per call)."""
    object.__setattr__(node, "cost", max(child.cost for child in node.children))
    object.__setattr__(node, "cheapest_first", tuple(sorted(node.children, key=lambda c: c.cost)))


@dataclass(frozen=True)
class AllOf(Node):
    children: tuple[Node, ...]
    cost: int = field(init=False, repr=False, compare=False)
    cheapest_first: tuple[Node, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _cheapest_first(self)

    def matches(self, event: Event, now: float) -> bool:
        return all(child.matches(event, now) for child in self.children)

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        mask = mask.copy()
        for child in self.cheapest_first:
            if not mask.any():
                break
            mask = child.select(block, mask, now)
        return mask


@dataclass(frozen=True)
class AnyOf(Node):
    children: tuple[Node, ...]
    cost: int = field(init=False, repr=False, compare=False)
    cheapest_first: tuple[Node, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _cheapest_first(self)

    def matches(self, event: Event, now: float) -> bool:
        return any(child.matches(event, now) for child in self.children)

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        found = np.zeros_like(mask)
        remaining = mask
        for child in self.cheapest_first:
            if not remaining.any():
                break
            hit = child.select(block, remaining, now)
            found |= hit
            remaining = remaining & ~hit
        return found


@dataclass(frozen=True)
class Not(Node):
    child: Node
    cost: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cost", self.child.cost)

    def matches(self, event: Event, now: float) -> bool:
        return not self.child.matches(event, now)

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        return mask & ~self.child.select(block, mask, now)


def _by_distinct(values: list[Any], test: Callable[[Any], bool]) -> np.ndarray:
    """*test* on each value, run once per distinct value (types, sources: a few dozen)."""
    verdict = {value: test(value) for value in set(values)}
    if not any(verdict.values()):
        return np.zeros(len(values), dtype=bool)
    if all(verdict.values()):
        return np.ones(len(values), dtype=bool)
    return np.fromiter(map(verdict.__getitem__, values), dtype=bool, count=len(values))


_SEARCH_BLOCK = 8192  # frames per joined block: small enough to stay in cache


def _rows_containing(raws: list[bytes], needle: bytes, fold: bool) -> np.ndarray:
    """A bool per frame: does it contain *needle*, or a backslash (an escape in the frame
    may hide the needle)? ASCII case is folded first when *fold*.

    Frames are joined into blocks and each block is searched once, several times faster
    than a search per frame; match positions are turned back into rows.
    """
    if not needle or b"\0" in needle:
        return np.fromiter(
            (needle in (r.lower() if fold else r) or b"\\" in r for r in raws), bool, len(raws)
        )
    found = np.zeros(len(raws), dtype=bool)
    patterns = [(literal, re.compile(re.escape(literal))) for literal in (needle, b"\\")]
    for start in range(0, len(raws), _SEARCH_BLOCK):
        part = raws[start : start + _SEARCH_BLOCK]
        blob = b"\0".join(part)
        if fold:
            blob = blob.lower()
        present = [pattern for literal, pattern in patterns if literal in blob]
        if not present:
            continue
        ends = np.cumsum(np.fromiter(map(len, part), np.int64, len(part)) + 1)
        for pattern in present:
            positions = np.fromiter((m.start() for m in pattern.finditer(blob)), np.int64)
            found[start + np.searchsorted(ends, positions, side="right")] = True
    return found


def _contains_folded(needle: str) -> Callable[[str], bool]:
    return lambda text: needle in text.casefold()


def _texts(data: Any) -> Iterator[str]:
    """The payload's words as an operator reads them: string values and numbers, at any
    depth (not the keys)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield str(value)


@dataclass(frozen=True)
class Text(Node):
    """A bare word or quoted phrase, in any case: in a value of the payload (not in its
    keys), in the type or in the source."""

    needle: str  # case-folded
    cost = 3

    def _in_payload(self, data: Any) -> bool:
        needle = self.needle
        return any(needle in text.casefold() for text in _texts(data))

    def matches(self, event: Event, now: float) -> bool:
        needle = self.needle
        if needle in event.type.casefold() or needle in event.source.casefold():
            return True
        return self._in_payload(event.data)

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        envelope = _contains_folded(self.needle)
        hit = mask & (_by_distinct(block.type, envelope) | _by_distinct(block.source, envelope))
        rows = np.flatnonzero(mask & ~hit)
        if len(rows) == 0:
            return hit
        if self.needle.isascii() and self.needle.isprintable():
            # What is not in the frame's text cannot be in its values, unless escaped.
            raws = block.raw if len(rows) == len(block) else [block.raw[r] for r in rows]
            rows = rows[_rows_containing(raws, self.needle.encode(), fold=True)]
        payload, found = block.payload, self._in_payload
        hit[[r for r in rows if found(payload(r))]] = True
        return hit


# -- field terms -----------------------------------------------------------------------
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(translate(pattern.casefold()), re.DOTALL)


def _scalar_text(value: Any) -> str | None:
    """How a JSON scalar reads in a query: strings as they are, ``true``, ``null``, 90.5."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return orjson.dumps(value).decode()
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) and value.is_integer() else str(value)
    return None


class ValueTest:
    """``op value`` on one field's value, for payload and envelope text fields alike."""

    __slots__ = ("folded", "number", "op", "pattern", "quoted", "value")

    def __init__(self, op: str, value: str, quoted: bool = False) -> None:
        self.op = op
        self.value = value
        self.quoted = quoted
        number = None if quoted else as_number(value)
        self.number = number if number is not None and math.isfinite(number) else None
        is_glob = op == ":" and not quoted and any(c in value for c in "*?[")
        self.pattern = _glob(value) if is_glob else None
        self.folded = value.casefold()

    def __repr__(self) -> str:
        return f"ValueTest({self.op!r}, {self.value!r}, quoted={self.quoted})"

    def __call__(self, value: Any) -> bool:
        if value is MISSING:
            return False
        op = self.op
        if op in _COMPARE:
            got = as_number(value)
            if self.number is not None:
                return got is not None and _COMPARE[op](got, self.number)
            return isinstance(value, str) and _COMPARE[op](value, self.value)
        items = value if isinstance(value, list) else (value,)  # an array: any element
        if op == ":":
            return any(self._like(item) for item in items)
        equal = any(self._equal(item) for item in items)
        return equal if op == "=" else not equal

    def _equal(self, value: Any) -> bool:
        if self.number is not None and as_number(value) is not None:
            return as_number(value) == self.number
        if not self.quoted and self.value in _LITERALS:
            return value is _LITERALS[self.value]
        return isinstance(value, str) and value == self.value

    def _like(self, value: Any) -> bool:
        """``:``: numbers by value, text by case-insensitive glob or equality."""
        if self.number is not None and as_number(value) == self.number:
            return True
        text = _scalar_text(value)
        if text is None:
            return False
        if self.pattern is not None:
            return self.pattern.fullmatch(text.casefold()) is not None
        return text.casefold() == self.folded


_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class EnvelopeText(Node):
    """``type``, ``source``, ``connection`` or ``id`` against a value, or ``id`` exists."""

    field: str
    test: ValueTest | None  # None: the field is there (only ``id`` may be missing)
    cost = 2

    def _check(self, value: str | None) -> bool:
        return value is not None and (self.test is None or self.test(value))

    def matches(self, event: Event, now: float) -> bool:
        return self._check(getattr(event, self.field))

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        return mask & _by_distinct(getattr(block, self.field), self._check)


@dataclass(frozen=True)
class SeverityTest(Node):
    """``severity`` against a level: the levels that pass are worked out when parsing."""

    levels: frozenset[int]

    def matches(self, event: Event, now: float) -> bool:
        return int(event.severity) in self.levels

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        return mask & np.isin(block.severity, list(self.levels))


@dataclass(frozen=True)
class TimeTest(Node):
    """``time`` or ``received`` compared with an absolute or a relative (``-5m``) time."""

    field: str
    op: str
    at: float  # epoch seconds, or seconds before now when relative
    relative: bool

    def _threshold(self, now: float) -> float:
        return now - self.at if self.relative else self.at

    def matches(self, event: Event, now: float) -> bool:
        return bool(_COMPARE[self.op](getattr(event, self.field), self._threshold(now)))

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        return mask & _COMPARE[self.op](getattr(block, self.field), self._threshold(now))


def _last_key(path: str) -> bytes | None:
    """The last non-index key of *path*, quoted as JSON would (for a cheap pre-check)."""
    for part in reversed(path.split(".")):
        if not re.fullmatch(r"-?[0-9]+", part):
            return orjson.dumps(part)
    return None


@dataclass(frozen=True)
class PayloadTest(Node):
    """A field of the payload: exists, or ``op value``."""

    path: str  # within data; "" is the payload itself
    test: ValueTest | None  # None: the field exists
    cost = 4

    def _value(self, data: Any) -> Any:
        return lookup(data, self.path) if self.path else data

    def _check(self, data: Any) -> bool:
        value = self._value(data)
        return value is not MISSING if self.test is None else self.test(value)

    def matches(self, event: Event, now: float) -> bool:
        return self._check(event.data)

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        rows = np.flatnonzero(mask)
        key = _last_key(self.path) if self.path else None
        if key is not None:  # a key that is not in the text cannot be in the payload
            raws = block.raw if len(rows) == len(block) else [block.raw[r] for r in rows]
            rows = rows[_rows_containing(raws, key, fold=False)]
        hit = np.zeros_like(mask)
        payload, check = block.payload, self._check
        first = self.path.split(".", 1)[0] if self.path else None
        hit[[r for r in rows if check(payload(r, first))]] = True
        return hit


@dataclass(frozen=True)
class AttributeTest(Node):
    """``attributes.NAME``: an attribute of the event beyond its envelope (a CloudEvent's
    ``subject``, extensions...; core.events.decode.event_attributes), exists or ``op value``."""

    path: str
    test: ValueTest | None  # None: the attribute exists
    cost = 4

    def _check(self, raw: bytes) -> bool:
        value = lookup(event_attributes(raw), self.path)
        return value is not MISSING if self.test is None else self.test(value)

    def matches(self, event: Event, now: float) -> bool:
        return self._check(event.raw)

    def select(self, block: Columns, mask: np.ndarray, now: float) -> np.ndarray:
        rows = np.flatnonzero(mask)
        key = _last_key(self.path)
        raws = block.raw if len(rows) == len(block) else [block.raw[r] for r in rows]
        if key is not None:  # an attribute not in the text is not there
            rows = rows[_rows_containing(raws, key, fold=False)]
        hit = np.zeros_like(mask)
        check, raw = self._check, block.raw
        hit[[r for r in rows if check(raw[r])]] = True
        return hit


# -- parsing ---------------------------------------------------------------------------
def _field_path(name: str) -> str | None:
    """The payload path for *name*, or None for an envelope field."""
    if name in ENVELOPE_FIELDS:
        return None
    if name == "data":
        return ""
    return name[5:] if name.startswith("data.") else name


def moment(text: str, day: date) -> float:
    """Epoch seconds for ``10:42``, ``10:42:13.250`` (a time of *day*, local time) or a
    full ISO date and time (local time unless it names its zone); ValueError otherwise."""
    text = text.strip()
    if _CLOCK_TIME.fullmatch(text):
        padded = text if text[2] == ":" else f"0{text}"
        return datetime.fromisoformat(f"{day.isoformat()}T{padded}").timestamp()
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T")).timestamp()


def _parse_time(token: _Token) -> tuple[float, bool]:
    """(epoch seconds, False) or (seconds ago, True) for a time value."""
    text = token.value.strip()
    ago = parse_ago(text)
    if ago is not None:
        return ago, True
    try:
        return moment(text, datetime.now().date()), False
    except ValueError:
        pass
    raise QueryError(
        token.column + len(token.text) + len(token.op),
        f"expected a time like -5m, 10:30 or 2026-11-23T10:00 after "
        f"'{token.text}{token.op}', found {text!r}",
    )


def _severity_levels(token: _Token) -> frozenset[int]:
    value_column = token.column + len(token.text) + len(token.op)
    text = token.value.strip().lower()
    op = token.op
    if op == ":" and any(c in text for c in "*?["):
        pattern = _glob(text)
        return frozenset(int(s) for s in Severity if pattern.fullmatch(s.label))
    number = as_number(text)
    named = Severity.named(text)
    if number is not None and math.isfinite(number):
        level = Severity.parse(number)
    elif named is not None:
        level = named
    else:
        raise QueryError(
            value_column, f"unknown severity {token.value!r}: expected one of {_SEVERITY_WORDS}"
        )
    if op in (":", "="):
        return frozenset({int(level)})
    if op == "!=":
        return frozenset(int(s) for s in Severity if s != level)
    return frozenset(int(s) for s in Severity if _COMPARE[op](s, level))


def _term(token: _Token) -> Node:
    if token.kind == "word" and not token.text.strip("*"):
        return Everything()  # "*" alone: every event, as the empty query
    if token.kind == "word" or token.kind == "phrase":
        return Text(token.text.casefold())
    name, op, value = token.text, token.op, token.value
    exists = op == ":" and value == "*" and not token.quoted
    if exists and name in ENVELOPE_FIELDS:
        return EnvelopeText("id", None) if name == "id" else Everything()
    if name == "severity":
        return SeverityTest(_severity_levels(token))
    if name in ENVELOPE_TIME:
        if op not in _COMPARE:
            raise QueryError(
                token.column + len(name),
                f"'{name}' takes <, <=, > or >= (for example {name}>-5m), not {op!r}",
            )
        at, relative = _parse_time(token)
        return TimeTest(name, op, at, relative)
    if op in _COMPARE or op == "=" or op == "!=":
        if not token.quoted and any(c in value for c in "*?"):
            raise QueryError(
                token.column + len(name) + len(op),
                f"a wildcard only works with ':' (as in {name}:{value}), not with {op!r}",
            )
    test = ValueTest(op, value, token.quoted)
    if name.startswith(ATTRIBUTES_PREFIX) and len(name) > len(ATTRIBUTES_PREFIX):
        return AttributeTest(name[len(ATTRIBUTES_PREFIX) :], None if exists else test)
    path = _field_path(name)
    if path is None:
        return EnvelopeText(name, test)
    return PayloadTest(path, None if exists else test)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.depth = 0  # '(', NOT and '-' open around the token being read

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _end_column(self) -> int:
        return len(self.text.rstrip()) + 1

    def parse(self) -> Node:
        if not self.tokens:
            return Everything()
        node = self._or()
        token = self._peek()
        if token is not None:  # only a stray ")" can stop the loops early
            raise QueryError(token.column, "unexpected ')': there is no '(' for it to close")
        return node

    def _or(self) -> Node:
        children = [self._and()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.position += 1
            children.append(self._and(after=token))
        return children[0] if len(children) == 1 else AnyOf(tuple(children))

    def _and(self, after: _Token | None = None) -> Node:
        children = [self._unary(after)]
        while (token := self._peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.position += 1
                children.append(self._unary(after=token))
            else:
                children.append(self._unary())
        return children[0] if len(children) == 1 else AllOf(tuple(children))

    def _unary(self, after: _Token | None = None) -> Node:
        token = self._peek()
        if token is None:
            what = f"after {_describe(after)}" if after else "here"
            raise QueryError(self._end_column(), f"expected a search term {what}, found the end")
        if token.kind in ("AND", "OR"):
            where = f"after {_describe(after)}" if after else f"before {token.kind}"
            raise QueryError(token.column, f"expected a search term {where}")
        if token.kind == ")":
            raise QueryError(token.column, "expected a search term before ')'")
        self.position += 1
        if token.kind not in ("NOT", "-", "("):
            return _term(token)
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise QueryError(
                token.column,
                f"nested too deeply: at most {MAX_QUERY_DEPTH} levels of '(', NOT and '-' "
                "may hold one another",
            )
        if token.kind == "(":
            node = self._or()
            close = self._peek()
            if close is None or close.kind != ")":
                column = self._end_column() if close is None else close.column
                raise QueryError(column, f"expected ')' to close the '(' at column {token.column}")
            self.position += 1
        else:
            node = Not(self._unary(after=token))
        self.depth -= 1
        return node


def _describe(token: _Token) -> str:
    return "'-'" if token.kind == "-" else token.kind


def _on_type_only(node: Node) -> bool:
    """Whether *node* looks at nothing but the event's type (``type:alert*``...)."""
    if isinstance(node, EnvelopeText):
        return node.field == "type"
    if isinstance(node, AllOf | AnyOf):
        return all(_on_type_only(child) for child in node.children)
    if isinstance(node, Not):
        return _on_type_only(node.child)
    return isinstance(node, Everything)


@dataclass(frozen=True)
class Query:
    """A parsed query; the empty query matches every event."""

    text: str
    root: Node
    _by_type: dict[str, bool] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if _on_type_only(self.root):  # then the answer per type is worth remembering
            object.__setattr__(self, "_by_type", {})

    @property
    def is_empty(self) -> bool:
        return isinstance(self.root, Everything)

    def matches(self, event: Event, now: float | None = None) -> bool:
        return self.root.matches(event, clock.time() if now is None else now)

    def filter(self, events: Iterable[Event]) -> list[Event]:
        """The events that match, each at its own time (a tick's events for a card, a
        chart or a rule); a query on the type alone is worked out once per type."""
        known = self._by_type
        if known is None:
            root = self.root
            return [e for e in events if root.matches(e, e.time)]
        chosen = []
        for event in events:
            hit = known.get(event.type)
            if hit is None:
                hit = self._type_matches(event)
            if hit:
                chosen.append(event)
        return chosen

    def filter_grouped(
        self, events: list[Event], by_type: Mapping[str, list[Event]]
    ) -> list[Event]:
        """:meth:`filter`, given the same events grouped by type too: a query on the type
        alone that matches one type takes its group whole, without looking at the rest."""
        known = self._by_type
        if known is None:
            return self.filter(events)
        groups = []
        for event_type, group in by_type.items():
            hit = known.get(event_type)
            if hit is None and group:
                hit = self._type_matches(group[0])
            if hit:
                groups.append(group)
        if len(groups) > 1:  # their events interleave: keep the order they came in
            return self.filter(events)
        return groups[0] if groups else []

    def _type_matches(self, event: Event) -> bool:
        """Whether events of *event*'s type match (remembered; the query is on the type)."""
        known = self._by_type
        assert known is not None
        hit = known[event.type] = self.root.matches(event, event.time)
        if len(known) > MAX_TYPES_REMEMBERED:
            known.clear()
        return hit

    def select(self, block: Columns, now: float | None = None) -> np.ndarray:
        """A bool per row of *block*: does that event match."""
        mask = np.ones(len(block), dtype=bool)
        return self.root.select(block, mask, clock.time() if now is None else now)


def parse(text: str) -> Query:
    """Parse *text*; raises :class:`QueryError` saying where and what was expected (a
    query over :data:`MAX_QUERY_LENGTH` characters is refused before it is read)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            MAX_QUERY_LENGTH + 1,
            f"too long: {len(text):,} characters, and a query holds at most {MAX_QUERY_LENGTH:,}",
        )
    return Query(text, _Parser(text).parse())


# -- writing queries -------------------------------------------------------------------
_BARE_VALUE = re.compile(r"[^\s()\"*?\[\]\\]+")


_FIELD_KEY = re.compile(r"[\w@$\-]+")


def is_field_key(key: str) -> bool:
    """Whether a query can name a field with this key (``user name`` or ``a:b`` it cannot)."""
    return _FIELD_KEY.fullmatch(key) is not None


def quote(value: str) -> str:
    """*value* as a literal text value: bare when it reads the same bare, else quoted (so
    that ``"007"`` stays text and ``"true"`` is not the boolean)."""
    bare = _BARE_VALUE.fullmatch(value) and value not in KEYWORDS and not value.startswith("-")
    if bare and as_number(value) is None and value not in _LITERALS:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def clause(field: str, value: Any, exclude: bool = False) -> str:
    """The query text that selects events whose *field* equals *value* (or the rest)."""
    text = f"{field}={quote(value) if isinstance(value, str) else _scalar_text(value)}"
    return f"-{text}" if exclude else text


def exists_clause(field: str) -> str:
    return f"{field}:*"


def time_range_clause(start: float, stop: float, field: str = "time") -> str:
    """``time>=… time<…`` in local ISO time with milliseconds."""

    def iso(moment: float) -> str:
        return datetime.fromtimestamp(moment).isoformat(timespec="milliseconds")

    return f"{field}>={iso(start)} {field}<{iso(stop)}"
