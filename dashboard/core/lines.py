"""Bytes of a file or a pipe cut into frames: lines, and pretty-printed JSON documents.

Incremental and I/O-free: :meth:`LineSplitter.feed` takes whatever a read gave and answers
the frames it completed; :meth:`~LineSplitter.flush` gives the last one at the end.

* One frame per line (``\\n``; a ``\\r`` before it is dropped; blank lines are skipped).
* A JSON value printed over several lines (``kubectl get -w -o json``, ``jq .``, Python's
  ``json.dumps(indent=2)``), which opens with ``{`` or ``[`` alone on its line, is one
  frame: its lines are gathered until its brackets close.
* Bounded: a line or document over *max_frame_bytes* is not buffered whole; only its
  first :data:`~dashboard.core.decode.PREVIEW_BYTES` are kept, and it comes out as an
  :class:`Oversized` (its size counted up to its end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.core.decode import PREVIEW_BYTES

__all__ = ["LineSplitter", "Oversized"]

_OPENERS = (b"{", b"[")
_TOKENS = re.compile(rb'\\.|["{}\[\]]', re.DOTALL)  # what moves a JSON document's depth


@dataclass(frozen=True, slots=True)
class Oversized:
    """A line or document over the size limit: its first bytes and its whole size."""

    preview: bytes
    size: int


class LineSplitter:
    """Frames (bytes, or Oversized) from a stream of bytes; see the module's docstring."""

    def __init__(self, max_frame_bytes: int) -> None:
        self.max_frame_bytes = max_frame_bytes
        self._pending = b""  # the start of a line not ended yet
        self._skipping: int | None = None  # size so far of an oversized line being skipped
        self._line_preview = b""
        # A document over several lines, while it is open:
        self._preview = b""  # its first bytes, once it is over the limit
        self._parts: list[bytes] | None = None
        self._doc_size = 0
        self._depth = 0
        self._over = False  # the document is over the limit: only its preview is kept

    def reset(self) -> None:
        """Forget what was begun (a file truncated under us: what was begun is gone)."""
        self.__init__(self.max_frame_bytes)  # type: ignore[misc]

    def feed(self, chunk: bytes) -> list[bytes | Oversized]:
        frames: list[bytes | Oversized] = []
        if self._skipping is not None:
            end = chunk.find(b"\n")
            if end < 0:
                self._skipping += len(chunk)
                return frames
            size, self._skipping = self._skipping + end, None
            if self._parts is None:
                frames.append(Oversized(self._line_preview, size))
            else:  # a line of a document: the document is over the limit, and ends here
                self._doc_size += size + 1
                if not self._over:
                    self._over = True
                    joined = b"\n".join((*self._parts, self._line_preview))
                    self._preview = joined[:PREVIEW_BYTES]
                frames.append(self._document())
            self._line_preview = b""
            chunk = chunk[end + 1 :]
        data = self._pending + chunk if self._pending else chunk
        lines = data.split(b"\n")
        self._pending = lines.pop()
        if len(self._pending) > self.max_frame_bytes:  # no end in sight: stop keeping it
            self._skipping = len(self._pending)
            self._line_preview = self._pending[:PREVIEW_BYTES]
            self._pending = b""
        carriage = b"\r" in data
        append = frames.append
        for line in lines:
            if carriage and line[-1:] == b"\r":
                line = line[:-1]
            if self._parts is not None:
                self._document_line(line, frames)
            elif len(line) < 8:
                short = line.strip()
                if short in _OPENERS:
                    self._parts, self._doc_size, self._depth = [line], len(line), 1
                elif short:
                    append(line)
            else:
                append(line)
        return frames

    def flush(self) -> list[bytes | Oversized]:
        """The end of the stream: what was begun comes out as it is."""
        frames: list[bytes | Oversized] = []
        if self._skipping is not None:
            frames.append(Oversized(self._line_preview, self._skipping))
        elif self._pending.strip():
            frames.extend(self.feed(b"\n"))
        if self._parts is not None:
            frames.append(self._document())
        self.reset()
        return frames

    def _document_line(self, line: bytes, frames: list[bytes | Oversized]) -> None:
        """A line of an open document; the document comes out when its brackets close.
        (A JSON string cannot hold a line break, so a quote left open ends it too: the
        decoder then says what is wrong with it.)"""
        parts = self._parts
        assert parts is not None
        if line[:1] in _OPENERS and line.strip() in _OPENERS:  # unindented: a new document
            frames.append(self._document())
            self._parts, self._doc_size, self._depth = [line], len(line), 1
            return
        self._doc_size += len(line) + 1
        if not self._over and self._doc_size > self.max_frame_bytes:  # keep a preview only
            self._over = True
            self._preview = b"\n".join((*parts, line))[:PREVIEW_BYTES]
            parts.clear()
        elif not self._over:
            parts.append(line)
        depth, quoted = self._depth, False
        for token in _TOKENS.findall(line):
            if token == b'"':
                quoted = not quoted
            elif quoted:
                continue
            elif token in b"{[":
                depth += 1
            elif token in b"}]":
                depth -= 1
        self._depth = depth
        if depth <= 0 or quoted:
            frames.append(self._document())

    def _document(self) -> bytes | Oversized:
        parts, size, over = self._parts or [], self._doc_size, self._over
        self._parts, self._doc_size, self._depth, self._over = None, 0, 0, False
        if over:
            preview, self._preview = self._preview, b""
            return Oversized(preview, size)
        return b"\n".join(parts)
