"""Command line: the GUI (``dashboard [URL...]``) and the headless ``feed``, ``record``,
``query`` and ``check-rules`` commands."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dashboard import __version__
from dashboard.core.lang.duration import SETTINGS, DurationRange, format_duration

if TYPE_CHECKING:
    from dashboard.capture import CaptureResult
    from dashboard.core.events.event import Event
    from dashboard.core.lang.query import Query
    from dashboard.core.layouts.layoutfile import Layout
    from dashboard.core.monitor import Monitor
    from dashboard.core.storage.recordformat import BadLine, CsvWriter
    from dashboard.core.transport.connection import ConnectionSpec
    from dashboard.core.transport.sourcekind import ItemFlag, Option, SourceKind, SourceKinds
    from dashboard.feed.server import FeedServer
    from dashboard.ui.startup import AppOptions

BAD_LINES_SHOWN = 10  # bad lines reported one by one; past that, only counted
OPTION_DEST = "source_option_"  # argparse dest of a transport's own option: + its name
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")  # what Qt always writes
BAD_REASON_LIMIT = 300  # characters of a bad line's reason shown (it may quote the line)
CHECK_LINE_LIMIT = 1000  # characters of a check-rules line (a message may quote the feed)


def _number(
    convert: type[int] | type[float], low: float, high: float | None, rule: str, noun: str
) -> Callable[[str], Any]:
    """An argparse type: *convert* the text, and keep it within [low, high] (low excluded
    when *rule* says "greater than")."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        too_low = value <= low if rule.startswith("greater") else value < low
        if too_low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text!r} must be {rule}")
        return value

    return parse


def _duration(within: DurationRange) -> Callable[[str], float]:
    """An argparse type: seconds, from a duration (``45s``, ``1m30s``, ``250ms``) or a
    number of seconds, *within* the setting's range: the one grammar, and the same range a
    layout holding the value is read with."""

    def parse(text: str) -> float:
        try:
            return within.read(text, "duration")
        except ValueError as exc:  # (the flag is named already)
            raise argparse.ArgumentTypeError(str(exc).removeprefix("duration: ")) from None

    return parse


# --exit-after waits on a Qt timer, whose milliseconds are a 32-bit number (24.8 days)
EXIT_AFTER = DurationRange(0.1, 24 * 86_400.0)

_count = _number(int, 1, None, "at least 1", "a whole number")
_share = _number(float, 0, 1, "between 0 and 1", "a number")
_readers = _number(int, 1, 64, "1 to 64", "a whole number")  # core.layouts.layoutfile.MAX_READERS
_port = _number(int, 0, 65535, "0 to 65535", "a port number")
# The demo feed makes its events in Python: on its own (dashboard feed) about 30,000 a
# second at most; inside the window's process (--demo), sharing it with the window, it
# keeps up with 5,000 a second and fell behind at 10,000 (in bursts, then silence).
FEED_MAX_RATE = 1_000_000
DEMO_MAX_RATE = 5_000
_feed_rate = _number(
    float, 0, FEED_MAX_RATE, f"greater than 0 and at most {FEED_MAX_RATE}", "a number"
)
_demo_rate = _number(
    float,
    0,
    DEMO_MAX_RATE,
    f"greater than 0 and at most {DEMO_MAX_RATE} (the built-in demo feed shares the "
    "window's process; for more, run 'dashboard feed --rate N' and connect to its URL)",
    "a number",
)


def _registry() -> SourceKinds:
    from dashboard.sources.registry import KINDS

    return KINDS


def _url_type(kinds: SourceKinds) -> Callable[[str], str]:
    def url(text: str) -> str:
        text = feed_url(text)
        try:
            kinds.for_url(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{text!r} is not a feed URL: {exc}") from None
        return text

    return url


def feed_url(text: str) -> str:
    """What a feed argument names, as a URL: ``-`` is standard input (``stdin:``); text
    with ``://``, or starting ``file:`` or ``stdin:``, is a URL as it is; anything else
    is the path of a file to follow (``file:///...``), which need not exist yet, but its
    folder must (so that a URL without its scheme, ``localhost:8765/events``, is said to
    be a mistake rather than waited for). Said at once, too: ``-`` where standard input
    is the terminal (nothing piped: it would wait for lines typed there), and a file that
    is binary."""
    if text == "-":
        if sys.stdin is not None and sys.stdin.isatty():
            raise argparse.ArgumentTypeError(
                "'-' reads standard input, and nothing is piped into it (it is the "
                "terminal): tail -f app.log | dashboard -, or dashboard - < app.log"
            )
        return "stdin:"
    if "://" in text or text.lower().startswith(("file:", "stdin:")):
        return text
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder: name a file in it")
    from dashboard.sources.files import missing_folder

    folder = missing_folder(path)
    if folder is not None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a feed URL nor a file: there is no folder "
            f"{str(folder)!r} (a URL starts with its scheme, like http://)"
        )
    binary = _binary_at(path)
    if binary is not None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is a binary file (a NUL byte at offset {binary}), not lines of text"
        )
    return path.resolve().as_uri()


def _binary_at(path: Path) -> int | None:
    """Where a NUL byte is in the start of the file at *path*, if it is a readable regular
    file (one that is not yet, or cannot be read, is waited for by its connection)."""
    from dashboard.sources.files import BINARY_SNIFF, binary_at

    if not path.is_file():  # (opening a FIFO would wait for a writer)
        return None
    try:
        with path.open("rb") as file:
            return binary_at(file.read(BINARY_SNIFF))
    except OSError:
        return None


def _option_type(option: Option) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return option.from_text(text)
        except ValueError as exc:  # (the flag is named already: not the option again)
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{option.name}: ")) from None

    return parse


