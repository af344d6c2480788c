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

from dashboard.core.connection import ConnectionSpec, host_name

__all__ = ["Option", "SourceKind", "SourceKinds"]

_TYPE_WORDS = {
    str: "text in quotes",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
}


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

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def parse(self, value: Any) -> Any:
        """*value* as read from a layout file (or given by code), checked: the option's
        value, or None for text left empty. ValueError names the option."""
        kind = self.type
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

    def from_text(self, text: str) -> Any:
        """*text* typed on the command line or in the dialog, as the option's value."""
        kind = self.type
        if kind is str:
            return self.parse(text)
        if kind is bool:
            lowered = text.strip().lower()
            if lowered not in ("1", "0", "yes", "no", "true", "false", "on", "off"):
                raise ValueError(f"{self.name}: expected yes or no, got {text!r}")
            return self.parse(lowered in ("1", "yes", "true", "on"))
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
    default_name: Callable[[str], str] | None = None
    takes_headers: bool = True  # HTTP-style headers and authentication
    headers_instead: str = ""  # what to do instead, when it does not
    bundle_imports: tuple[str, ...] = ()  # modules it imports by name, late: the bundle's
    names_host: bool = True  # its URLs name a host (file: and stdin: URLs name none)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

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
            options = ", ".join(
                f"`{o.name}` ({o.description})" if o.description else f"`{o.name}`"
                for o in kind.options
            )
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
        return options

    def public_options(self, spec: ConnectionSpec) -> dict[str, Any]:
        """The options of *spec* that may be written to a file: not secret, not default."""
        kind = self._by_scheme.get(spec.scheme)
        declared = {o.name: o for o in kind.options} if kind else {}
        return {
            name: value
            for name, value in spec.options.items()
            if name in declared and not declared[name].secret and value != declared[name].default
        }

    def secret_options(self, spec: ConnectionSpec) -> list[str]:
        """The names of the secret options *spec* has set."""
        kind = self._by_scheme.get(spec.scheme)
        return (
            [o.name for o in kind.options if o.secret and spec.options.get(o.name)] if kind else []
        )
