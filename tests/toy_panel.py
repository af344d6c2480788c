"""A toy panel kind, written as a plugin author would write one: one module that declares
its KIND, added to a registry of its own (``PANELS.adding(...)``) and nowhere else. The
tests write it to a temporary folder and import it from there, so that nothing in
``dashboard`` knows about it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from dashboard.core.panels.panelkind import PanelKinds
from dashboard.ui.panels.registry import PANELS

TOY_MODULE = '''
"""A toy panel: counts the events of one type, under a label."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QLabel

from dashboard.core.events.event import Event
from dashboard.core.panels.panelkind import PanelKind
from dashboard.core.transport.sourcekind import Option
from dashboard.ui.panels.registry import PanelContext


class ToyCounter(QLabel):
    def __init__(self, context: PanelContext, options: dict[str, Any]) -> None:
        super().__init__()
        self.settings = dict(options)
        self.count = 0

    def add_events(self, events: Sequence[Event], by_type: Mapping[str, list[Event]]) -> None:
        self.count += len(by_type.get(self.settings["event_type"], []))

    def take_turn(self) -> float | None:
        self.setText(f"{self.settings['label']}: {self.count}")
        return None

    def reset(self) -> None:
        self.count = 0
        self.take_turn()

    def options(self) -> dict[str, Any]:
        return dict(self.settings)


def _positive(value: int) -> None:
    if value < 1:
        raise ValueError(f"expected 1 or more, got {value}")


KIND = PanelKind(
    name="toy-counter",
    title="Toy counter",
    widget=ToyCounter,
    description="counts the events of one type",
    options=(
        Option("label", str, "Events", "the words before the count"),
        Option("event_type", str, "toy.tick", "the type of event counted"),
        Option("digits", int, 3, "how wide the count is", check=_positive),
    ),
)
'''


def toy_panels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, place: str | None = None
) -> PanelKinds:
    """The registry plus the toy panel kind, imported from a module in *tmp_path*; with
    *place*, the module's KIND declares that place (else the default, on the right)."""
    module_text = TOY_MODULE
    if place is not None:
        module_text = module_text.replace(
            '    name="toy-counter",\n', f'    name="toy-counter",\n    place="{place}",\n'
        )
        assert f'place="{place}"' in module_text
    (tmp_path / "toy_panel_kind.py").write_text(module_text)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "toy_panel_kind", raising=False)
    module = importlib.import_module("toy_panel_kind")
    return PANELS.adding(module.KIND)