def _item_type(option: Option, flag: ItemFlag | None) -> Callable[[str], str]:
    def parse(text: str) -> str:
        try:
            return option.item(text, flag)
        except ValueError as exc:  # (the flag is named already: not the option again)
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{option.name}: ")) from None

    return parse


def urls_help(kinds: SourceKinds) -> str:
    """``http(s)://host/path for Server-Sent Events, ws(s)://host/path for WebSocket...``"""
    return ", ".join(f"{k.url_example} for {k.title}" for k in kinds)


def listen_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dashboard listen",
        description="Open the window with a webhook receiver: each POST body becomes an event "
        "(Prometheus Alertmanager's and GitHub's payloads are recognised). Every option of "
        "'dashboard --help' applies too (--secret, --layout, --record...).",
        epilog="Example: dashboard listen :9000/alerts, then in Alertmanager: url: "
        "http://127.0.0.1:9000/alerts",
    )
    parser.add_argument(
        "address",
        type=_listen_address,
        metavar="[:]PORT[/PATH]",
        help="the port to listen on, and the path POSTs go to (default: any path)",
    )
    parser.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="the address to listen on (default 127.0.0.1, this machine only); any other "
        "needs --secret, which each request must carry",
    )
    return parser


def _listen_address(text: str) -> tuple[int, str]:
    port, slash, path = text.removeprefix(":").partition("/")
    if port.isdigit() and not 0 < int(port) < 65536:
        why = (
            "any free port, which no sender could be told"
            if int(port) == 0
            else "over 65535, the highest port"
        )
        raise argparse.ArgumentTypeError(
            f"{text!r}: port {int(port)} would be {why}: name a port from 1 to 65535, like :9000"
        )
    if not port.isdigit():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port: expected :PORT or :PORT/PATH, like :9000/alerts "
            "(the address is --bind)"
        )
    return int(port), slash + path


def listen_args(args: list[str]) -> list[str]:
    """``dashboard listen :9000/x --bind A ...`` as the window's arguments: a listen:// URL
    first, then the rest as they were."""
    options, rest = listen_parser().parse_known_args(args)
    port, path = options.address
    host = f"[{options.bind}]" if ":" in options.bind else options.bind
    return [f"listen://{host}:{port}{path or '/'}", *rest]


def feeds_problem(specs: Sequence[ConnectionSpec]) -> str | None:
    """What is wrong with the feeds given together, said before anything starts: standard
    input twice, two receivers on one port, a receiver that cannot listen (a port in
    use)."""
    problems = []
    if sum(spec.scheme == "stdin" for spec in specs) > 1:
        problems.append("standard input (-) can be read by one connection only")
    ports: set[int | None] = set()
    for spec in specs:
        if spec.scheme != "listen":
            continue
        from dashboard.sources.webhook import listen_problem

        port = urlsplit(spec.url).port
        problem = f"two receivers on port {port}" if port in ports else listen_problem(spec.url)
        ports.add(port)
        if problem:
            problems.append(problem)
    return "; ".join(problems) or None


def _header(text: str) -> tuple[str, str]:
    from dashboard.sources.base import parse_header

    try:
        return parse_header(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _speed(text: str) -> float:
    """A replay speed; 'max' (as fast as it goes) is infinity."""
    if text.strip().lower() in ("max", "fastest"):
        return math.inf
    return _replay_speed(text.removesuffix("x"))  # type: ignore[no-any-return]


_replay_speed = _number(float, 0.1, 100, "between 0.1 and 100 (or 'max')", "a speed")


def _readable_file(text: str) -> str:
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: it is a folder, not a file")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: no such file")
    return text


ENVELOPE_FLAGS = ("type", "time", "source", "severity")  # --NAME-key: EnvelopeKeys' fields


def _keys(text: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in text.split(","))
    if not all(keys):
        raise argparse.ArgumentTypeError(f"{text!r}: expected JSON keys separated by commas")
    return keys


def connection_flags(kinds: SourceKinds) -> tuple[str, ...]:
    """The command-line flags that set up a connection, as the window and ``record`` both
    take them: the shared ones, then each transport's own (tests keep ``--help``, the
    dialog and the README's option table in step with this list)."""
    shared = ("--header", "--insecure", "--ca", "--heartbeat")
    keys = tuple(f"--{name}-key" for name in ENVELOPE_FLAGS)
    return (*shared, *keys, *(f"--{n.replace('_', '-')}" for n in kinds.option_names()))


def _picture_file(text: str) -> Path:
    """Where --screenshot saves: its folder must be there now, not at the end of the run."""
    path = Path(text)
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: no such folder {path.parent}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is a folder")
    if path.suffix.lower() not in PICTURE_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"cannot save a picture as {text!r}: name it .png (or .jpg, .bmp)"
        )
    return path


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """--header, --insecure, --ca, --heartbeat and the envelope keys: for the window and
    for ``record`` alike (a transport's own options are :func:`add_source_options`')."""
    parser.add_argument(
        "--header",
        action="append",
        type=_header,
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header for every URL (repeatable); ${ENV_VAR} in the value "
        "is read from the environment at connect time",
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify TLS certificates (shown as a warning while it is on)",
    )
    parser.add_argument(
        "--ca",
        type=_readable_file,
        metavar="FILE",
        help="trust the CA certificates in this PEM file",
    )
    parser.add_argument(
        "--heartbeat",
        type=_duration(SETTINGS),
        default=None,
        metavar="DURATION",
        help="a connection with no bytes for this long is taken as dead (default 45s; "
        f"a duration such as 45s, 1m30s or 500ms, or a number of seconds; {SETTINGS})",
    )
    _add_envelope_key_options(parser)


