"""A toy transport, added through the registry alone, recorded by ``dashboard record``.

``dashboard.cli.main(argv, kinds=...)`` is the hook: a plugin (or a test) hands the command
line the registry with its own kind added, and the command line, capture and the source
loop use that registry and nothing else. Run in-process, since the toy module lives in a
temporary folder only this process imports from (a console-script entry-point hook would
need an installed package; dependency injection needs nothing).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.core.events.event import Event
from dashboard.core.storage.recordformat import open_events_file, read_events
from tests.toy_plugin import toy_kinds


def test_dashboard_record_records_a_plugin_s_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kinds = toy_kinds(tmp_path, monkeypatch)
    out = tmp_path / "toy.jsonl"
    argv = ["record", "toy://lab/beeps", "--toy-count", "250", "--event-type", "toy.beep"]
    assert main([*argv, "-o", str(out)], kinds=kinds) == 0
    with open_events_file(str(out)) as stream:
        events = [e for e in read_events(stream, out.name) if isinstance(e, Event)]
    assert len(events) == 250 and {e.type for e in events} == {"toy.beep"}
    assert {e.connection for e in events} == {"toy beeps"}
    assert [e.data["n"] for e in events] == list(range(250))
    assert "Recorded 250 events" in capsys.readouterr().err


def test_the_registry_without_the_plugin_refuses_its_urls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["record", "toy://lab/beeps", "-o", "x.jsonl"])
    assert "'toy://lab/beeps' is not a feed URL: expected http(s)://" in capsys.readouterr().err
