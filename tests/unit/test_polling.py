"""Polled endpoints without I/O: the interval as typed (command line, layout file), and
which answers count as changed."""

from __future__ import annotations

import pytest

from dashboard.cli import connection_specs, gui_parser, record_parser
from dashboard.core.layouts.layoutfile import LayoutError, loads
from dashboard.core.transport.polling import POLL_INTERVALS, ChangedAnswers
from dashboard.sources.registry import KINDS


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5s", 5.0), ("5", 5.0), (" 500ms ", 0.5), ("2m", 120.0), ("1h30m", 5400.0), ("0.25s", 0.25)],
)
def test_intervals_are_read_with_their_unit(text: str, seconds: float) -> None:
    assert POLL_INTERVALS.read(text, "poll") == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "poll: expected a duration like 30s, 5m or 1h, not 'abc'"),
        ("5 days", "poll: expected a duration like 30s, 5m or 1h, not '5 days'"),
        ("-1s", "poll: expected a duration like 30s, 5m or 1h, not '-1s'"),
        ("0", r"poll: '0' is out of range \(100ms to 1d\)"),
        ("50ms", r"poll: '50ms' is out of range \(100ms to 1d\)"),
        ("25h", r"poll: '25h' is out of range \(100ms to 1d\)"),
    ],
)
def test_a_bad_interval_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        POLL_INTERVALS.read(text, "poll")


@pytest.mark.parametrize("value", ["0", "abc"])
def test_a_bad_poll_interval_on_the_command_line_exits_2_naming_the_option(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for parser in (gui_parser(), record_parser()):
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(["https://host/health", "-o", "x.jsonl", "--poll", value])
        assert exit_.value.code == 2
        said = capsys.readouterr().err
        assert "argument --poll: expected a duration like 30s, 5m or 1h, not 'abc'" in said or (
            "argument --poll: '0' is out of range (100ms to 1d)" in said
        )
        assert "poll: " not in said.partition("argument --poll: ")[2]  # the flag, once


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keepalive-every", "0"], "argument --keepalive-every: '0' is out of range (100ms"),
        (["--poll", "abc"], "argument --poll: expected a duration like 30s, 5m or 1h, not"),
        (["--step-timeout", "0"], "argument --step-timeout: '0' is out of range (100ms to"),
    ],
)
def test_a_bad_option_value_names_its_flag_once_not_its_layout_key(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        gui_parser().parse_args(["ws://host/ws", *args])
    said = capsys.readouterr().err.splitlines()[-1]
    assert message in said
    assert "_" not in said.partition(": error: ")[2].partition(":")[2]


def test_option_descriptions_name_other_options_by_their_flag() -> None:
    text = " ".join(gui_parser().format_help().split())
    assert "with --poll: an answer is an event only when it changed" in text
    assert "with poll:" not in text


def test_poll_options_go_to_the_http_urls() -> None:
    # --poll-changes is a bare flag: the URL after it stays a URL
    options = gui_parser().parse_args(
        ["--poll", "5s", "--poll-changes", "https://host/health", "ws://host/ws"]
    )
    http, ws = connection_specs(options)
    assert http.options == {"poll": 5.0, "poll_changes": True} and ws.options == {}
    options = gui_parser().parse_args(["https://host/health", "--no-poll-changes"])
    assert connection_specs(options)[0].options == {"poll_changes": False}


def test_a_bool_option_takes_no_value(capsys: pytest.CaptureFixture[str]) -> None:
    for parser in (gui_parser(), record_parser()):
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(["https://host/health", "-o", "x.jsonl", "--poll-changes=yes"])
        assert exit_.value.code == 2
        assert "argument --poll-changes/--no-poll-changes: ignored explicit argument 'yes'" in (
            capsys.readouterr().err
        )


def test_a_layout_s_poll_interval_is_checked() -> None:
    text = "[[connections]]\nurl = 'https://host/health'\npoll = 'abc'\n"
    with pytest.raises(LayoutError, match="poll: expected a duration like 30s, 5m or 1h"):
        loads(text, "ops.toml", KINDS)
    [spec] = loads(text.replace("abc", "30s"), "ops.toml", KINDS).connections
    assert spec.options == {"poll": 30.0}


def row(kind: str, payload: object, severity: int = 20, time: float = 0.0) -> tuple:
    return (kind, time, time, "src", severity, payload, b"", None, None)


def test_an_answer_is_news_when_its_type_severity_or_payload_changed_not_its_time() -> None:
    changes = ChangedAnswers()
    assert changes.is_news(row("poll", {"up": True}))
    assert not changes.is_news(row("poll", {"up": True}, time=5.0))
    assert changes.is_news(row("poll", {"up": False}))
    assert changes.is_news(row("poll", {"up": False}, severity=40))
    assert changes.is_news(row("health", {"up": False}, severity=40))
    assert not changes.is_news(row("health", {"up": False}, severity=40))