def _add_envelope_key_options(parser: argparse.ArgumentParser) -> None:
    """--type-key, --time-key, --source-key and --severity-key."""
    from dashboard.core.events.decode import EnvelopeKeys

    defaults = EnvelopeKeys()
    for name in ENVELOPE_FLAGS:
        parser.add_argument(
            f"--{name}-key",
            dest=f"{name}_keys",
            type=_keys,
            default=None,
            metavar="KEY,...",
            help=f"the JSON keys an event's {name} is read from, the first one present "
            f"winning (default {','.join(getattr(defaults, name))}), for every URL",
        )


def add_source_options(parser: argparse.ArgumentParser, kinds: SourceKinds) -> None:
    """Each transport's own options, as *kinds* declare them, in a group per transport:
    ``--NAME``, or ``--KIND-NAME`` where the command has a ``--NAME`` of its own. Added
    last, so that the command's own options are known."""
    taken = set(parser._option_string_actions)
    groups: dict[str, argparse._ArgumentGroup] = {}
    flags = {
        name: _flag(name, kinds.declaring(name)[0][0].name, taken) for name in kinds.option_names()
    }
    for name in kinds.option_names():
        declared = kinds.declaring(name)
        titles = " and ".join(k.title for k, _ in declared)
        group = groups.get(titles)
        if group is None:
            group = groups[titles] = parser.add_argument_group(f"{titles} options")
        _add_source_option(group, name, declared[0], titles, taken)
    # (connection_specs says with it, naming the flag, what only the options and URLs
    # together can: an option no URL given takes, a preset without its token, a receiver
    # open to other machines without its secret; a mistake like any other)
    parser.set_defaults(kinds=kinds, options_error=parser.error, option_flags=flags)


def _add_source_option(
    group: argparse._ArgumentGroup,
    name: str,
    declared: tuple[SourceKind, Option],
    titles: str,
    taken: set[str],
) -> None:
    """One transport option's flag (a list's item flags too) in its transport's *group*."""
    kind, option = declared
    default = "" if option.default is None else f" (default {option.default})"
    if option.duration is not None:
        shown = "" if option.default is None else f"default {format_duration(option.default)}; "
        default = f" ({shown}{option.duration})"
    if option.type is list:
        _add_list_option(group, name, declared, titles, taken)
        return
    if option.type is bool:  # a bare flag, and --no-NAME for off
        group.add_argument(
            _flag(name, kind.name, taken),
            dest=OPTION_DEST + name,
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"{option.description}{' (on by default)' if option.default else ''}; "
            f"for {titles} URLs only",
        )
        return
    group.add_argument(
        _flag(name, kind.name, taken),
        dest=OPTION_DEST + name,
        type=_option_type(option),
        default=None,
        metavar=_metavar(option),
        help=f"{option.description}{default}; for {titles} URLs only",
    )


def _add_list_option(
    group: argparse._ArgumentGroup,
    name: str,
    declared: tuple[SourceKind, Option],
    titles: str,
    taken: set[str],
) -> None:
    """A repeatable option's flag; its item flags add to the same list, in order."""
    kind, option = declared
    for flag_name, to_item, description, metavar in (
        (name, None, option.description, option.metavar),
        *((f.name, f, f.description, f.metavar) for f in option.item_flags),
    ):
        group.add_argument(
            _flag(flag_name, kind.name, taken),
            dest=OPTION_DEST + name,
            action="append",
            type=_item_type(option, to_item),
            default=None,
            metavar=metavar or flag_name.upper(),
            help=f"{description}; for {titles} URLs only",
        )


def _flag(name: str, kind_name: str, taken: set[str]) -> str:
    """``--NAME``, or ``--KIND-NAME`` where the command has a ``--NAME`` of its own."""
    flag = f"--{name.replace('_', '-')}"
    return f"--{kind_name}-{name.replace('_', '-')}" if flag in taken else flag


def _metavar(option: Option) -> str:
    if option.metavar:
        return option.metavar
    if option.choices:
        return "{" + ",".join(option.choices) + "}"
    return option.name.upper()


def connection_specs(options: argparse.Namespace) -> list[ConnectionSpec]:
    """One connection per URL given, with the connection options and the transport's own
    that it takes; a mistake only the options and URLs together show is a parser error."""
    kinds: SourceKinds = options.kinds
    given = {
        name: value
        for name in kinds.option_names()
        if (value := getattr(options, OPTION_DEST + name, None)) is not None
    }
    keys = {
        name: value
        for name in ENVELOPE_FLAGS
        if (value := getattr(options, f"{name}_keys", None)) is not None
    }
    url_kinds = [kinds.for_url(url) for url in options.urls]
    _refuse_options_no_url_takes(options, given, url_kinds)
    specs = [
        _connection_spec(options, url, kind, given, keys)
        for url, kind in zip(options.urls, url_kinds, strict=True)
    ]
    if options.heartbeat is not None:
        for spec in specs:
            spec.heartbeat_timeout = options.heartbeat
    return specs


def _refuse_options_no_url_takes(
    options: argparse.Namespace, given: dict[str, Any], url_kinds: list[SourceKind]
) -> None:
    """An option no URL's kind takes would be dropped without a word: a parser error."""
    kinds: SourceKinds = options.kinds
    for name in given:
        if not any(kind.option(name) for kind in url_kinds):
            owners = " or ".join(k.title for k, _ in kinds.declaring(name))
            options.options_error(
                f"argument {options.option_flags[name]}: an option of {owners} URLs, "
                f"and no {owners} URL is given"
            )


