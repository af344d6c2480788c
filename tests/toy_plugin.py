"""A toy transport, written as a plugin author would write one: one module that declares its
KIND, added to a registry of its own (``KINDS.adding(...)``) and nowhere else. The tests
write it to a temporary folder and import it from there, so that nothing in ``dashboard``
knows about it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources.registry import KINDS

TOY_MODULE = '''
"""A toy transport: toy://host/what emits ``count`` events of ``event_type``, then stops."""

from __future__ import annotations

import orjson

from dashboard.core.events.event import DecodedBatch
from dashboard.core.transport.sourcekind import Option, SourceKind
from dashboard.sources.base import ReconnectingSource, StreamFinished


class ToySource(ReconnectingSource):
    async def _stream_once(self) -> str:
        self.went_live()
        options = self.spec.options
        count = options.get("count", 10)
        kind = options.get("event_type", "toy.tick")
        for start in range(0, count, 100):
            batch = DecodedBatch(self.name)
            frames = [
                orjson.dumps({"type": kind, "n": n, "loud": options.get("shout", False)})
                for n in range(start, min(count, start + 100))
            ]
            for frame in frames:
                batch.add(self.decoder.decode_row(frame, self.clock()))
            await self.deliver(batch, sum(map(len, frames)))
        raise StreamFinished(f"all {count} toy events sent")


def _at_least_one(value: int) -> None:
    if value < 1:
        raise ValueError(f"expected 1 or more, got {value}")


KIND = SourceKind(
    name="toy",
    title="Toy",
    schemes=("toy",),
    reader=ToySource,
    url_example="toy://host/anything",
    description="emits count events, then stops",
    options=(
        Option("count", int, 10, "how many events to emit", check=_at_least_one),
        Option("event_type", str, "toy.tick", "the type of each event", label="Event type"),
        Option("shout", bool, False, "mark each event loud"),
        Option("token", str, None, "a credential: masked, never saved", secret=True),
    ),
    default_name=lambda url: "toy " + url.rstrip("/").rpartition("/")[2],
)
'''


def toy_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SourceKinds:
    """The registry plus the toy transport, imported from a module in *tmp_path*."""
    (tmp_path / "toy_source.py").write_text(TOY_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "toy_source", raising=False)
    module = importlib.import_module("toy_source")
    return KINDS.adding(module.KIND)
