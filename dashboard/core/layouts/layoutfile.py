"""Layout files: a whole dashboard (connections, cards, charts, alert rules, the log's
filter and columns, the window's arrangement) as TOML, and back.

Reading is strict: a key the loader does not know, a value of the wrong kind, a query
that does not parse, all stop the load with a :class:`LayoutError` naming the file, the
line of the table when it can be found, the key, and what was wrong. Nothing is half
loaded.

A layout is bounded (see the README's "Layout files"): at most :data:`MAX_FILE_SIZE` of
UTF-8 text, tables, arrays and dotted keys at most :data:`MAX_NESTING` inside one another,
at most :data:`MAX_TABLES` connections, cards, charts and rules, :data:`MAX_SERIES`
series per chart, and :data:`MAX_ENTRIES` entries in any other table or array. Past a
bound the load stops with a LayoutError like any other mistake, before the window is
asked to build anything.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import tomli_w

from dashboard.core.events.decode import EnvelopeKeys
from dashboard.core.lang.duration import SETTINGS, DurationRange
from dashboard.core.lang.query import QueryError, parse
from dashboard.core.layouts.tomlguard import (
    NestingError,
    ShapeError,
    check_document,
    check_text,
    undecodable_at,
)
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.monitor.rules import RuleError, parse_rule, same_name
from dashboard.core.panels.cardformat import Thresholds, ValueMapping
from dashboard.core.panels.cards import CardSpec
from dashboard.core.panels.panelkind import PanelKinds, PanelSpec
from dashboard.core.panels.series import CHART_WINDOWS, ChartSpec, SeriesSpec
from dashboard.core.transport.connection import DEFAULT_HEARTBEAT_TIMEOUT, ConnectionSpec
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.resources import resource

FORMAT_VERSION = 1
T = TypeVar("T")

# The bounds. A real layout is a few KB, nests 5 deep (cards, a card, its mappings, a
# mapping, its range) and holds a screenful of cards and charts. Past these the file is
# generated or broken, and the window took minutes to build it (1,000 cards: 30 s; 300
# connections: never). Measured offscreen on two cores shared with other work, a layout
# with all of these at once (200 cards, 50 charts of 50 series, 500 rules) loads in 0.3 s
# and is on screen 4 s later. Connections are read in a pool of reader processes (one by
# default): 200 at once, one reader, were all live within 7 s and took all of 2,000 events/s
# with the window and the reader at 470 MB (a process each, 32 had been the most).
MAX_FILE_SIZE = 1 << 20  # bytes: 1 MiB, which tomllib reads in about 0.3 s
MAX_NESTING = 16  # tables, arrays and dotted keys inside one another
MAX_TABLES = {"connections": 200, "cards": 200, "charts": 50, "rules": 500, "panels": 50}
MAX_SERIES = 50  # per chart
MAX_READERS = 64  # reader processes (each reads many connections)
MAX_ENTRIES = 1_000  # in any other table or array (mappings, headers, log columns...)
TOO_BIG = "larger than 1 MiB, the most a layout file may be"


class LayoutError(ValueError):
    """A layout file that cannot be used: ``FILE: line N: WHERE: what is wrong``."""


@dataclass(frozen=True)
class LogSettings:
    filter: str = ""
    columns: tuple[str, ...] = ()


@dataclass
class Layout:
    title: str = ""
    readers: int | None = None  # reader processes for the connections; None: the default
    connections: list[ConnectionSpec] = field(default_factory=list)
    cards: list[CardSpec] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)  # as written; checked on load
    alerts: AlertConventions = field(default_factory=AlertConventions)
    log: LogSettings = field(default_factory=LogSettings)
    panels: list[PanelSpec] = field(default_factory=list)  # the [[panels]] tables
    arrangement: str = ""  # the window's docks, as Qt saved them (base64)


EVENTS_BY_TYPE = ChartSpec(
    "Events per second by type", (SeriesSpec(split_by="type", interval=1.0),), window=300.0
)


def builtin(
    name: str, kinds: SourceKinds | None = None, panels: PanelKinds | None = None
) -> Layout:
    """One of the layouts shipped in ``resources/layouts`` (``demo``...)."""
    return load(resource("layouts", f"{name}.toml"), kinds, panels)


def zero_config() -> Layout:
    """What an endpoint nobody configured gets: the log, the field browser (always there)
    and a chart of events per second by type."""
    return Layout(charts=[EVENTS_BY_TYPE])


# -- reading ---------------------------------------------------------------------------
def load(
    path: str | Path, kinds: SourceKinds | None = None, panels: PanelKinds | None = None
) -> Layout:
    """The layout in *path*; raises LayoutError saying which file, where and what.

    *kinds* are the transports its ``[[connections]]`` may use, with their options (the
    registry, ``dashboard.sources.KINDS``); without them a layout that has connections
    cannot be read (core does not know the transports). *panels* are the panel kinds its
    ``[[panels]]`` may name (``dashboard.ui.panels.registry.PANELS``); without them (a
    headless ``dashboard record``, which shows no panel) those tables are kept as written."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_SIZE + 1)
    except OSError as exc:
        raise LayoutError(f"{path}: cannot read it: {exc}") from None
    if len(data) > MAX_FILE_SIZE:
        raise LayoutError(f"{path}: {TOO_BIG}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = undecodable_at(data, exc)
        raise LayoutError(
            f"{path}: line {line}, column {column}: not UTF-8 text ({exc.reason})"
        ) from None
    return loads(text, str(path), kinds, panels)


def loads(
    text: str,
    name: str = "<layout>",
    kinds: SourceKinds | None = None,
    panels: PanelKinds | None = None,
) -> Layout:
    if len(text) > MAX_FILE_SIZE or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_SIZE:
        raise LayoutError(f"{name}: {TOO_BIG}")
    try:
        check_text(text, MAX_NESTING)  # what would make tomllib recurse, or crawl
        doc = tomllib.loads(text)
    except NestingError as exc:
        raise LayoutError(f"{name}: line {exc.line}, column {exc.column}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{name}: {_toml_message(exc)}") from None
    except RecursionError:  # check_text keeps tomllib far from it: should it still come
        raise LayoutError(f"{name}: nested too deeply to read") from None
    reader = _Reader(text, name, kinds, panels)
    try:
        reader.check_shape(doc)
        return reader.layout(doc)
    except LayoutError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # a value no table check caught
        raise LayoutError(f"{name}: {exc}") from None


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    """tomllib says ``Invalid value (at line 3, column 9)``; we lead with the line."""
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    if not found:
        return f"not valid TOML: {message}"
    what = message[: found.start()].strip()
    return f"line {found[1]}, column {found[2]}: not valid TOML: {what}"


class _Reader:
    def __init__(
        self,
        text: str,
        name: str,
        kinds: SourceKinds | None = None,
        panels: PanelKinds | None = None,
    ) -> None:
        self.lines = text.splitlines()
        self.name = name
        self.kinds = kinds
        self.panel_kinds = panels
        self.table_start = 0  # the line of the [[table]] being read (key lines follow it)
        self._table_lines: dict[str, list[int]] = {}  # header -> the lines of [[header]]
        self._rule_names: set[str] = set()

    def fail(self, where: str, message: str, line: int | None = None) -> LayoutError:
        at = f"line {line}: " if line else ""
        return LayoutError(f"{self.name}: {at}{where}: {message}")

    def table_line(self, header: str, index: int) -> int | None:
        """The line of the *index*-th ``[[header]]`` (counted from 0), if written so.
        The lines are found once per header (not once per table: 500 rules each looking
        through the whole file took a second)."""
        lines = self._table_lines.get(header)
        if lines is None:
            pattern = re.compile(rf"^\s*\[\[\s*{re.escape(header)}\s*\]\]")
            lines = [n for n, line in enumerate(self.lines, 1) if pattern.match(line)]
            self._table_lines[header] = lines
        return lines[index] if index < len(lines) else None

    def header_line(self, header: str) -> int | None:
        pattern = re.compile(rf"^\s*\[\s*{re.escape(header)}\s*\]")
        return next((n for n, line in enumerate(self.lines, 1) if pattern.match(line)), None)

    def key_line(self, key: str) -> int | None:
        """The first line setting *key* at or after the table being read."""
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        lines = enumerate(self.lines, 1)
        return next((n for n, line in lines if n >= self.table_start and pattern.match(line)), None)

    def check_shape(self, doc: Mapping[str, Any]) -> None:
        """Refuse more tables than a layout holds (at the first one too many), then
        anything nested too deeply or holding too many entries (at its table's line)."""
        for key, most in MAX_TABLES.items():
            items = doc.get(key)
            if isinstance(items, list) and len(items) > most:
                line = self.table_line(key, most) or self.key_line(key)
                message = f"{len(items):,} of them, and a layout holds at most {most}"
                raise self.fail(key, message, line)
        try:
            check_document(doc, MAX_NESTING, MAX_ENTRIES)
        except ShapeError as exc:
            raise self.fail(_path_text(exc.path), str(exc), self.path_line(exc.path)) from None

    def path_line(self, path: Sequence[str | int]) -> int | None:
        """The line of the top-level table that *path* goes through, if it can be found."""
        key = str(path[0])
        if len(path) > 1 and isinstance(path[1], int):
            return self.table_line(key, path[1]) or self.key_line(key)
        return self.header_line(key) or self.key_line(key)

    def layout(self, doc: Mapping[str, Any]) -> Layout:
        self.check_keys(doc, "the file", TOP_KEYS)
        version = doc.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise self.fail(
                "version",
                f"this app reads layout version {FORMAT_VERSION}, the file is {version!r}",
                self.key_line("version"),
            )
        return Layout(
            title=self.text(doc, "title", "title"),
            readers=self.readers(doc),
            connections=self.tables(doc, "connections", self.connection),
            cards=self.tables(doc, "cards", self.card),
            charts=self.tables(doc, "charts", self.chart),
            rules=self.tables(doc, "rules", self.rule),
            alerts=self.conventions(doc.get("alerts", {})),
            log=self.log(doc.get("log", {})),
            panels=self.tables(doc, "panels", self.panel),
            arrangement=self.arrangement(doc.get("window", {})),
        )

    def readers(self, doc: Mapping[str, Any]) -> int | None:
        value = doc.get("readers")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail("readers", "expected a whole number", self.key_line("readers"))
        if not 1 <= value <= MAX_READERS:
            raise self.fail(
                "readers", f"must be 1 to {MAX_READERS}, not {value}", self.key_line("readers")
            )
        return value

    def arrangement(self, table: Any) -> str:
        self.table_start = 0
        if not isinstance(table, dict):
            raise self.fail("window", "expected a table [window]", self.key_line("window"))
        self.check_keys(table, "[window]", ("arrangement",))
        return self.text(table, "arrangement", "window.arrangement")

    def tables(
        self, doc: Mapping[str, Any], key: str, read: Callable[[Mapping[str, Any], str], T]
    ) -> list[T]:
        items = doc.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise self.fail(key, f"expected [[{key}]] tables", self.key_line(key))
        result = []
        for index, table in enumerate(items):
            where = f"{key}[{index + 1}]"
            label = table.get("title") or table.get("name")
            if isinstance(label, str) and label:
                where += f" ({label!r})"
            self.table_start = self.table_line(key, index) or 0
            try:
                result.append(read(table, where))
            except (ValueError, TypeError, OverflowError) as exc:
                if isinstance(exc, LayoutError):
                    raise
                line = self.table_line(key, index)
                raise self.fail(where, str(exc), line) from None
        return result

    def check_keys(self, table: Mapping[str, Any], where: str, known: Sequence[str]) -> None:
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise self.fail(
                where,
                f"unknown key {unknown[0]!r} (known: {', '.join(known)})",
                self.key_line(unknown[0]),
            )

    @staticmethod
    def text(table: Mapping[str, Any], key: str, where: str) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise ValueError(f"{where}: expected text, got {value!r}")
        return value

    # -- the tables ----------------------------------------------------------------------
    def connection(self, table: Mapping[str, Any], where: str) -> ConnectionSpec:
        kinds = self.kinds
        if kinds is None:  # a mistake in the code, not in the file
            raise RuntimeError("layout: give the source kinds (kinds=) to read [[connections]]")
        self.check_keys(table, where, connection_keys(kinds))
        url = _text(table, "url")
        if not url:
            raise ValueError("url: give the feed's URL")
        try:
            kinds.for_url(url)
        except ValueError as exc:
            raise ValueError(f"url: {exc}") from None
        headers = table.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise ValueError("headers: expected a table of text values")
        return kinds.spec(
            url,
            _text(table, "name"),
            headers=dict(headers),
            verify=not _flag(table, "insecure"),
            ca_file=_text(table, "ca") or None,
            heartbeat_timeout=_duration(table, "heartbeat", DEFAULT_HEARTBEAT_TIMEOUT),
            options=kinds.read_options(url, table),
            keys=self.envelope_keys(table.get("keys", {}), where),
        )

    def envelope_keys(self, table: Any, where: str) -> EnvelopeKeys:
        if not isinstance(table, dict):
            raise ValueError("keys: expected a table, like { type = ['kind'], time = ['ts'] }")
        self.check_keys(table, f"{where}.keys", ENVELOPE_KEYS)
        found = {}
        for name, names in table.items():
            if (
                not isinstance(names, list)
                or not names
                or not all(isinstance(n, str) for n in names)
            ):
                raise ValueError(f"keys.{name}: expected a list of JSON keys, like ['kind']")
            found[name] = tuple(names)
        return EnvelopeKeys(**found)

    def card(self, table: Mapping[str, Any], where: str) -> CardSpec:
        self.check_keys(table, where, CARD_KEYS)
        thresholds = table.get("thresholds", {})
        if not isinstance(thresholds, dict):
            raise ValueError("thresholds: expected a table, like { warning = 70, critical = 90 }")
        mappings = table.get("mappings", [])
        if not isinstance(mappings, list) or not all(isinstance(m, dict) for m in mappings):
            raise ValueError("mappings: expected a list of tables")
        decimals = table.get("decimals")
        if decimals is not None and (not isinstance(decimals, int) or decimals < 0):
            raise ValueError(f"decimals: expected a whole number 0 or more, got {decimals!r}")
        stale = table.get("stale_after", DEFAULT_STALE)
        return CardSpec(
            title=_text(table, "title") or _text(table, "field") or "Card",
            type=_text(table, "type"),
            field=_text(table, "field"),
            show=_text(table, "show") or "last",
            window=_duration(table, "window", 60.0),
            query=_query_text(table, "query"),
            style=_text(table, "style") or "number",
            unit=_text(table, "unit"),
            decimals=decimals,
            thresholds=Thresholds.from_table(thresholds),
            mappings=tuple(
                ValueMapping.from_table(m, f"mappings[{i + 1}]") for i, m in enumerate(mappings)
            ),
            stale_after=None
            if stale in (0, "", "never")
            else _duration(table, "stale_after", 30.0),
            description=_text(table, "description"),
        )

    def chart(self, table: Mapping[str, Any], where: str) -> ChartSpec:
        self.check_keys(table, where, CHART_KEYS)
        items = table.get("series", [])
        if not isinstance(items, list) or not all(isinstance(s, dict) for s in items) or not items:
            raise ValueError("series: expected one or more [[charts.series]] tables")
        if len(items) > MAX_SERIES:
            raise ValueError(
                f"series: {len(items)} of them, and a chart holds at most {MAX_SERIES}"
            )
        series = []
        for index, item in enumerate(items):
            self.check_keys(item, f"{where}.series[{index + 1}]", SERIES_KEYS)
            try:
                series.append(
                    SeriesSpec(
                        type=_text(item, "type"),
                        field=_text(item, "field"),
                        query=_query_text(item, "query"),
                        split_by=_text(item, "split_by"),
                        interval=_duration(item, "interval", 10.0),
                        label=_text(item, "label"),
                        unit=_text(item, "unit"),
                        merge_connections=_flag(item, "merge_connections"),
                    )
                )
            except ValueError as exc:
                raise ValueError(f"series[{index + 1}]: {exc}") from None
        return ChartSpec(
            title=_text(table, "title") or series[0].name(),
            series=tuple(series),
            unit=_text(table, "unit"),
            window=_duration(table, "window", 300.0, CHART_WINDOWS),
            markers=_query_text(table, "markers"),
        )

    def rule(self, table: Mapping[str, Any], where: str) -> dict[str, Any]:
        try:
            name = parse_rule(table).name
            if name in self._rule_names:
                raise same_name(name)
            self._rule_names.add(name)
        except RuleError as exc:  # at the line of the setting that is wrong, when written
            line = self.key_line(exc.key) if exc.key in table else None
            raise self.fail(where, str(exc), line or self.table_start or None) from None
        return dict(table)

    def panel(self, table: Mapping[str, Any], where: str) -> PanelSpec:
        name = _text(table, "kind")
        if not name:
            raise ValueError("kind: say which kind of panel this table is")
        if self.panel_kinds is None:  # headless: no panel is built, the table is kept
            return PanelSpec(name, {k: v for k, v in table.items() if k != "kind"})
        kind = self.panel_kinds.get(name)
        self.check_keys(table, where, kind.keys())
        return PanelSpec(name, kind.read(table))

    def conventions(self, table: Any) -> AlertConventions:
        self.table_start = 0
        if not isinstance(table, dict):
            raise self.fail("alerts", "expected a table [alerts]", self.key_line("alerts"))
        try:
            self.check_keys(table, "[alerts]", ("types", "min_severity", "connection_down"))
            types = table.get("types", list(AlertConventions.types))
            if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
                raise ValueError("types: expected a list of event types, like ['alert', 'alert.*']")
            severity = _text(table, "min_severity") or "warning"
            down = _duration(table, "connection_down", 30.0)
            return AlertConventions(tuple(types), severity, down)
        except ValueError as exc:
            if isinstance(exc, LayoutError):
                raise
            raise self.fail("[alerts]", str(exc), self.header_line("alerts")) from None

    def log(self, table: Any) -> LogSettings:
        self.table_start = 0
        if not isinstance(table, dict):
            raise self.fail("log", "expected a table [log]", self.key_line("log"))
        try:
            self.check_keys(table, "[log]", ("filter", "columns"))
            columns = table.get("columns", [])
            if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
                raise ValueError("columns: expected a list of field paths")
            return LogSettings(_query_text(table, "filter"), tuple(columns))
        except ValueError as exc:
            if isinstance(exc, LayoutError):
                raise
            raise self.fail("[log]", str(exc), self.header_line("log")) from None


TOP_KEYS = (
    "version",
    "title",
    "readers",
    "connections",
    "cards",
    "charts",
    "rules",
    "alerts",
    "log",
    "panels",
    "window",
)
# The keys of a [[connections]] table every transport shares; each transport's own options
# (WebSocket's subprotocol...) come between them and "keys" (see connection_keys).
COMMON_CONNECTION_KEYS = ("name", "url", "headers", "insecure", "ca", "heartbeat", "keys")


def connection_keys(kinds: SourceKinds) -> tuple[str, ...]:
    """The keys a ``[[connections]]`` table may have, with *kinds*' options."""
    *common, last = COMMON_CONNECTION_KEYS
    return (*common, *kinds.option_names(), last)


ENVELOPE_KEYS = ("type", "time", "source", "severity")
CARD_KEYS = (
    "title",
    "type",
    "field",
    "show",
    "window",
    "query",
    "style",
    "unit",
    "decimals",
    "thresholds",
    "mappings",
    "stale_after",
    "description",
)
CHART_KEYS = ("title", "series", "unit", "window", "markers")
SERIES_KEYS = (
    "type", "field", "query", "split_by", "interval", "label", "unit", "merge_connections"
)  # fmt: skip
DEFAULT_STALE = 30.0


def _path_text(path: Sequence[str | int], steps: int = 4) -> str:
    """``cards[1].thresholds.a…``: the first *steps* of a path into the document."""
    shown = (f"[{step + 1}]" if isinstance(step, int) else f".{step}" for step in path[:steps])
    return "".join(shown).lstrip(".") + ("…" if len(path) > steps else "")


def _text(table: Mapping[str, Any], key: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected text in quotes, got {value!r}")
    return value.strip()


def _flag(table: Mapping[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{key}: expected true or false, got {value!r}")
    return value


def _duration(
    table: Mapping[str, Any], key: str, default: float, within: DurationRange = SETTINGS
) -> float:
    if key not in table:
        return default
    return within.read(table[key], key)


def _query_text(table: Mapping[str, Any], key: str) -> str:
    text = _text(table, key)
    if text:
        try:
            parse(text)
        except QueryError as exc:
            raise ValueError(f"{key}: {exc}") from None
    return text


# -- writing ---------------------------------------------------------------------------
def dumps(
    layout: Layout, kinds: SourceKinds | None = None, panels: PanelKinds | None = None
) -> str:
    """The layout as TOML. Connections' options are written as their *kinds* declare them
    (not secret, not default); without *kinds*, a connection with options cannot be. Panels
    are written as their *panels* kinds declare them (options not at their default);
    without, as they are held."""
    doc: dict[str, Any] = {"version": FORMAT_VERSION}
    if layout.title:
        doc["title"] = layout.title
    if layout.readers is not None:
        doc["readers"] = layout.readers
    if layout.connections:
        doc["connections"] = [_connection_table(c, kinds) for c in layout.connections]
    if layout.cards:
        doc["cards"] = [_card_table(c) for c in layout.cards]
    if layout.charts:
        doc["charts"] = [_chart_table(c) for c in layout.charts]
    if layout.rules:
        doc["rules"] = [dict(r) for r in layout.rules]
    if layout.alerts != AlertConventions():
        doc["alerts"] = _changed(layout.alerts, AlertConventions(), {"types": list})
    if layout.log != LogSettings():
        doc["log"] = _changed(layout.log, LogSettings(), {"columns": list})
    if layout.panels:
        doc["panels"] = [_panel_table(p, panels) for p in layout.panels]
    if layout.arrangement:
        doc["window"] = {"arrangement": layout.arrangement}
    return tomli_w.dumps(doc)


def save(
    layout: Layout,
    path: str | Path,
    *,
    private: bool = False,
    kinds: SourceKinds | None = None,
    panels: PanelKinds | None = None,
) -> None:
    """Write *layout* to *path* (see :func:`write_whole`)."""
    write_whole(Path(path), dumps(layout, kinds, panels), private=private)


def write_whole(path: Path, text: str, *, private: bool = False) -> None:
    """Write *text* to *path* whole: a crash or a full disk mid-write leaves the old file
    and no partial one. A *private* file is readable by its owner alone from the start."""
    temporary = path.with_name(path.name + ".part")
    try:
        with open(temporary, "wb") as file:
            if private:  # before anything is written to it
                os.chmod(temporary, 0o600)
            file.write(text.encode("utf-8"))
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):  # not a file of ours (a folder in the way)
            temporary.unlink(missing_ok=True)
        raise


def _changed(obj: Any, default: Any, convert: Mapping[str, Callable[[Any], Any]]) -> dict:
    """The fields of a dataclass that differ from *default*, TOML-ready."""
    table = {}
    for f in fields(obj):
        if not f.init:
            continue
        value = getattr(obj, f.name)
        if value != getattr(default, f.name):
            table[f.name] = convert.get(f.name, lambda v: v)(value)
    return table


_SECRET_HEADER = re.compile(r"(?i)authorization|cookie|token|secret|password|api[-_]?key")
_URL_PASSWORD = re.compile(r"^([a-z][a-z0-9+.-]*://[^/@:]*):([^/@]*)@", re.IGNORECASE)


def is_secret(header: str, value: str) -> bool:
    """A credential written out as it is (not a ``${ENV}`` reference): a layout file is
    for sharing, so such a value is never written to one."""
    return bool(_SECRET_HEADER.search(header)) and "${" not in value


def left_out(layout: Layout, kinds: SourceKinds | None = None) -> list[str]:
    """What :func:`dumps` leaves out of *layout* because it is a credential, in words."""
    found = []
    for spec in layout.connections:
        found += [f"{spec.name}: header {h}" for h, v in spec.headers.items() if is_secret(h, v)]
        if kinds is not None:
            found += [f"{spec.name}: {name}" for name in kinds.secret_options(spec)]
        match = _URL_PASSWORD.match(spec.url)
        if match and "${" not in match[2]:
            found.append(f"{spec.name}: the password in the URL")
    return found


def _connection_table(spec: ConnectionSpec, kinds: SourceKinds | None) -> dict[str, Any]:
    url = spec.url
    match = _URL_PASSWORD.match(url)
    if match and "${" not in match[2]:
        url = f"{match[1]}@{url[match.end() :]}"
    table: dict[str, Any] = {"name": spec.name, "url": url}
    headers = {h: v for h, v in spec.headers.items() if not is_secret(h, v)}
    if headers:
        table["headers"] = headers
    if not spec.verify:
        table["insecure"] = True
    if spec.ca_file:
        table["ca"] = spec.ca_file
    if spec.heartbeat_timeout != DEFAULT_HEARTBEAT_TIMEOUT:
        table["heartbeat"] = spec.heartbeat_timeout
    if kinds is not None:
        table.update(kinds.public_options(spec))
    elif spec.options:  # a mistake in the code: which of them may be written is the kind's say
        raise RuntimeError("layout: give the source kinds (kinds=) to write connection options")
    keys = _changed(spec.keys, EnvelopeKeys(), {})
    if keys:
        table["keys"] = {name: list(names) for name, names in keys.items()}
    return table


def _card_table(spec: CardSpec) -> dict[str, Any]:
    table = _changed(
        spec, CardSpec("", field="x"), {"thresholds": _thresholds_table, "mappings": _mappings_list}
    )
    table["title"] = spec.title
    if spec.field:
        table["field"] = spec.field
    if spec.stale_after is None:
        table["stale_after"] = "never"
    return {k: table[k] for k in CARD_KEYS if k in table}


def _thresholds_table(thresholds: Thresholds) -> dict[str, Any]:
    return {
        f.name: getattr(thresholds, f.name)
        for f in fields(thresholds)
        if getattr(thresholds, f.name) is not None
    }


def _mappings_list(mappings: Sequence[ValueMapping]) -> list[dict[str, Any]]:
    result = []
    for m in mappings:
        table: dict[str, Any] = {"text": m.text}
        for key in ("value", "pattern", "colour"):
            if getattr(m, key) is not None:
                table[key] = getattr(m, key)
        if m.range is not None:
            table["range"] = list(m.range)
        result.append(table)
    return result


def _chart_table(spec: ChartSpec) -> dict[str, Any]:
    table: dict[str, Any] = {"title": spec.title}
    if spec.unit:
        table["unit"] = spec.unit
    table["window"] = spec.window
    if spec.markers:
        table["markers"] = spec.markers
    table["series"] = [_changed(s, SeriesSpec(), {}) for s in spec.series]
    return table


def _panel_table(spec: PanelSpec, kinds: PanelKinds | None) -> dict[str, Any]:
    if kinds is None:
        return {"kind": spec.kind, **spec.options}
    return kinds.get(spec.kind).table_of(spec.options)