def _connection_spec(
    options: argparse.Namespace,
    url: str,
    kind: SourceKind,
    given: dict[str, Any],
    keys: dict[str, tuple[str, ...]],
) -> ConnectionSpec:
    """The connection to *url*, with those of the *given* options its *kind* takes."""
    from dashboard.core.events.decode import EnvelopeKeys

    try:
        own = kind.checked({k: v for k, v in given.items() if kind.option(k)})
    except ValueError as exc:
        name, _, why = str(exc).partition(":")
        options.options_error(f"argument {options.option_flags[name]}:{why}")
    problem = kind.start_problem(url, own)
    if problem is not None:
        name, why = problem
        where = options.option_flags[name] if name else f"URL: {url!r}"
        options.options_error(f"argument {where}: {why}")
    kinds: SourceKinds = options.kinds
    return kinds.spec(
        url,
        headers=dict(options.header),
        verify=not options.insecure,
        ca_file=options.ca,
        keys=EnvelopeKeys(**keys),
        options=own,
    )


def gui_parser(kinds: SourceKinds | None = None) -> argparse.ArgumentParser:
    kinds = kinds or _registry()
    parser = argparse.ArgumentParser(
        prog="dashboard",
        description=f"Watch live event feeds ({', '.join(k.title for k in kinds)}) as cards, "
        "a chart, alerts and a log.",
        epilog="A feed may also be a file to follow (a path), - for standard input, or "
        "'dashboard listen :PORT' for webhooks. "
        "Other commands: 'dashboard feed --help' runs the demo feed on its own; "
        "'dashboard record --help' records feeds without a window; 'dashboard query --help' "
        "searches a recording or JSON Lines file; 'dashboard check-rules --help' tests alert "
        "rules on a recording.",
    )
    parser.add_argument(
        "urls",
        nargs="*",
        type=_url_type(kinds),
        metavar="URL",
        help=f"feeds to connect to: {urls_help(kinds)}",
    )
    add_connection_options(parser)
    _add_run_options(parser)
    _add_layout_and_replay_options(parser)
    _add_memory_options(parser)
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more to stderr (-vv for debug)"
    )
    parser.add_argument("--version", action="version", version=f"dashboard {__version__}")
    add_source_options(parser, kinds)
    return parser


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """The window's --demo and its --rate, --exit-after, --screenshot and --theme."""
    parser.add_argument(
        "--demo", action="store_true", help="start the built-in demo feed and connect to it"
    )
    parser.add_argument(
        "--rate",
        type=_demo_rate,
        default=None,
        metavar="N",
        help=f"events per second of the --demo feed (default 50, at most {DEMO_MAX_RATE})",
    )
    parser.add_argument(
        "--exit-after",
        type=_duration(EXIT_AFTER),
        metavar="DURATION",
        help=f"close after this long ({EXIT_AFTER}) and print 'events=N rejected=M connections=K'",
    )
    parser.add_argument(
        "--screenshot",
        type=_picture_file,
        metavar="FILE.png",
        help="save a picture of the window in front (the replay window with --replay) "
        "just before exit",
    )
    parser.add_argument(
        "--theme",
        choices=("dark", "light", "system"),
        help="colours: dark, light, or follow the system (default: the View menu's last "
        "choice, else dark)",
    )


def _add_layout_and_replay_options(parser: argparse.ArgumentParser) -> None:
    """--layout, --replay and its --speed, --record."""
    parser.add_argument(
        "--layout",
        metavar="FILE",
        help="the dashboard's cards, charts, alert rules, log settings and connections, "
        "from a TOML layout file (default: the layout the window had when it last closed; "
        "--demo uses resources/layouts/demo.toml)",
    )
    parser.add_argument(
        "--replay",
        type=_readable_file,
        metavar="FILE",
        help="replay a recording (or a JSON Lines file of events) through the dashboard",
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        default=None,
        metavar="X",
        help="replay speed, 0.1 to 100 times real time, or 'max' (default 1)",
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="record every event from the start into FILE (.jsonl, or .jsonl.gz)",
    )


def _add_memory_options(parser: argparse.ArgumentParser) -> None:
    """--capacity and --readers."""
    parser.add_argument(
        "--capacity",
        type=_count,
        default=None,
        metavar="N",
        help="events kept in memory; the oldest are evicted (default 1000000)",
    )
    parser.add_argument(
        "--readers",
        type=_readers,
        default=None,
        metavar="N",
        help="processes that read the feeds, each many connections (default: the layout's "
        "readers, else 1)",
    )


def feed_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dashboard feed",
        description="Run the demo feed on its own: Server-Sent Events at /events.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 = any)")
    parser.add_argument(
        "--rate",
        type=_feed_rate,
        default=50.0,
        metavar="N",
        help=f"events per second (default 50, at most {FEED_MAX_RATE})",
    )
    parser.add_argument(
        "--junk",
        type=_share,
        default=0.0,
        metavar="SHARE",
        help="share of frames deliberately broken, 0..1 (default 0)",
    )
    parser.add_argument("--seed", type=int, default=None, help="make the events repeatable")
    _add_chaos_options(parser)
    parser.add_argument(
        "--redis",
        type=_redis_target,
        metavar="URL",
        help="also write every event to Redis: XADD to a stream (redis://host:port/db, "
        "?stream=NAME, default demo:events) and PUBLISH on demo.<type>",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0)
    return parser


def _add_chaos_options(parser: argparse.ArgumentParser) -> None:
    """--chaos and --chaos-every: the demo feed misbehaving on purpose."""
    parser.add_argument(
        "--chaos",
        type=_chaos_modes,
        metavar="MODE,...",
        help="misbehave on purpose, to see the dashboard cope: restart, cut, stall, huge, "
        "endless, utf8, trickle, http, close (WebSocket), tls (a second port where TLS "
        "handshakes fail), or all",
    )
    parser.add_argument(
        "--chaos-every",
        type=_duration(SETTINGS),
        default=3.0,
        metavar="DURATION",
        help=f"the time between faults on each stream (default 3s; {SETTINGS})",
    )


