"""A reader's frames waiting for the app are bounded in bytes, not only in number."""

from __future__ import annotations

import socket
import threading

import pytest

from dashboard.sources.reader import QUEUED_BYTES, ParentGone, _Reader


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
