"""One of each idea in core: the duration grammar, the unique-name rule, the rate meter."""

from __future__ import annotations

import argparse

import pytest

from dashboard.cli import EXIT_AFTER, connection_specs, feed_parser, gui_parser, record_parser
from dashboard.core.lang.duration import SETTINGS, format_duration, parse_ago, parse_duration
from dashboard.core.lang.query import parse
from dashboard.core.layouts.layoutfile import Layout, LayoutError, dumps, loads
from dashboard.core.layouts.names import unique_name, unique_names
from dashboard.core.monitor.rules import parse_rule
from dashboard.core.panels.rate import RateMeter
from dashboard.core.transport.polling import POLL_INTERVALS
from dashboard.sources import unique_names as unique_spec_names
from dashboard.sources.redis_streams import parse_redis_url
from dashboard.sources.registry import KINDS
from tests.unit.factories import make_event


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("250ms", 0.25),
        ("1.5s", 1.5),
        ("2d", 172_800.0),
        ("1w", 604_800.0),
        ("1m30s500ms", 90.5),
        ("45", 45.0),
        (12, 12.0),
        (0.5, 0.5),
    ],
)
def test_one_duration_grammar(text: object, seconds: float) -> None:
    assert parse_duration(text, "for") == seconds
    assert parse_duration(format_duration(seconds), "for") == seconds  # written back exactly


@pytest.mark.parametrize("text", ["soon", "", "5 h h", "30x", "5m1h", "1m1m", "-5m", "m", True, -1])
def test_what_is_not_a_duration_says_so(text: object) -> None:
    with pytest.raises(ValueError, match=r"^for: expected a duration like 30s, 5m or 1h, not "):
        parse_duration(text, "for")


def test_rules_the_query_redis_and_layouts_read_the_same_durations() -> None:
    rule = parse_rule({"name": "R", "condition": "cpu > 90", "for": "1h30m"})
    assert rule.hold == 5400.0
    counting = parse_rule({"name": "C", "condition": "count(type:x) > 5 per 1m30s"})
    assert counting.condition.window == 90.0  # type: ignore[union-attr]
    assert parse_ago("-1h30m") == 5400.0 and parse_ago("5m") is None
    query = parse("time>-1h30m")
    now = 1_795_430_000.0
    assert query.matches(make_event("x", time=now - 5000), now)
    assert not query.matches(make_event("x", time=now - 5500), now)
    redis = parse_redis_url("redis://localhost:6379/0?stream=s&from=-1h30m")
    assert redis.start_id(now) == f"{int((now - 5400) * 1000) - 1}-{2**64 - 1}"
    layout = loads('[[cards]]\ntitle = "C"\ntype = "t"\nfield = "v"\nwindow = "1h30m"\n')
    assert layout.cards[0].window == 5400.0


def test_a_rule_s_durations_have_their_ranges_too() -> None:
    assert parse_rule({"name": "R", "condition": "cpu > 90", "for": "0s"}).hold == 0.0
    with pytest.raises(ValueError, match=r"for: '400d' is out of range \(0s to 365d\)$"):
        parse_rule({"name": "R", "condition": "cpu > 90", "for": "400d"})
    with pytest.raises(ValueError, match=r"window: '0s' is out of range \(100ms to 365d\)$"):
        parse_rule({"name": "C", "condition": "count(type:x) > 5 per 0s"})


# Every flag that takes a duration, per command: a new one must join (the test below).
DURATION_FLAGS = {
    "dashboard": {"--heartbeat", "--exit-after", "--poll", "--step-timeout", "--keepalive-every"},
    "dashboard record": {
        "--duration",
        "--heartbeat",
        "--poll",
        "--step-timeout",
        "--keepalive-every",
    },
    "dashboard feed": {"--chaos-every"},
}
# The one range each flag's setting declares (the layout reads the same: the tests below)
RANGES = {
    "--heartbeat": SETTINGS,
    "--exit-after": EXIT_AFTER,
    "--poll": POLL_INTERVALS,
    "--step-timeout": SETTINGS,
    "--keepalive-every": SETTINGS,
    "--duration": SETTINGS,
    "--chaos-every": SETTINGS,
}
# The flags a layout holds: the layout key, and a URL that takes it
IN_LAYOUT = {
    "--heartbeat": ("heartbeat", "https://feed.example.test/events"),
    "--poll": ("poll", "https://feed.example.test/health"),
    "--step-timeout": ("step_timeout", "ws://feed.example.test/ws"),
    "--keepalive-every": ("keepalive_every", "ws://feed.example.test/ws"),
}


def _parser(command: str) -> argparse.ArgumentParser:
    return {"dashboard": gui_parser, "dashboard record": record_parser}.get(command, feed_parser)()


def test_the_duration_flags_are_those_that_say_duration() -> None:
    for command, flags in DURATION_FLAGS.items():
        actions = _parser(command)._actions
        assert {a.option_strings[0] for a in actions if a.metavar == "DURATION"} == flags


FLAGS = [(command, flag) for command, flags in DURATION_FLAGS.items() for flag in sorted(flags)]


@pytest.mark.parametrize(("command", "flag"), FLAGS)
@pytest.mark.parametrize(
    ("text", "seconds"), [("1m30s", 90.0), ("45", 45.0), ("250ms", 0.25), ("1d", 86_400.0)]
)
def test_every_duration_flag_reads_the_one_grammar(
    command: str, flag: str, text: str, seconds: float
) -> None:
    parser = _parser(command)
    given = ["-o", "out.jsonl"] if command == "dashboard record" else []
    options = parser.parse_args([*given, flag, text])
    assert getattr(options, parser._option_string_actions[flag].dest) == seconds