def _chaos_modes(text: str) -> frozenset[str]:
    from dashboard.feed.chaos import parse_modes

    try:
        return parse_modes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _redis_target(text: str) -> str:
    try:
        import redis  # noqa: F401  (an optional extra)
    except ImportError:
        raise argparse.ArgumentTypeError(
            "needs the Redis extra: pip install 'live-dashboard[redis]'"
        ) from None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("redis", "rediss") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Redis URL: expected redis://host:port/db (optionally ?stream=NAME)"
        )
    return text


def record_parser(kinds: SourceKinds | None = None) -> argparse.ArgumentParser:
    kinds = kinds or _registry()
    parser = argparse.ArgumentParser(
        prog="dashboard record",
        description="Record feeds to a file without a window: the same sources and decoder "
        "as the app, one JSON line per event (and per rejected frame). Ctrl-C stops and "
        "closes the file cleanly.",
        epilog="Example: dashboard record https://feed.example/events -o incident.jsonl.gz "
        "--duration 600",
    )
    parser.add_argument(
        "urls",
        nargs="*",
        type=_url_type(kinds),
        metavar="URL",
        help=f"feeds to record: {urls_help(kinds)}",
    )
    _add_output_options(parser)
    parser.add_argument(
        "--layout",
        type=_readable_file,
        metavar="FILE",
        help="also record the connections of this TOML layout file, each with its own "
        "options (the command line's connection options apply to the URLs given), and watch "
        "with its alert rules and [alerts]: alerts that fire or resolve go into the recording "
        "(dashboard.alert.*) and to stderr ('ALERT firing: ...')",
    )
    add_connection_options(parser)
    parser.add_argument("-v", "--verbose", action="count", default=0)
    add_source_options(parser, kinds)
    return parser


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    """Where ``record`` writes (-o, --force) and when it stops (--duration, --count)."""
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="the recording (.jsonl, or .jsonl.gz to compress)",
    )
    parser.add_argument(
        "--duration",
        type=_duration(SETTINGS),
        metavar="DURATION",
        help=f"stop after this long (30s, 10m, 1h30m, or a number of seconds; {SETTINGS})",
    )
    parser.add_argument("--count", type=_count, metavar="N", help="stop after N events")
    parser.add_argument(
        "--force", action="store_true", help="overwrite the output file if it exists"
    )


def _recording_problem(path: Path, overwrite: str | None) -> str | None:
    """Why a recording cannot go to *path*: no folder, or a file already there (an earlier
    incident is not overwritten unless asked to: *overwrite* None, or how to ask)."""
    if not path.parent.is_dir():
        return f"cannot write {path}: no such folder"
    if path.exists() and overwrite is not None:
        return f"{path} already exists: choose another name, or {overwrite}"
    return None


def run_record(options: argparse.Namespace) -> int:
    _configure_logging(options.verbose)
    from dashboard.capture import capture

    specs = connection_specs(options)
    monitor = None
    if options.layout is not None:
        watched = _record_layout(options)
        if watched is None:
            return 2
        layout_connections, monitor = watched
        specs += layout_connections
    if not specs:
        record_parser(options.kinds).error(
            "give the feeds to record: URLs, or a --layout with [[connections]]"
        )
    problem = _record_problem(options, specs)
    if problem:
        print(f"dashboard record: {problem}", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(
            capture(
                specs,
                options.output,
                kinds=options.kinds,
                duration=options.duration,
                count=options.count,
                progress=sys.stderr,
                monitor=monitor,
            )
        )
    except OSError as error:  # the file could not even be opened
        why = error.strerror or error
        print(f"dashboard record: cannot write {options.output}: {why}", file=sys.stderr)
        return 2
    return _say_recorded(result, options.output)


def _record_layout(options: argparse.Namespace) -> tuple[list[ConnectionSpec], Monitor] | None:
    """The --layout's connections, and a monitor watching with its rules; None when the
    layout cannot be read (said on stderr)."""
    from dashboard.core.layouts.layoutfile import LayoutError, load
    from dashboard.core.monitor import Monitor

    try:
        layout = load(options.layout, options.kinds)
    except LayoutError as error:
        print(f"dashboard record: {error}", file=sys.stderr)
        return None
    return layout.connections, Monitor(layout.rules, layout.alerts)


def _record_problem(options: argparse.Namespace, specs: list[ConnectionSpec]) -> str | None:
    """Why ``record`` cannot start: feeds that cannot go together, or the output file."""
    listening = feeds_problem(specs)
    if listening:
        return listening
    overwrite = None if options.force else "add --force to overwrite it"
    return _recording_problem(options.output, overwrite)


def _say_recorded(result: CaptureResult, output: Path) -> int:
    """What was recorded, on stderr, and the exit status: 1 when the recording stopped on
    an error (said once; the file keeps what was written whole)."""
    if result.error is not None:
        print(
            f"\ndashboard record: {result.error}\n"
            f"Stopped after {result.events:,} events and {result.rejected:,} rejected frames "
            f"in {result.seconds:,.1f} s; {output} keeps what was written, up to its "
            "last whole line.",
            file=sys.stderr,
        )
        return 1
    alerts = f" ({result.alerts:,} of them alert events)" if result.alerts else ""
    print(
        f"\nRecorded {result.events:,} events{alerts} and {result.rejected:,} rejected frames "
        f"in {result.seconds:,.1f} s to {output} ({result.why}).",
        file=sys.stderr,
    )
    return 1 if result.connections_failed else 0


def _say_bad_line(command: str, path: str, line: BadLine, count: int) -> None:
    """One of the first BAD_LINES_SHOWN bad lines of a file said on stderr (the *count*th)."""
    from dashboard.core.text.inert import inert

    if count <= BAD_LINES_SHOWN:
        reason = inert(line.reason, BAD_REASON_LIMIT)
        print(f"dashboard {command}: {path}:{line.number}: {reason}", file=sys.stderr)


def check_rules_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dashboard check-rules",
        description="Replay a recording through a layout's alert rules, without a window, "
        "and print when each alert fired and resolved (times from the recording, UTC). "
        "Exit status: 0 when the rules ran (whether any fired or not), 1 when a rule or the "
        "layout cannot be read (the message says the file, line and key), 2 on a bad "
        "command line or an unreadable file.",
        epilog="Example: dashboard check-rules ops.toml --against incident.jsonl.gz",
    )
    parser.add_argument(
        "rules", type=_readable_file, metavar="FILE.toml", help="a layout file with [[rules]]"
    )
    parser.add_argument(
        "--against",
        type=_readable_file,
        required=True,
        metavar="REC.jsonl",
        help="the recording (or JSON Lines file of events) to run the rules over",
    )
    return parser


