"""Sources as plugins (#27): a transport is one module that declares its KIND, and the
layout files, the command line and ``--help`` follow from that declaration alone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dashboard.cli import connection_specs, gui_parser, record_parser
from dashboard.core.layouts import layoutfile as layouts
from dashboard.core.layouts.layoutfile import LayoutError, connection_keys, loads
from dashboard.core.transport.sourcekind import Option, SourceKind, SourceKinds
from dashboard.sources.registry import KINDS
from tests.toy_plugin import toy_kinds

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SourceKinds:
    return toy_kinds(tmp_path, monkeypatch)


def test_the_registry_lists_each_transport_once() -> None:
    assert [k.name for k in KINDS] == ["sse", "websocket", "redis", "file", "stdin", "listen"]
    assert KINDS.schemes == (
        "http", "https", "ws", "wss", "redis", "rediss", "file", "stdin", "listen"
    )  # fmt: skip
    assert KINDS.option_names() == (
        "method", "body", "reconnect", "poll", "poll_changes",
        "subprotocol", "send", "step_timeout", "keepalive", "keepalive_every", "split_arrays",
        "preset", "graphql_query", "graphql_variables", "ha_token", "ha_event_types",
        "from_start", "secret",
    )  # fmt: skip
    with pytest.raises(ValueError, match="two source kinds read ws://"):
        KINDS.adding(SourceKind("other", "Other", ("ws",), object, "ws://x"))


def test_a_plugin_s_options_load_and_save_through_a_layout(kinds: SourceKinds) -> None:
    text = (
        "version = 1\n\n[[connections]]\nurl = 'toy://lab/beeps'\ncount = 5\n"
        "event_type = 'toy.beep'\nshout = true\ntoken = 's3cret'\n"
    )
    [spec] = loads(text, "toy.toml", kinds).connections
    assert spec.name == "toy beeps"  # the kind's own naming
    assert spec.options == {"count": 5, "event_type": "toy.beep", "shout": True, "token": "s3cret"}
    saved = layouts.dumps(layouts.Layout(connections=[spec]), kinds)
    assert "token" not in saved and "s3cret" not in saved  # a secret option is never written
    assert layouts.left_out(layouts.Layout(connections=[spec]), kinds) == ["toy beeps: token"]
    [again] = loads(saved, "toy.toml", kinds).connections
    assert again.options == {"count": 5, "event_type": "toy.beep", "shout": True}
    assert layouts.dumps(layouts.Layout(connections=[again]), kinds) == saved
    defaults = loads("[[connections]]\nurl = 'toy://lab/x'\ncount = 10\n", "t", kinds)
    assert defaults.connections[0].options == {}  # the default is not kept, nor written


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("count = 'five'", "line 2: connections[1]: count: expected a whole number, got 'five'"),
        ("count = 0", "line 2: connections[1]: count: expected 1 or more, got 0"),
        ("shout = 'yes'", "line 2: connections[1]: shout: expected true or false, got 'yes'"),
        (
            "subprotocol = 'v1'",
            "line 2: connections[1]: subprotocol: an option of WebSocket connections, not Toy",
        ),
        (
            "colour = 'red'",
            "line 4: connections[1]: unknown key 'colour' (known: name, url, headers, insecure, "
            "ca, heartbeat, method, body, reconnect, poll, poll_changes, "
            "subprotocol, send, step_timeout, keepalive, keepalive_every, "
            "split_arrays, preset, graphql_query, graphql_variables, ha_token, ha_event_types, "
            "from_start, secret, count, event_type, shout, token, keys)",
        ),
    ],
)
def test_a_plugin_s_options_are_checked_with_file_line_and_key(
    kinds: SourceKinds, table: str, message: str
) -> None:
    text = f"\n[[connections]]\nurl = 'toy://lab/x'\n{table}\n"
    with pytest.raises(LayoutError, match=re.escape(f"toy.toml: {message}")):
        loads(text, "toy.toml", kinds)
    with pytest.raises(LayoutError, match="unknown key 'count'"):
        loads(text.replace("toy://lab/x", "ws://lab/x").replace(table, "count = 3"), "t", KINDS)


def test_the_keys_of_a_connection_table_are_as_they_were() -> None:
    assert connection_keys(KINDS) == (
        "name", "url", "headers", "insecure", "ca", "heartbeat", "method", "body",
        "reconnect", "poll", "poll_changes",
        "subprotocol", "send", "step_timeout", "keepalive", "keepalive_every", "split_arrays",
        "preset", "graphql_query", "graphql_variables", "ha_token", "ha_event_types",
        "from_start", "secret", "keys",
    )  # fmt: skip


def test_help_lists_each_transport_and_its_own_options(kinds: SourceKinds) -> None:
    text = gui_parser(kinds).format_help()
    assert "toy://host/anything for Toy" in text
    assert "Toy options:" in text and "--shout, --no-shout" in text
    assert "--count COUNT" in text  # the window has no --count of its own
    assert "--toy-count COUNT" in record_parser(kinds).format_help()  # record has one
    assert "WebSocket options:" in text and "--subprotocol" in text
    record = record_parser(kinds)
    options = record.parse_args(
        ["toy://lab/x", "-o", "x.jsonl", "--toy-count", "3", "--shout", "--count", "2"]
    )
    assert (options.source_option_count, options.source_option_shout) == (3, True)
    assert options.count == 2
    assert "Toy options:" not in gui_parser().format_help()  # the registry's own: no toy


def test_writing_options_without_the_kinds_is_refused() -> None:
    spec = KINDS.spec("ws://feeds.test/ws", options={"subprotocol": "v1"})
    with pytest.raises(RuntimeError, match="give the source kinds"):
        layouts.dumps(layouts.Layout(connections=[spec]))
    with pytest.raises(RuntimeError, match="give the source kinds"):
        loads("[[connections]]\nurl = 'ws://feeds.test/ws'\n")
    assert 'subprotocol = "v1"' in layouts.dumps(layouts.Layout(connections=[spec]), KINDS)


def test_a_command_line_option_goes_to_the_urls_of_its_transport() -> None:
    options = gui_parser().parse_args(
        ["ws://feeds.test/ws", "https://feeds.test/events", "--subprotocol", "chat.v2"]
    )
    ws, sse = connection_specs(options)
    assert ws.options == {"subprotocol": "chat.v2"} and sse.options == {}
    with pytest.raises(SystemExit):
        gui_parser().parse_args(["--subprotocol", "two words"])


@pytest.mark.parametrize(("parser", "more"), [(gui_parser, []), (record_parser, ["-o", "F.jsonl"])])
def test_an_option_no_url_on_the_command_line_takes_exits_2_naming_its_transport(
    parser: Any, more: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    options = parser().parse_args(["https://x/e", "--send", "hi", *more])
    with pytest.raises(SystemExit) as exit_:
        connection_specs(options)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        "error: argument --send: an option of WebSocket URLs, and no WebSocket URL is given\n"
    )
    # with a URL of its kind among others, it goes to that one alone
    options = parser().parse_args(["https://x/e", "ws://x/ws", "--send", "hi", *more])
    sse, ws = connection_specs(options)
    assert sse.options == {} and ws.options == {"send": ["hi"]}


def test_option_values_are_checked_as_declared() -> None:
    number = Option("limit", int, 5, check=lambda v: None)
    assert number.parse(3) == 3 and number.from_text(" 7 ") == 7
    with pytest.raises(ValueError, match="limit: expected a whole number, got True"):
        number.parse(True)
    ratio = Option("ratio", float)
    assert ratio.parse(2) == 2.0
    mode = Option("mode", str, choices=("fast", "safe"))
    assert mode.parse(" ") is None  # text left empty: not set
    with pytest.raises(ValueError, match="mode: 'slow' is not one of 'fast', 'safe'"):
        mode.parse("slow")


def test_the_url_help_is_built_from_the_kinds() -> None:
    assert KINDS.url_help() == (
        "expected http(s)://host/path (Server-Sent Events), ws(s)://host/path (WebSocket), "
        "redis(s)://host:port/db?stream=NAME or ?channel=NAME (Redis), file:///path/to/file "
        "(File), stdin: (Standard input) or listen://127.0.0.1:9000/path (Webhooks)"
    )


def test_the_readme_table_of_transports_is_in_step_with_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if KINDS.markdown_table().splitlines()[0] not in readme:
        pytest.skip("the README has no transport table yet (see SourceKinds.markdown_table)")
    assert KINDS.markdown_table() in readme


def test_the_readme_s_samples_say_what_the_code_does() -> None:
    """The README's sample URL mistake is the real message; its registry example names the
    registry's kinds; the feed command's sentence names each of its flags."""
    import argparse

    from dashboard.cli import feed_parser
    from dashboard.sources import registry

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        "dashboard: error: argument URL: 'ftp://example.test/x' is not a feed URL: "
        f"{KINDS.url_help()}\n```" in readme
    )
    module_of = {kind.name: m for m in vars(registry).values() if hasattr(m, "KIND")
                 for kind in [m.KIND]}  # fmt: skip
    listed = [f"{module_of[k.name].__name__.rpartition('.')[2]}.KIND" for k in KINDS]
    example = re.search(r"`KINDS = SourceKinds\(\[([^\]]*)\]\)`", readme)
    assert example is not None
    assert example[1].split() == [*(f"{name}," for name in listed), "mine.KIND"]
    sentence = re.search(r"`dashboard feed` takes (.*?)\n\n", readme, re.S)
    assert sentence is not None
    flags = {
        flag
        for action in feed_parser()._actions
        if not isinstance(action, argparse._HelpAction)
        for flag in action.option_strings
        if flag.startswith("--") and flag != "--verbose"
    }
    assert flags <= set(re.findall(r"`(--[a-z-]+)", sentence[1])), flags


def test_the_readme_names_every_transport_in_its_intro_and_the_dialog_s_url() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = readme.split("\n\n")[1]
    for words in ("Server-Sent Events", "WebSocket", "Redis", "JSON lines", "polled", "files",
                  "standard input", "webhooks"):  # fmt: skip
        assert words in intro, words
    dialog = readme.partition("### The connection dialog")[2].split("\n\n")[1]
    for scheme in ("`http(s)://`", "`ws(s)://`", "`redis(s)://`", "`file:", "`stdin:`",
                   "`listen://"):  # fmt: skip
        assert scheme in dialog, scheme
    assert "Source from" in dialog
    assert "(soon) alert rules" not in readme


def test_sse_and_websocket_declare_one_reconnect_option() -> None:
    """One option, two transports: one --reconnect flag, one dialog field, one help line."""
    [(sse, option), (websocket, same)] = KINDS.declaring("reconnect")
    assert (sse.name, websocket.name) == ("sse", "websocket")
    assert same is option and option.choices == ("auto", "always", "on-error", "never")
    help_text = " ".join(gui_parser().format_help().split())
    assert "for Server-Sent Events and WebSocket URLs only" in help_text
    options = gui_parser().parse_args(
        ["ws://feeds.test/ws", "https://feeds.test/events", "--reconnect", "on-error"]
    )
    ws, sse_spec = connection_specs(options)
    assert ws.options == sse_spec.options == {"reconnect": "on-error"}
    with pytest.raises(SystemExit):
        gui_parser().parse_args(["ws://feeds.test/ws", "--reconnect", "sometimes"])


@pytest.mark.parametrize(
    ("rule", "after_1000", "after_1001", "after_complete"),
    [
        ("auto", True, True, False),
        ("always", True, True, True),
        ("on-error", False, True, False),
        ("never", False, False, False),
    ],
)
def test_which_normal_websocket_ends_are_opened_again(
    rule: str, after_1000: bool, after_1001: bool, after_complete: bool
) -> None:
    from dashboard.sources.websocket import reopens

    assert reopens(rule, completed=False, code=1000) is after_1000
    assert reopens(rule, completed=False, code=1001) is after_1001
    assert reopens(rule, completed=True, code=1000) is after_complete
