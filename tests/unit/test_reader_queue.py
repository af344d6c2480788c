"""A reader's frames waiting for the app are bounded in bytes, not only in number, and so is
each frame, in rows."""

from __future__ import annotations

import asyncio
import contextlib
import marshal
import socket
import threading
from types import SimpleNamespace

import pytest

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import DecodedBatch
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.sources.base import new_status
from dashboard.sources.reader import (
    EVENTS,
    FRAME_ROWS,
    HEADER,
    QUEUED_BYTES,
    ROOM_BYTES,
    ParentGone,
    _Connection,
    _Reader,
)


def test_frames_waiting_for_the_app_stay_within_queued_bytes() -> None:
    """Wide events made frames of megabytes: 64 of them waited while the window was busy."""
    ours, theirs = socket.socketpair()
    try:
        reader = _Reader(theirs)  # its writer not started: nothing leaves
        reader.put(b"x" * (QUEUED_BYTES - 10))
        reader.put(b"y" * 10)  # fits exactly
        with pytest.raises(ParentGone):  # no room, and nobody left to make some
            reader.put(b"z")
        assert reader._frames.qsize() == 2
    finally:
        ours.close()
        theirs.close()


def test_a_frame_waits_for_room_and_goes_once_the_app_takes_the_others() -> None:
    ours, theirs = socket.socketpair()
    received = bytearray()

    def take() -> None:
        while chunk := ours.recv(1 << 20):
            received.extend(chunk)

    taker = threading.Thread(target=take)
    taker.start()
    try:
        reader = _Reader(theirs)
        reader._writer.start()
        big = b"w" * (QUEUED_BYTES // 2 + 1)  # two never wait together
        for _ in range(4):
            reader.put(big)
        reader.put(QUEUED_BYTES * b"b")  # alone over the limit: goes when the rest has
        reader._frames.put(None)  # the writer's end
        reader._writer.join(10)
        assert reader._queued == 0
    finally:
        theirs.close()
        taker.join(10)
        ours.close()
    assert len(received) == 4 * len(big) + QUEUED_BYTES


def test_a_big_batch_goes_up_in_frames_of_at_most_frame_rows_in_order() -> None:
    """A WebSocket message of 3,500 events was one frame of 820 KB, marshalled and copied
    whole. Each frame but the last carries the checkpoint sent before: a reader that dies
    between them resumes before their rows, never after."""
    ours, theirs = socket.socketpair()
    try:
        reader = _Reader(theirs)  # its writer not started: the frames stay in its queue
        connection = _Connection(7, reader)
        connection.sent_checkpoint = "before"
        status = new_status(ConnectionSpec("ws://127.0.0.1:1/ws", "c"))
        connection.source = SimpleNamespace(status=status, checkpoint=lambda: "after")  # type: ignore[assignment]
        decoder = Decoder("c")
        batch = DecodedBatch("c")
        for n in range(2 * FRAME_ROWS + 10):
            batch.add(decoder.decode_row(b'{"type": "t", "n": %d}' % n, 1.0))
        batch.add(decoder.decode_row(b'{"broken": ', 1.0))
        connection.extend_batch(batch)  # over FLUSH_ROWS: it goes at once
        frames = []
        while not reader._frames.empty():
            frame = reader._frames.get_nowait()
            assert frame is not None
            frames.append(marshal.loads(frame[HEADER.size :]))
    finally:
        ours.close()
        theirs.close()
    assert [(conn_id, kind) for conn_id, kind, *_ in frames] == [(7, EVENTS)] * 3
    assert [checkpoint for *_, checkpoint, _payload in frames] == ["before", "before", "after"]
    columns = [payload[0] for *_, payload in frames]
    assert [len(c[0]) for c in columns] == [FRAME_ROWS, FRAME_ROWS, 10]
    raws = [raw for c in columns for raw in c[6]]
    assert raws == [b'{"type": "t", "n": %d}' % n for n in range(2 * FRAME_ROWS + 10)]
    assert [len(payload[1]) for *_, payload in frames] == [0, 0, 1]  # the rejected last
    assert connection.sent_checkpoint == "after"


def test_a_source_reads_on_only_once_the_app_has_taken_the_frames_past_room_bytes() -> None:
    """While the window is behind, the feeds wait in TCP rather than in the reader's memory,
    and the reader's loop (every connection's pings and timeouts) goes on."""
    ours, theirs = socket.socketpair()
    received = bytearray()

    def take() -> None:
        while chunk := ours.recv(1 << 20):
            received.extend(chunk)

    async def scenario() -> None:
        sent = 0
        theirs.setblocking(False)  # the socket's buffer full first: nothing more leaves
        with contextlib.suppress(BlockingIOError):
            while True:
                sent += theirs.send(b"s" * 4096)
        theirs.setblocking(True)
        reader = _Reader(theirs)
        reader._writer.start()
        while reader._queued < ROOM_BYTES:
            reader.put(b"f" * (64 << 10))
            sent += 64 << 10
        connection = _Connection(1, reader)
        waiting = asyncio.ensure_future(connection.room())
        for _ in range(20):
            await asyncio.sleep(0)
        assert not waiting.done()  # no room: the source does not read on
        taker = threading.Thread(target=take)
        taker.start()
        await asyncio.wait_for(waiting, 10)  # the app took them: it reads on
        assert reader._queued < ROOM_BYTES
        reader._frames.put(None)
        reader._writer.join(10)
        theirs.close()
        taker.join(10)
        assert len(received) == sent

    try:
        asyncio.run(scenario())
    finally:
        ours.close()
        theirs.close()