@dataclass
class _Reading:
    """What a command met reading a recording: its events (those read by ``query``; by
    ``check-rules``, all but a live run's alert events), bad lines, and matches."""

    events: int = 0
    bad: int = 0
    matched: int = 0


def run_check_rules(options: argparse.Namespace) -> int:
    from dashboard.core.monitor.alertbook import Origin
    from dashboard.core.monitor.rules import AlertState

    checked = _rules_to_check(options.rules)
    if checked is None:
        return 1
    monitor, disabled = checked
    reading = _Reading()
    try:
        fired, resolved = _print_alert_changes(monitor, options.against, reading)
    except OSError as error:
        if isinstance(error, BrokenPipeError):  # (| head): the output ends quietly
            sys.stdout = None  # type: ignore[assignment]
            return 0
        print(f"dashboard check-rules: cannot read {options.against}: {error}", file=sys.stderr)
        return 2
    entries = monitor.book.entries.values()
    still = sum(e.state is AlertState.FIRING and e.origin is Origin.RULE for e in entries)
    print(
        f"dashboard check-rules: {len(monitor.rules)} rule(s)"
        + (f" ({disabled} disabled, not run)" if disabled else "")
        + f" over {reading.events:,} events: "
        f"{fired:,} fired, {resolved:,} resolved, {still:,} still firing at the end",
        file=sys.stderr,
    )
    return 0


def _rules_to_check(path: str) -> tuple[Monitor, int] | None:
    """A monitor watching with the layout's enabled rules, and how many are disabled;
    None when there is none to run or the layout cannot be read (said on stderr)."""
    from dashboard.core.layouts.layoutfile import LayoutError, load
    from dashboard.core.monitor import Monitor

    try:
        layout = load(path, _registry())
    except LayoutError as error:
        print(f"dashboard check-rules: {error}", file=sys.stderr)
        return None
    if not layout.rules:
        print(f"dashboard check-rules: {path}: no [[rules]] to check", file=sys.stderr)
        return None
    monitor = Monitor(layout.rules, layout.alerts)
    if not monitor.rules:
        print(
            f"dashboard check-rules: {path}: every rule is disabled (enabled = false)",
            file=sys.stderr,
        )
        return None
    return monitor, len(layout.rules) - len(monitor.rules)


def _print_alert_changes(monitor: Monitor, path: str, reading: _Reading) -> tuple[int, int]:
    """Run the recording at *path* through *monitor*, printing each rule's alert as it
    fires and resolves; how many fired and resolved."""
    from dashboard.core.monitor import run_through
    from dashboard.core.monitor.alertbook import Origin
    from dashboard.core.monitor.rules import AlertState
    from dashboard.core.storage.recordformat import open_events_file, utc_text
    from dashboard.core.text.inert import inert

    fired = resolved = 0
    with open_events_file(path) as stream:
        for change in run_through(monitor, _events_for_rules(stream, path, reading)):
            if change.origin is not Origin.RULE:
                continue  # the feed's own alerts are not the rules'
            fired += change.state is AlertState.FIRING
            resolved += change.state is AlertState.RESOLVED
            line = (
                f"{utc_text(change.at)}  {change.state.value:<8}  {change.name} on "
                f"{change.key or 'everything'} ({change.severity.label}): {change.message}"
            )
            print(inert(line, CHECK_LINE_LIMIT))
    return fired, resolved


def _events_for_rules(stream: Any, path: str, reading: _Reading) -> Iterator[Event]:
    """The events of *stream*, its bad lines said and counted."""
    from dashboard.core.monitor.alertbook import OWN_PREFIX
    from dashboard.core.storage.recordformat import BadLine, read_events

    for item in read_events(stream, path):
        if isinstance(item, BadLine):
            reading.bad += 1
            _say_bad_line("check-rules", path, item, reading.bad)
            continue
        reading.events += not item.type.startswith(OWN_PREFIX)  # (a live run's alerts: skipped)
        yield item


