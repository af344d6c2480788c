"""Alerting without a window: ``dashboard record --layout`` against the local feed, and
``dashboard check-rules`` on a fixed recording."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.core.events.event import Event
from dashboard.core.monitor import Monitor, run_through
from dashboard.core.storage.recordformat import open_events_file, read_events
from dashboard.feed.server import FeedServer, FeedThread

WARM = """\
[[rules]]
name = "Warm"
when = "type:metrics.update"
condition = "cpu > 35"
severity = "warning"
message = "{source} at {data.cpu}%"
"""
T0 = 1_795_430_000.0  # 2026-11-23T10:33:20Z


@pytest.fixture
def feed() -> Iterator[FeedThread]:
    thread = FeedThread(FeedServer(rate=400, seed=5)).start()
    yield thread
    thread.close()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def events_in(path: Path) -> list[Event]:
    with open_events_file(str(path)) as stream:
        return [e for e in read_events(stream, path.name) if isinstance(e, Event)]


def test_record_with_a_layout_writes_and_tells_the_alerts(feed: FeedThread, tmp_path: Path) -> None:
    layout = tmp_path / "warm.toml"
    layout.write_text(WARM)
    out = tmp_path / "capture.jsonl"
    result = run("record", feed.server.url, "--layout", str(layout), "-o", str(out),
                 "--count", "1000")  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = events_in(out)
    feed_events = [e for e in events if e.connection != "dashboard"]
    own = [e for e in events if e.connection == "dashboard"]
    assert len(feed_events) == 1000  # --count counts the feed's events, not the alerts
    assert {e.type for e in own} <= {"dashboard.alert.firing", "dashboard.alert.resolved"}
    recorded = [
        (e.type, e.data["alert"], e.data["key"], e.time, e.data["message"])
        for e in own
        if e.data["origin"] == "rule"
    ]
    # The same rules over the same events, headlessly, say what should have been written.
    expected = [
        (f"dashboard.alert.{c.state.value}", c.name, c.key, c.at, c.message)
        for c in run_through(Monitor(_rules(layout)), feed_events)
        if c.origin.value == "rule"
    ]
    assert sorted(recorded, key=_when) == sorted(expected, key=_when)
    kinds = {r[0] for r in recorded}
    assert kinds == {"dashboard.alert.firing", "dashboard.alert.resolved"}
    assert {r[1] for r in recorded} == {"Warm"}
    for event in own:  # each written after the event that changed it, at that event's time
        cause = max(e.seq for e in feed_events if e.time == event.time)
        assert event.seq > cause
    lines = [line for line in result.stderr.splitlines() if line.startswith("ALERT ")]
    told = [line for line in lines if ": Warm (" in line]
    assert sorted(told) == sorted(
        f"ALERT {r[0].rsplit('.', 1)[1]}: Warm (warning): {r[4]}" for r in recorded
    )
    assert len(lines) == len(own)  # one line for each alert event, the feed's alerts too
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Recorded {len(events):,} events ({len(own):,} of them alert events)")


def _rules(layout: Path) -> list[dict[str, object]]:
    from dashboard.core.layouts.layoutfile import load

    return load(layout).rules


def _when(item: tuple[str, str, str, float, str]) -> tuple[float, str, str]:
    return (item[3], item[2], item[0])


def test_record_refuses_a_bad_layout_before_connecting(tmp_path: Path) -> None:
    layout = tmp_path / "bad.toml"
    layout.write_text('[[rules]]\nname = "R"\ncondition = "cpu > 90"\nfor = "soon"\n')
    result = run("record", "http://127.0.0.1:1/e", "--layout", str(layout),
                 "-o", str(tmp_path / "x.jsonl"))  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"dashboard record: {layout}: line 4: rules[1] ('R'): alert rule 'R', for: expected a "
        "duration like 30s, 5m or 1h, not 'soon'\n"
    )
    assert not (tmp_path / "x.jsonl").exists()


RULES = """\
[[rules]]
name = "High CPU"
when = "type:metrics.update"
condition = "cpu > 90"
for = "30s"
severity = "critical"
message = "CPU on {source} at {data.cpu}%"

