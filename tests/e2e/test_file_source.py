"""Following files like tail -F, and standard input: real files appended, rotated and
truncated while followed; a real pipe into ``dashboard record -`` and into the window."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from dashboard.core.events.event import DecodedBatch, Event, Rejected, Severity
from dashboard.core.storage.recordformat import open_events_file, read_events
from dashboard.sources.base import ConnectionState
from dashboard.sources.files import FileSource
from dashboard.sources.registry import KINDS
from tests.helpers import run, wait_for


class Collected:
    """A sink that keeps what it is handed."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.rejected: list[Rejected] = []

    def extend_batch(self, batch: DecodedBatch) -> None:
        for item in batch.items():
            (self.events if isinstance(item, Event) else self.rejected).append(item)  # type: ignore[arg-type]

    def numbers(self) -> list[int]:
        return [e.data["n"] for e in self.events]


def follow(path: Path, **options: Any) -> tuple[FileSource, Collected]:
    sink = Collected()
    spec = KINDS.spec(path.resolve().as_uri(), options=options)
    return FileSource(spec, sink), sink


def append(path: Path, numbers: range, how: str = "a") -> None:
    with path.open(how) as file:
        for n in numbers:
            file.write(json.dumps({"type": "tick", "n": n}) + "\n")


async def running(source: FileSource, body: Callable[[], Awaitable[None]]) -> None:
    task = asyncio.ensure_future(source.run())
    try:
        await body()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_a_file_appended_rotated_and_truncated_is_read_exactly_once(tmp_path: Path) -> None:
    log = tmp_path / "app.jsonl"
    append(log, range(-10, 0))  # there before: not read (it starts at the end)
    source, sink = follow(log)

    async def body() -> None:
        await wait_for(lambda: source.status.state is ConnectionState.LIVE)
        append(log, range(60))
        with log.open("a") as file:  # a line written in two goes is one line
            file.write('{"type": "tick", ')
            file.flush()
            await wait_for(lambda: len(sink.events) == 60)
            file.write('"n": 60}\n')
        append(log, range(61, 100))
        await wait_for(lambda: len(sink.events) == 100)
        # Rotation: more lines, renamed, written to after the rename, then a new file.
        append(log, range(100, 150))
        log.rename(tmp_path / "app.jsonl.1")
        append(tmp_path / "app.jsonl.1", range(150, 160))
        await wait_for(lambda: len(sink.events) == 160)
        append(log, range(160, 200))
        await wait_for(lambda: len(sink.events) == 200)
        # Truncation (copytruncate): fewer bytes than were read, so it is seen whenever
        # it is looked at.
        append(log, range(200, 210))
        await wait_for(lambda: len(sink.events) == 210)
        append(log, range(210, 215), how="w")
        await wait_for(lambda: len(sink.events) == 215)

    run(running(source, body))
    assert sink.numbers() == list(range(215))  # in order, none twice, none lost
    assert sink.rejected == []
    assert {e.type for e in sink.events} == {"tick"} and sink.events[0].connection == "app.jsonl"


def test_a_file_that_is_not_there_is_waited_for_and_read_from_its_start(tmp_path: Path) -> None:
    log = tmp_path / "later.log"
    source, sink = follow(log)

    async def body() -> None:
        await wait_for(lambda: "no such file" in source.status.last_error)
        assert source.status.state is ConnectionState.CONNECTING
        assert "waiting for it" in source.status.last_error
        log.write_text(
            "2026-12-06T07:45:40Z [WARN] disk 91% full\r\n"
            "<11>1 2026-12-06T07:45:41Z web app - - - oops\n"
            'level=error msg="db gone"\n'
            '{"type": "order.placed", "amount": 5}\n'
        )
        await wait_for(lambda: len(sink.events) == 4)
        assert source.status.state is ConnectionState.LIVE and source.status.last_error == ""

    run(running(source, body))
    warn, oops, gone, order = sink.events
    assert (warn.type, warn.severity, warn.data) == (
        "log", Severity.WARNING, "2026-12-06T07:45:40Z [WARN] disk 91% full"
    )  # fmt: skip
    assert warn.time == 1796543140.0
    assert (oops.severity, oops.time) == (Severity.ERROR, 1796543141.0)
    assert (gone.type, gone.severity) == ("log", Severity.ERROR)
    assert (order.type, order.data) == ("order.placed", {"amount": 5})


def test_from_start_reads_what_was_there_and_a_restart_carries_on(tmp_path: Path) -> None:
    log = tmp_path / "app.jsonl"
    append(log, range(5))
    source, sink = follow(log, from_start=True)

    async def first() -> None:
        await wait_for(lambda: len(sink.events) == 5)

    run(running(source, first))
    checkpoint = source.checkpoint()
    append(log, range(5, 8))  # while nothing reads it
    again, more = follow(log, from_start=True)
    again.resume(checkpoint)

    async def second() -> None:
        await wait_for(lambda: len(more.events) == 3)
        append(log, range(8, 9))
        await wait_for(lambda: len(more.events) == 4)

    run(running(again, second))
    assert more.numbers() == [5, 6, 7, 8]  # from the checkpoint: nothing twice