def query_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dashboard query",
        description="Print the events of a recording or a JSON Lines file that match a query "
        "(the language of the log's filter box). Exit status: 0 when something matched, 1 "
        "when nothing did, 2 on a bad query or an unreadable file.",
        epilog="Examples: dashboard query incident.jsonl 'type:payment.* severity>=error'; "
        "dashboard query events.jsonl.gz 'cpu>90 source:web-*' --format csv > hot.csv",
    )
    parser.add_argument(
        "file", metavar="FILE", help="JSON Lines (.jsonl, .jsonl.gz, or - for stdin)"
    )
    parser.add_argument("expr", metavar="EXPR", help="the query, e.g. 'type:order.* amount>100'")
    parser.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        default="jsonl",
        help="output one JSON record per line (default) or CSV with a header",
    )
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="PATH",
        help="with --format csv: add a payload field as a column (repeatable), e.g. data.host",
    )
    parser.add_argument(
        "--count", action="store_true", help="print only the number of matching events"
    )
    return parser


def _positionals_last(args: list[str]) -> list[str]:
    """Put FILE and EXPR after ``--``, so that a query starting with ``-`` (a negation,
    as in ``-type:heartbeat``) is not taken for an option."""
    options: list[str] = []
    positionals: list[str] = []
    items = iter(args)
    for arg in items:
        if arg == "--":
            positionals.extend(items)
        elif arg in ("--format", "--field"):
            options += [arg, next(items, "")]
        elif arg.startswith(("--format=", "--field=")) or arg in ("--count", "-h", "--help"):
            options.append(arg)
        else:
            positionals.append(arg)
    return [*options, "--", *positionals]


SHOWN_AROUND = 36  # characters of a long query shown either side of a mistake
QUERY_ERROR_LIMIT = 500  # characters of a query error's message (it may quote the query)


def _near(text: str, column: int) -> tuple[str, str]:
    """*text*, or of a long one the part around *column*, made inert (a control or bidi
    character shows as its escape), and the spaces that put a caret under *column*."""
    from dashboard.core.text.inert import inert

    start, end = 0, len(text)
    if len(text) > 2 * SHOWN_AROUND:
        start = max(0, min(column - 1, len(text)) - SHOWN_AROUND)
        end = min(len(text), start + 2 * SHOWN_AROUND)
    before = "…" if start else ""
    after = "…" if end < len(text) else ""
    shown = f"{before}{inert(text[start:end], None)}{after}"
    return shown, " " * (len(before) + len(inert(text[start : column - 1], None)))


def run_query(options: argparse.Namespace) -> int:
    from dashboard.core.storage.recordformat import CsvWriter, open_events_file

    query = _parsed_query(options.expr)
    if query is None:
        return 2
    try:
        stream = open_events_file(options.file)
    except OSError as error:
        print(f"dashboard query: cannot read {options.file}: {error.strerror}", file=sys.stderr)
        return 2
    out = sys.stdout
    csv_writer = (
        CsvWriter(out, options.field) if options.format == "csv" and not options.count else None
    )
    reading = _Reading()
    try:
        with stream:
            unreadable = _print_matches(query, stream, options, csv_writer, reading)
            if unreadable is not None:
                print(f"dashboard query: cannot read {options.file}: {unreadable}", file=sys.stderr)
                return 2
            if options.count:
                print(reading.matched)
            out.flush()
    except OSError as error:  # a broken pipe (| head) ends the output quietly
        if isinstance(error, BrokenPipeError):
            sys.stdout = None  # type: ignore[assignment]
            return 0 if reading.matched else 1
        print(f"dashboard query: cannot read {options.file}: {error}", file=sys.stderr)
        return 2
    return _query_status(options.file, reading)


def _parsed_query(expr: str) -> Query | None:
    """The query *expr*; None when it is not one (said on stderr, a caret under where)."""
    from dashboard.core.lang.query import QueryError, parse

    try:
        return parse(expr)
    except QueryError as error:
        from dashboard.core.text.inert import inert

        shown, caret = _near(expr, error.column)
        said = inert(str(error), QUERY_ERROR_LIMIT)
        print(f"dashboard query: bad query, {said}\n  {shown}\n  {caret}^", file=sys.stderr)
        return None


def _print_matches(
    query: Query,
    stream: Any,
    options: argparse.Namespace,
    csv_writer: CsvWriter | None,
    reading: _Reading,
) -> str | None:
    """Print the events of *stream* that *query* matches (unless only counting); the
    reason when the file turns out unreadable, else None."""
    from dashboard.core.storage.recordformat import BadLine, read_events, record_line

    now = time.time()
    for item in read_events(stream, options.file):
        if isinstance(item, BadLine):
            if item.unreadable:
                return item.reason
            reading.bad += 1
            _say_bad_line("query", options.file, item, reading.bad)
            continue
        reading.events += 1
        if not query.matches(item, now):
            continue
        reading.matched += 1
        if options.count:
            continue
        if csv_writer is not None:
            csv_writer.write((item,))
        else:
            sys.stdout.buffer.write(record_line(item))
    return None


def _query_status(path: str, reading: _Reading) -> int:
    """0 when something matched, 1 when nothing did, 2 when no line was an event; the bad
    lines past those shown are counted on stderr."""
    if reading.bad > BAD_LINES_SHOWN:
        print(
            f"dashboard query: {reading.bad - BAD_LINES_SHOWN:,} more bad lines not shown",
            file=sys.stderr,
        )
    if reading.bad and not reading.events:
        print(
            f"dashboard query: cannot read {path}: no line of it is a JSON event "
            "(is it a recording or a JSON Lines file?)",
            file=sys.stderr,
        )
        return 2
    return 0 if reading.matched else 1


def _configure_logging(verbosity: int) -> None:
    """Log to stderr at the -v level; every line, a library's too, leaves with credentials
    masked and control characters escaped (core.text.safelog)."""
    from dashboard.core.text.safelog import configure_logging

    configure_logging((logging.WARNING, logging.INFO, logging.DEBUG)[min(verbosity, 2)])