@pytest.mark.parametrize(("command", "flag"), FLAGS)
def test_a_duration_flag_given_no_duration_names_itself_and_exits_2(
    command: str, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    given = ["-o", "out.jsonl"] if command == "dashboard record" else []
    with pytest.raises(SystemExit) as stop:
        _parser(command).parse_args([*given, flag, "soon"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.endswith(
        f"{command}: error: argument {flag}: expected a duration like 30s, 5m or 1h, not 'soon'\n"
    )


def _ends(flag: str) -> list[tuple[str, float]]:
    """The flag's range's two ends, as typed."""
    within = RANGES[flag]
    return [(format_duration(within.low), within.low), (format_duration(within.high), within.high)]


def _past_ends(flag: str) -> list[str]:
    """A value just below the flag's range and one above, as typed."""
    within = RANGES[flag]
    return [format_duration(within.low / 2), format_duration(within.high + 86_400)]


def test_each_duration_flag_s_help_says_its_range() -> None:
    for command, flags in DURATION_FLAGS.items():
        actions = _parser(command)._option_string_actions
        for flag in flags:
            assert f"{RANGES[flag]}" in " ".join(actions[flag].help.split()), flag


@pytest.mark.parametrize(("command", "flag"), FLAGS)
def test_every_duration_flag_takes_both_ends_of_its_range(command: str, flag: str) -> None:
    parser = _parser(command)
    given = ["-o", "out.jsonl"] if command == "dashboard record" else []
    for text, seconds in _ends(flag):
        options = parser.parse_args([*given, flag, text])
        assert getattr(options, parser._option_string_actions[flag].dest) == seconds


@pytest.mark.parametrize(("command", "flag"), FLAGS)
def test_a_duration_flag_past_its_range_says_the_range_and_exits_2(
    command: str, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    given = ["-o", "out.jsonl"] if command == "dashboard record" else []
    for text in _past_ends(flag):
        with pytest.raises(SystemExit) as stop:
            _parser(command).parse_args([*given, flag, text])
        assert stop.value.code == 2
        assert capsys.readouterr().err.endswith(
            f"{command}: error: argument {flag}: {text!r} is out of range ({RANGES[flag]})\n"
        )


def test_exit_after_stops_short_of_what_a_qt_timer_counts() -> None:
    """A Qt timer's milliseconds are a 32-bit number: 25 days overflowed it (a crash)."""
    assert EXIT_AFTER.high * 1000 < 2**31
    with pytest.raises(SystemExit):
        gui_parser().parse_args(["--exit-after", "4w"])


@pytest.mark.parametrize("flag", sorted(IN_LAYOUT))
def test_a_duration_flag_s_ends_survive_the_saved_layout(flag: str) -> None:
    """What the command line takes, the layout saved from it (the last layout) loads."""
    key, url = IN_LAYOUT[flag]
    for text, seconds in _ends(flag):
        [spec] = connection_specs(gui_parser().parse_args([flag, text, url]))
        saved = dumps(Layout(connections=[spec]), KINDS)
        [loaded] = loads(saved, "last-layout.toml", KINDS).connections
        assert loaded == spec
        held = loaded.heartbeat_timeout if key == "heartbeat" else loaded.options[key]
        assert held == seconds


@pytest.mark.parametrize("flag", sorted(IN_LAYOUT))
def test_a_layout_past_a_flag_s_range_names_the_file_line_key_and_the_same_range(
    flag: str,
) -> None:
    key, url = IN_LAYOUT[flag]
    for text in _past_ends(flag):
        written = f'[[connections]]\nurl = "{url}"\n{key} = "{text}"\n'
        with pytest.raises(LayoutError) as refused:
            loads(written, "ops.toml", KINDS)
        assert str(refused.value) == (
            f"ops.toml: line 1: connections[1]: {key}: {text!r} is out of range ({RANGES[flag]})"
        )


def test_one_unique_name_rule() -> None:
    assert unique_names(["x", "x-2", "x"]) == ["x", "x-2", "x-3"]
    assert unique_names(["web", "web", "web"]) == ["web", "web-2", "web-3"]
    assert unique_name("x", {"x", "x-2"}) == "x-3"
    assert unique_name("y", {"x"}) == "y"


def test_the_command_line_s_connections_named_x_x2_x_stay_apart() -> None:
    """Two feeds once merged their counters: x, x-2, x became x, x-2, x-2."""
    specs = [KINDS.spec(f"http://127.0.0.1:{port}/events") for port in (1, 2, 3)]
    for spec, name in zip(specs, ["x", "x-2", "x"], strict=True):
        spec.name = name
    unique_spec_names(specs)
    assert [s.name for s in specs] == ["x", "x-2", "x-3"]


def test_one_rate_meter_from_running_totals() -> None:
    meter = RateMeter(window=2.0)
    assert meter.update(0.0, 0) == 0.0
    assert meter.update(1.0, 100) == 100.0
    assert meter.update(2.0, 300) == 150.0
    assert meter.update(3.0, 300) == pytest.approx(100.0)
    assert meter.update(5.0, 300) == 0.0
    assert meter.update(6.0, 100) == 0.0  # the total started over: a new base


def test_one_rate_meter_from_counts_is_bounded() -> None:
    meter = RateMeter(window=10.0, buckets=10)
    for second in range(1_000):
        meter.add(1_000.0 + second, 50)
    assert meter.rate(1_999.0) == pytest.approx(50.0)
    assert len(meter._stamps) == 10  # the ring, however long it ran
    young = RateMeter(window=10.0, buckets=10)
    young.add(5.0, 30)
    assert young.rate(5.0) == pytest.approx(30.0)