def test_a_binary_file_a_folder_and_a_fifo_stop_with_the_reason(tmp_path: Path) -> None:
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x00\x00" + bytes(100))
    source, _ = follow(binary)
    run(source.run())
    assert source.status.state is ConnectionState.STOPPED
    assert source.status.detail == (
        f"{binary} is a binary file (a NUL byte at offset 6), not lines of text"
    )
    folder, _ = follow(tmp_path)
    run(folder.run())
    assert folder.status.detail == f"{tmp_path} is a folder, not a file"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    piped, _ = follow(fifo)
    run(piped.run())  # (opening it does not wait for a writer)
    assert piped.status.detail == (
        f"{fifo} is not a regular file (a pipe? read it as standard input: dashboard - < {fifo})"
    )


def test_a_huge_line_is_rejected_with_its_size_and_the_next_line_is_read(tmp_path: Path) -> None:
    log = tmp_path / "huge.log"
    log.write_text("")
    source, sink = follow(log)
    huge = 20 * 1024 * 1024

    async def body() -> None:
        await wait_for(lambda: source.status.state is ConnectionState.LIVE)
        with log.open("ab") as file:
            file.write(b'{"n": "' + b"x" * huge + b'"}\n{"n": 1}\n')
        await wait_for(lambda: len(sink.events) == 1 and len(sink.rejected) == 1)

    run(running(source, body))
    [rejected] = sink.rejected
    assert rejected.size == huge + 9
    assert rejected.reason == f"frame of {huge + 9:,} bytes is over the 1,048,576-byte limit"
    assert len(rejected.raw) <= 4096 and sink.numbers() == [1]


KUBECTL = b"".join(
    json.dumps({"type": t, "object": {"kind": "Event", "n": n}}, indent=4).encode() + b"\n"
    for n, t in enumerate(["ADDED", "MODIFIED", "DELETED"])
)
TEXT = b"2026-12-06 07:45:40,250 ERROR app: boom\nplain words\n"


def _dashboard(*args: str, stdin: bytes, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


def test_a_pipe_into_dashboard_record_dash(tmp_path: Path) -> None:
    out = tmp_path / "piped.jsonl"
    result = _dashboard("record", "-", "-o", str(out), stdin=KUBECTL + TEXT + b"last, unended")
    assert result.returncode == 0, result.stderr
    assert "(every connection finished)" in result.stderr
    assert "Recorded 6 events and 0 rejected frames" in result.stderr
    with open_events_file(str(out)) as stream:
        events = [e for e in read_events(stream, "piped") if isinstance(e, Event)]
    assert [e.type for e in events] == ["ADDED", "MODIFIED", "DELETED", "log", "log", "log"]
    assert [e.data["object"]["n"] for e in events[:3]] == [0, 1, 2]
    assert events[3].severity is Severity.ERROR and events[3].connection == "stdin"
    assert [e.data for e in events[4:]] == ["plain words", "last, unended"]


def test_binary_standard_input_is_said_to_be_binary(tmp_path: Path) -> None:
    result = _dashboard(
        "record", "-", "-o", str(tmp_path / "x.jsonl"), stdin=b"fine\nbad \x00 byte\n"
    )
    assert "standard input is binary (a NUL byte at byte 9), not lines of text" in result.stderr


def test_the_window_reads_standard_input_in_its_reader_process() -> None:
    lines = b"".join(b'{"type": "piped", "n": %d}\n' % n for n in range(50))
    result = _dashboard("-", "--exit-after", "4", stdin=lines)
    assert result.returncode == 0, result.stderr
    assert "events=50 rejected=0" in result.stdout


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("no-such-folder/app.log", "there is no folder 'no-such-folder'"),
        ("localhost:8765/events", "a URL starts with its scheme"),
        (".", "'.' is a folder: name a file in it"),
        ("file://otherhost/x.log", "names a file on this machine"),
    ],
)
def test_a_path_that_cannot_be_a_file_is_a_command_line_mistake(
    argument: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from dashboard.cli import main

    with pytest.raises(SystemExit) as exited:
        main([argument])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_binary_file_and_dash_on_a_terminal_are_command_line_mistakes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.cli import main

    core = tmp_path / "core.bin"
    core.write_bytes(b"ELF\0\1\2\n")
    with pytest.raises(SystemExit) as exited:
        main(["record", str(core), "-o", str(tmp_path / "o.jsonl")])
    assert exited.value.code == 2
    assert "core.bin' is a binary file (a NUL byte at offset 3), not lines of text" in (
        capsys.readouterr().err
    )

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    for command in ([], ["record", "-o", str(tmp_path / "o.jsonl")]):
        with pytest.raises(SystemExit) as exited:
            main([*command, "-"])
        assert exited.value.code == 2
        assert "'-' reads standard input, and nothing is piped into it (it is the terminal)" in (
            capsys.readouterr().err
        )
    assert not (tmp_path / "o.jsonl").exists()


def test_paths_and_dash_become_urls(tmp_path: Path) -> None:
    from dashboard.cli import connection_specs, gui_parser, record_parser

    later = tmp_path / "not yet.log"  # need not exist: it is waited for
    options = gui_parser().parse_args(["--from-start", str(later), "-"])  # a bare flag
    file_spec, stdin_spec = connection_specs(options)
    assert file_spec.url == later.as_uri() and file_spec.name == "not yet.log"
    assert file_spec.options == {"from_start": True}
    assert (stdin_spec.url, stdin_spec.name, stdin_spec.options) == ("stdin:", "stdin", {})
    recorded = record_parser().parse_args(["-", "-o", str(tmp_path / "o.jsonl")])
    assert recorded.urls == ["stdin:"]