def main(argv: Sequence[str] | None = None, *, kinds: SourceKinds | None = None) -> int:
    """The command line. *kinds* are the transports it reads (default: the registry,
    ``dashboard.sources.registry.KINDS``); a plugin or a test passes its own."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "feed":
        return run_feed(feed_parser().parse_args(args[1:]))
    if args and args[0] == "record":
        return run_record(record_parser(kinds).parse_args(args[1:]))
    if args and args[0] == "query":
        return run_query(query_parser().parse_args(_positionals_last(args[1:])))
    if args and args[0] == "check-rules":
        return run_check_rules(check_rules_parser().parse_args(args[1:]))
    if args and args[0] == "listen":
        args = listen_args(args[1:])
    options = gui_parser(kinds).parse_args(args)
    _configure_logging(options.verbose)
    _refuse_options_out_of_place(options)
    specs = connection_specs(options)
    listening = feeds_problem(specs)
    if listening:
        gui_parser().error(listening)
    layout = None
    if options.layout is not None:
        from dashboard.core.layouts.layoutfile import LayoutError, load
        from dashboard.ui.panels.registry import PANELS

        try:
            layout = load(options.layout, options.kinds, PANELS)
        except LayoutError as error:
            print(f"dashboard: {error}", file=sys.stderr)
            return 2
    from dashboard.ui.startup import run

    return run(_app_options(options, specs, layout))


def _refuse_options_out_of_place(options: argparse.Namespace) -> None:
    """--rate without --demo, --speed without --replay, and a --record that cannot be
    written are parser errors."""
    if options.rate is not None and not options.demo:
        gui_parser().error("--rate sets the demo feed's rate: use it with --demo")
    if options.record is not None:
        problem = _recording_problem(options.record, "delete it first")
        if problem:
            gui_parser().error(f"argument --record: {problem}")
    if options.speed is not None and options.replay is None:
        gui_parser().error("--speed sets the replay speed: use it with --replay")


def _app_options(
    options: argparse.Namespace, specs: list[ConnectionSpec], layout: Layout | None
) -> AppOptions:
    """What the window is to do, from the command line (its defaults where none given)."""
    from dashboard.ui.startup import AppOptions

    app_options = AppOptions(
        layout=layout,
        layout_path=None if options.layout is None else Path(options.layout),
        connections=specs,
        demo=options.demo,
        exit_after=options.exit_after,
        record=options.record,
        replay=None if options.replay is None else Path(options.replay),
        screenshot=options.screenshot,
        theme=options.theme,
    )
    if options.rate is not None:
        app_options.demo_rate = options.rate
    if options.capacity is not None:
        app_options.capacity = options.capacity
    app_options.readers = options.readers
    app_options.kinds = options.kinds
    if options.speed is not None:
        app_options.replay_speed = None if math.isinf(options.speed) else options.speed
    return app_options


async def _redis_publisher(url: str) -> Any:
    """A RedisPublisher that has reached Redis, or SystemExit saying why not."""
    from redis.exceptions import RedisError  # (there: --redis checked it, see _redis_target)

    from dashboard.feed.redis_publisher import RedisPublisher

    publisher = RedisPublisher(url)
    try:
        await publisher.check()
    except (RedisError, OSError) as exc:
        await publisher.aclose()
        from dashboard.core.text.redact import redact

        where = redact(url)
        raise SystemExit(f"dashboard feed: cannot reach Redis at {where}: {exc}") from None
    return publisher


def run_feed(options: argparse.Namespace) -> int:
    _configure_logging(options.verbose)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_feed(options))
    return 0


async def _serve_feed(options: argparse.Namespace) -> None:
    """Serve the demo feed (and write to Redis when asked) until interrupted."""
    server = _feed_server(options)
    if options.redis:
        server.publisher = await _redis_publisher(options.redis)
    try:
        await server.start()
    except OSError as exc:
        raise SystemExit(
            f"dashboard feed: cannot listen on {options.host}:{options.port}: {exc.strerror or exc}"
        ) from None
    _say_serving(server, options)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()
        if server.publisher is not None:
            await server.publisher.aclose()


def _feed_server(options: argparse.Namespace) -> FeedServer:
    """The demo feed the options describe, misbehaving with --chaos."""
    from dashboard.feed.server import FeedServer

    settings = {"rate": options.rate, "seed": options.seed, "junk": options.junk}
    if options.chaos:
        from dashboard.feed.chaos import ChaosFeedServer

        return ChaosFeedServer(
            options.chaos, every=options.chaos_every, host=options.host, port=options.port,
            **settings,
        )  # fmt: skip
    return FeedServer(options.host, options.port, **settings)  # type: ignore[arg-type]


def _say_serving(server: FeedServer, options: argparse.Namespace) -> None:
    """Where the feed is served (and its Redis stream and channels), on stdout."""
    chaos = f", chaos: {','.join(sorted(options.chaos))}" if options.chaos else ""
    tls_url = getattr(server, "tls_url", "")
    if tls_url:
        chaos += f"; TLS handshakes fail at {tls_url}"
    print(
        f"Demo feed: Server-Sent Events at {server.url} ({options.rate:g} events/s{chaos}). "
        "Ctrl-C stops.",
        flush=True,
    )
    if server.publisher is not None:
        from dashboard.core.text.redact import redact

        publisher = server.publisher
        url = redact(publisher.url)  # (a password given on the command line stays there)
        print(
            f"Also in Redis at {url}: stream {publisher.stream} "
            f"(dashboard '{url}?stream={publisher.stream}'), "
            "channels demo.<type> (?channel=demo.*)",
            flush=True,
        )
