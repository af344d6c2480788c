"""Source kinds: what a transport declares about itself, in one place.

A transport module (``dashboard.sources.websocket``...) declares a :class:`SourceKind`: its
URL schemes, its options as a declarative schema (:class:`Option`), how a connection is
named, and the class that reads it. The connection dialog, layout files, the command line,
``--help``, the About box and the README's table are all built from these declarations,
so adding a transport is one module and one line in ``dashboard.sources.registry``.

This module is plain data: the reader class is held, not imported (core never imports
sources). Code here that needs the kinds takes a :class:`SourceKinds` as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dashboard.core.lang.duration import DurationRange
from dashboard.core.text.redact import mark_secret
from dashboard.core.transport.connection import ConnectionSpec, host_name

__all__ = ["ItemFlag", "Option", "SourceKind", "SourceKinds"]

_TYPE_WORDS = {
    str: "text in quotes",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    list: "a list of texts in quotes",
}
MAX_ITEMS = 1_000  # in a list option: a handshake is a few steps, event types a few dozen


@dataclass(frozen=True)
class ItemFlag:
    """A second command-line flag of a list option: ``--NAME TEXT`` appends
    ``to_item(TEXT)`` to the same list, in command-line order with the option's own flag
    (WebSocket's ``--expect`` adds steps to ``send``)."""

    name: str
    to_item: Callable[[str], str]
    description: str = ""
    metavar: str = ""


@dataclass(frozen=True)
class Option:
    """One option of a transport: its layout key and ``--flag`` are *name*; *label* is
    what the dialog shows; *check* raises ValueError saying what is wrong with a value.
    An option left at its default is not written to a layout; a *secret* one never is
    (it is masked in the dialog, and marked secret so no log line shows it)."""

    name: str
    type: type = str
    default: Any = None
    description: str = ""
    label: str = ""
    choices: tuple[str, ...] = ()
    check: Callable[[Any], object] | None = None
    secret: bool = False
    placeholder: str = ""
    # list options only: a value of this is secret if it is true of any of its items
    # (a message carrying a credential as it is); the flag's text as an item; more flags
    secret_item: Callable[[str], bool] | None = None
    flag_item: Callable[[str], str] | None = None
    item_flags: tuple[ItemFlag, ...] = ()
    # seconds, also written as a duration (20s, 2m, 1h30m: core.lang), within this range
    duration: DurationRange | None = None
    metavar: str = ""  # what --help calls its value (default: the name in capitals)
    shown_with: tuple[str, str] = ()  # (option, value): the dialog shows it only then

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def parse(self, value: Any) -> Any:
        """*value* as read from a layout file (or given by code), checked: the option's
        value, or None for text left empty. ValueError names the option."""
        kind = self.type
        if kind is list:
            return self._parse_list(value)
        if self.duration is not None:  # "20s" or 20 in a layout, as on the command line
            value = self.duration.read(value, self.name)
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ValueError(f"{self.name}: expected {_TYPE_WORDS[kind]}, got {value!r}")
        if kind is str:
            value = value.strip()
            if not value:
                return None
        if self.choices and value not in self.choices:
            raise ValueError(
                f"{self.name}: {value!r} is not one of {', '.join(map(repr, self.choices))}"
            )
        if self.check is not None:
            try:
                self.check(value)
            except ValueError as exc:
                raise ValueError(f"{self.name}: {exc}") from None
        return value

    def _parse_list(self, value: Any) -> list[str] | None:
        """A list option's value: its texts (blank ones left out), each checked; ValueError
        names the option and the item."""
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{self.name}: expected {_TYPE_WORDS[list]}, got {value!r}")
        items = [item.strip() for item in value if item.strip()]
        if len(items) > MAX_ITEMS:
            raise ValueError(f"{self.name}: {len(items):,} items, and it holds {MAX_ITEMS:,}")
        for number, item in enumerate(items, 1):
            if self.check is not None:
                try:
                    self.check(item)
                except ValueError as exc:
                    where = f" {number}" if len(items) > 1 else ""
                    raise ValueError(f"{self.name}{where}: {exc}") from None
        return items or None

    def item(self, text: str, flag: ItemFlag | None = None) -> str:
        """One item of a list option, from its flag's *text* (or an :class:`ItemFlag`'s),
        checked on its own: ValueError naming the option."""
        if flag is not None:
            text = flag.to_item(text)
        elif self.flag_item is not None:
            text = self.flag_item(text)
        self.parse([text])
        return text

    def is_secret_value(self, value: Any) -> bool:
        """Whether *value* holds a credential as it is, so it is never written to a layout:
        a secret option's value unless it is a ``${ENV}`` reference (as for headers), or a
        list one of whose items *secret_item* says so of."""
        if self.secret:
            return not (isinstance(value, str) and "${" in value)
        if self.secret_item is not None and isinstance(value, list | tuple):
            return any(self.secret_item(item) for item in value)
        return False

    def from_text(self, text: str) -> Any:
        """*text* typed on the command line or in the dialog, as the option's value (a list
        option's: one item per line)."""
        kind = self.type
        if kind is str:
            return self.parse(text)
        if kind is list:
            return self.parse(text.splitlines())
        if self.duration is not None:
            return self.parse(text)
        try:
            number = kind(text.strip())
        except ValueError:
            raise ValueError(f"{self.name}: expected {_TYPE_WORDS[kind]}, got {text!r}") from None
        return self.parse(number)


@dataclass(frozen=True)
class SourceKind:
    """A transport, as the rest of the app sees it.

    *reader* is the class that reads it (a ``sources.base.ReconnectingSource``), called as
    ``reader(spec, sink, backoff=..., clock=...)``; typed loosely, since core never imports
    sources. *check_url* raises ValueError saying what is wrong with a URL of this kind's
    schemes; *default_name* names a connection given no name (else: its host).
    """

    name: str  # short, for code and tests: "sse", "websocket", "redis"
    title: str  # for people: "Server-Sent Events"
    schemes: tuple[str, ...]
    reader: Any
    url_example: str  # "ws(s)://host/path"
    description: str = ""  # a sentence for the README table and the dialog's tool tip
    options: tuple[Option, ...] = ()
    check_url: Callable[[str], object] | None = None
    # raises ValueError naming the option when options that go together do not (a preset
    # without what it needs); given every option set, after each was checked on its own
    check_options: Callable[[Mapping[str, Any]], object] | None = None
    default_name: Callable[[str], str] | None = None
    # raises ValueError saying what keeps a connection to the URL, with the options given,
    # from starting on this machine (a receiver open to other machines without its secret,
    # a file in a folder that is not there), "NAME: " first when an option is at fault. The
    # command line and the dialog ask it before starting; a layout file loads without it
    check_start: Callable[[str, Mapping[str, Any]], object] | None = None
    takes_headers: bool = True  # HTTP-style headers and authentication
    headers_instead: str = ""  # what to do instead, when it does not
    bundle_imports: tuple[str, ...] = ()  # modules it imports by name, late: the bundle's
    names_host: bool = True  # its URLs name a host (file: and stdin: URLs name none)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    def checked(self, options: dict[str, Any]) -> dict[str, Any]:
        """*options* (each already checked on its own) checked together; ValueError naming
        the option at fault."""
        if self.check_options is not None:
            self.check_options(options)
        return options

    def start_problem(self, url: str, options: Mapping[str, Any]) -> tuple[str, str] | None:
        """(option name or "", what is wrong) when *check_start* refuses *url* with
        *options*; None when it can start."""
        if self.check_start is None:
            return None
        try:
            self.check_start(url, options)
        except ValueError as exc:
            name, colon, why = str(exc).partition(": ")
            if colon and self.option(name) is not None:
                return name, why
            return "", str(exc)
        return None

    def describe_url(self) -> str:
        return f"{self.url_example} ({self.title})"


class SourceKinds:
    """The transports the app can read, looked up by URL scheme. Immutable: a plugin or a
    test makes a new one with :meth:`adding`."""

    def __init__(self, kinds: Iterable[SourceKind]) -> None:
        self._kinds = tuple(kinds)
        self._by_scheme: dict[str, SourceKind] = {}
        names = set()
        for kind in self._kinds:
            if kind.name in names:
                raise ValueError(f"two source kinds are named {kind.name!r}")
            names.add(kind.name)
            for scheme in kind.schemes:
                if scheme in self._by_scheme:
                    raise ValueError(f"two source kinds read {scheme}://")
                self._by_scheme[scheme.lower()] = kind

    def __iter__(self) -> Iterator[SourceKind]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def adding(self, *kinds: SourceKind) -> SourceKinds:
        return SourceKinds((*self._kinds, *kinds))

    @property
    def schemes(self) -> tuple[str, ...]:
        return tuple(self._by_scheme)

    def url_help(self) -> str:
        """``expected http(s)://host/path (Server-Sent Events), ... or ... (Redis)``"""
        described = [k.describe_url() for k in self._kinds]
        if len(described) > 1:
            described[-2:] = [f"{described[-2]} or {described[-1]}"]
        return "expected " + ", ".join(described)

    def for_url(self, url: str) -> SourceKind:
        """The kind that reads *url*; ValueError saying what is wrong (without the URL: the
        caller says which)."""
        parts = urlsplit(url)
        kind = self._by_scheme.get(parts.scheme.lower())
        if kind is None or (kind.names_host and not parts.netloc):
            raise ValueError(self.url_help())
        if kind.check_url is not None:
            kind.check_url(url)
        return kind

    def markdown_table(self) -> str:
        """The README's table of transports (a test keeps the README in step with it)."""
        lines = [
            "| transport | URL | its own options | what it does |",
            "| --- | --- | --- | --- |",
        ]
        for kind in self._kinds:
            options = ", ".join(_described(o) for o in kind.options)
            url = kind.url_example.replace("|", "\\|")
            lines.append(f"| {kind.title} | `{url}` | {options or '—'} | {kind.description} |")
        return "\n".join(lines) + "\n"

    def option_names(self) -> tuple[str, ...]:
        """Every option name, in the order the kinds declare them, each once."""
        return tuple(dict.fromkeys(o.name for k in self._kinds for o in k.options))

    def declaring(self, name: str) -> list[tuple[SourceKind, Option]]:
        """The kinds that have an option *name*, with it."""
        return [(k, o) for k in self._kinds for o in k.options if o.name == name]

    def spec(self, url: str, name: str = "", **fields: Any) -> ConnectionSpec:
        """A ConnectionSpec for *url*, named as its kind names connections when *name* is
        empty, its secret options marked. *url* must be one :meth:`for_url` accepts."""
        kind = self.for_url(url)
        if not name:
            name = kind.default_name(url) if kind.default_name else host_name(url)
        spec = ConnectionSpec(url, name, **fields)
        self.mark_secrets(spec)
        return spec

    def mark_secrets(self, spec: ConnectionSpec) -> None:
        kind = self._by_scheme.get(spec.scheme)
        spec.mark_secrets(tuple(o.name for o in kind.options if o.secret) if kind else ())
        for option in kind.options if kind else ():
            for item in spec.options.get(option.name) or () if option.secret_item else ():
                if option.secret_item(item):  # type: ignore[misc]
                    mark_secret(item)

    def read_options(self, url: str, table: Mapping[str, Any]) -> dict[str, Any]:
        """The options in *table* (a layout's ``[[connections]]`` table, or anything keyed
        by option name) for a connection to *url*, checked; ValueError naming the key.
        Keys that are no option are not looked at; an option of another transport is
        refused."""
        kind = self.for_url(url)
        options: dict[str, Any] = {}
        for key in self.option_names():
            if key not in table:
                continue
            option = kind.option(key)
            if option is None:
                owners = ", ".join(k.title for k, _ in self.declaring(key))
                raise ValueError(f"{key}: an option of {owners} connections, not {kind.title}")
            value = option.parse(table[key])
            if value is not None and value != option.default:
                options[key] = value
        # (not checked together here: a layout saved without a secret option, say a token,
        # still loads; the connection says what is missing when it connects)
        return options

    def public_options(self, spec: ConnectionSpec) -> dict[str, Any]:
        """The options of *spec* that may be written to a file: not secret, not default."""
        kind = self._by_scheme.get(spec.scheme)
        declared = {o.name: o for o in kind.options} if kind else {}
        return {
            name: value
            for name, value in spec.options.items()
            if name in declared
            and not declared[name].is_secret_value(value)
            and value != declared[name].default
        }

    def secret_options(self, spec: ConnectionSpec) -> list[str]:
        """The names of the options of *spec* that hold a credential as it is (never
        written to a layout: :meth:`public_options` leaves them out)."""
        kind = self._by_scheme.get(spec.scheme)
        if kind is None:
            return []
        return [
            o.name
            for o in kind.options
            if spec.options.get(o.name) and o.is_secret_value(spec.options[o.name])
        ]


def _described(option: Option) -> str:
    """```name` (what it is; `--flag`: what its item flag adds)`` for the README's table."""
    said = [option.description] if option.description else []
    if option.duration is not None:
        said.append(f"a duration, {option.duration}")
    said += [f"`--{f.name}`: {f.description}" for f in option.item_flags]
    return f"`{option.name}` ({'; '.join(said)})" if said else f"`{option.name}`"