[[rules]]
name = "Payments failing"
condition = "count(type:payment.failed) > 3 per 1m"
severity = "error"
group_by = ""
message = "{count} failed payments in a minute"
"""


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    """Two minutes of CPU reports from web-1 (hot from 10 s to 59 s), six failed payments
    at 20.5 s to 25.5 s, a live run's own alert event, and a record that is not one."""
    lines = []
    for n in range(120):
        cpu = 95 if 10 <= n < 60 else 40
        lines.append({"type": "metrics.update", "time": T0 + n, "source": "web-1",
                      "data": {"cpu": cpu}})  # fmt: skip
        if 20 <= n <= 25:
            lines.append({"type": "payment.failed", "time": T0 + n + 0.5, "source": "pay",
                          "data": {"amount": 5}})  # fmt: skip
    lines.insert(5, {"type": "dashboard.alert.firing", "time": T0 + 4, "source": "web-1",
                     "connection": "dashboard", "received": T0 + 4,
                     "data": {"alert": "High CPU", "origin": "rule"}})  # fmt: skip
    path = tmp_path / "incident.jsonl"
    text = "\n".join(json.dumps(line) for line in lines)
    path.write_text(text + '\n{"type": 5, "time": 1, "received": 1}\n')
    return path


def test_check_rules_prints_when_each_alert_fired_and_resolved(
    recording: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "ops.toml"
    rules.write_text(RULES)
    result = run("check-rules", str(rules), "--against", str(recording))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2026-11-23T10:33:43.500Z  firing    Payments failing on everything (error): "
        "4 failed payments in a minute",
        "2026-11-23T10:34:00.000Z  firing    High CPU on web-1 (critical): CPU on web-1 at 95%",
        "2026-11-23T10:34:20.000Z  resolved  High CPU on web-1 (critical): CPU on web-1 at 40%",
        "2026-11-23T10:34:42.500Z  resolved  Payments failing on everything (error): "
        "3 failed payments in a minute",
    ]
    assert result.stderr.splitlines() == [
        f"dashboard check-rules: {recording}:128: not a valid record: type is a number, not text",
        "dashboard check-rules: 2 rule(s) over 126 events: 2 fired, 2 resolved, "
        "0 still firing at the end",
    ]


def test_check_rules_runs_no_disabled_rule(recording: Path, tmp_path: Path) -> None:
    rules = tmp_path / "ops.toml"
    rules.write_text(
        RULES.replace('name = "Payments failing"', 'name = "Payments failing"\nenabled = false')
    )
    result = run("check-rules", str(rules), "--against", str(recording))
    assert result.returncode == 0, result.stderr
    assert [line.split("  ")[1] for line in result.stdout.splitlines()] == ["firing", "resolved"]
    assert result.stderr.splitlines()[-1] == (
        "dashboard check-rules: 1 rule(s) (1 disabled, not run) over 126 events: 1 fired, "
        "1 resolved, 0 still firing at the end"
    )


def test_check_rules_names_a_bad_rule_s_file_line_and_key(recording: Path, tmp_path: Path) -> None:
    rules = tmp_path / "ops.toml"
    rules.write_text(RULES.replace('"count(type:payment.failed) > 3 per 1m"', '"count(x) > 3"'))
    result = run("check-rules", str(rules), "--against", str(recording))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"dashboard check-rules: {rules}: line 11: rules[2] ('Payments failing'): alert rule "
        "'Payments failing', condition: expected count(QUERY) > N per 1m, not 'count(x) > 3'\n"
    )
    rules.write_text(RULES.replace("[[rules]]", "[[rules]]\nenabled = false"))
    result = run("check-rules", str(rules), "--against", str(recording))
    assert (result.returncode, result.stderr) == (
        1, f"dashboard check-rules: {rules}: every rule is disabled (enabled = false)\n"
    )  # fmt: skip
    empty = tmp_path / "empty.toml"
    empty.write_text('title = "no rules"\n')
    result = run("check-rules", str(empty), "--against", str(recording))
    assert (result.returncode, result.stderr) == (
        1, f"dashboard check-rules: {empty}: no [[rules]] to check\n"
    )  # fmt: skip


def test_check_rules_bad_command_lines_and_unreadable_files_exit_2(
    recording: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "ops.toml"
    rules.write_text(RULES)
    for args, message in (
        (("check-rules", str(rules)), "the following arguments are required: --against"),
        (
            ("check-rules", str(rules), "--against", str(tmp_path / "gone.jsonl")),
            f"argument --against: cannot read '{tmp_path / 'gone.jsonl'}': no such file",
        ),
        (
            ("check-rules", str(tmp_path / "gone.toml"), "--against", str(recording)),
            f"argument FILE.toml: cannot read '{tmp_path / 'gone.toml'}': no such file",
        ),
    ):
        result = run(*args)
        assert result.returncode == 2 and message in result.stderr, result.stderr
