"""Cutting a file's or a pipe's bytes into frames (core.transport.linesplit):
lines, pretty-printed JSON documents back to back, and lines over the size limit that are
never buffered whole."""

from __future__ import annotations

import json

from dashboard.core.events.decode import PREVIEW_BYTES
from dashboard.core.transport.linesplit import LineSplitter, Oversized


def _all(splitter: LineSplitter, *chunks: bytes) -> list[bytes | Oversized]:
    frames: list[bytes | Oversized] = []
    for chunk in chunks:
        frames += splitter.feed(chunk)
    return frames + splitter.flush()


def test_lines_come_out_whole_however_the_reads_cut_them() -> None:
    text = b'{"a": 1}\r\nplain text line\n\n   \n{"b": 2}\nlast without end'
    for size in (1, 2, 3, 7, len(text)):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        assert _all(LineSplitter(1000, documents=True), *chunks) == [
            b'{"a": 1}',
            b"plain text line",
            b'{"b": 2}',
            b"last without end",
        ]


def test_a_line_not_ended_waits_for_its_end() -> None:
    splitter = LineSplitter(1000, documents=True)
    assert splitter.feed(b'{"a": ') == []
    assert splitter.feed(b"1}\n") == [b'{"a": 1}']


def test_pretty_printed_documents_back_to_back_are_one_frame_each() -> None:
    # kubectl get events -w -o json: one indented object after another
    objects = [
        {"type": "ADDED", "object": {"kind": "Event", "message": "a {brace} and ] in text"}},
        {"type": "MODIFIED", "object": {"list": [1, [2, {"x": '"quoted" \\'}]]}},
        [1, 2, {"three": 3}],
    ]
    text = b"".join(json.dumps(o, indent=4).encode() + b"\n" for o in objects)
    text += b"plain line after them\n"
    for size in (1, 5, 64, len(text)):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        frames = _all(LineSplitter(10_000, documents=True), *chunks)
        assert [json.loads(f) for f in frames[:3]] == objects  # type: ignore[arg-type]
        assert frames[3] == b"plain line after them"


def test_a_document_cut_short_ends_at_the_next_unindented_opening() -> None:
    text = b'{\n    "a": 1,\n{\n    "b": 2\n}\n'
    assert _all(LineSplitter(1000, documents=True), text) == [
        b'{\n    "a": 1,',
        b'{\n    "b": 2\n}',
    ]


def test_a_document_left_open_at_the_end_comes_out_as_it_is() -> None:
    assert _all(LineSplitter(1000, documents=True), b"[\n  1,\n") == [b"[\n  1,"]


def test_a_line_over_the_limit_is_not_kept_whole() -> None:
    splitter = LineSplitter(1000, documents=True)
    frames = splitter.feed(b"x" * 600)
    frames += splitter.feed(b"y" * 600)  # past the limit: from here on only counted
    assert splitter._pending == []
    for _ in range(100):
        frames += splitter.feed(b"z" * 10_000)
        assert splitter._pending == [] and len(splitter._preview) <= PREVIEW_BYTES
    frames += splitter.feed(b"zz\nnext\n")
    preview = b"x" * 600 + b"y" * 600 + b"z" * (PREVIEW_BYTES - 1200)
    assert frames == [Oversized(preview, 1_001_202), b"next"]


def test_a_document_over_the_limit_keeps_only_its_start() -> None:
    fields = [b'    "k%d": "%s",' % (i, b"v" * 50) for i in range(100)]
    lines = [b"{", *fields, b'    "z": 0', b"}"]
    text = b"\n".join(lines) + b"\nafter\n"
    frames = _all(LineSplitter(1000, documents=True), text)
    assert len(frames) == 2 and frames[1] == b"after"
    oversized = frames[0]
    assert isinstance(oversized, Oversized)
    assert oversized.size == len(text) - len(b"\nafter\n")  # as the frame would be
    assert oversized.preview == text[: len(oversized.preview)]
    assert 1000 < len(oversized.preview) <= PREVIEW_BYTES


def test_reset_forgets_what_was_begun() -> None:
    splitter = LineSplitter(1000, documents=True)
    splitter.feed(b"half a li")
    splitter.reset()
    assert splitter.feed(b"new line\n") == [b"new line"]
