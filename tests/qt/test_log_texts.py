"""The log's rows of wide events: each row's event is rebuilt once, not at every paint."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from dashboard.core.storage.store import MATERIALISED_BYTES, EventStore
from dashboard.ui.log_model import SUMMARY, TIME, TYPE, EventLogModel
from tests.unit.factories import make_event

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole)


def test_rows_of_wide_events_are_rebuilt_once_each(qtmodeltester: Any, monkeypatch: Any) -> None:
    """Twenty events of 700 KB: more than the store keeps rebuilt (MATERIALISED_BYTES), so
    the log keeps their cells' texts (each row's event is decoded once, its summary cut)."""
    store = EventStore(capacity=50)
    store.extend(
        make_event("document.uploaded", {"n": n, "blob": "x" * 700_000}) for n in range(20)
    )
    store.release(store.end_seq)  # as the bus does: only the frames are left
    assert MATERIALISED_BYTES < 20 * 700_000
    rebuilt: list[int] = []
    rebuild = store._rebuild
    monkeypatch.setattr(store, "_rebuild", lambda seq: (rebuilt.append(seq), rebuild(seq))[1])
    model = EventLogModel(store)
    model.sync()
    assert model.rowCount() == 20
    for _paint in range(3):
        cells = [
            [model.index(row, column).data(role) for column in range(model.columnCount())]
            for row in range(20)
            for role in ROLES
        ]
    assert sorted(rebuilt) == list(range(20))  # once each
    assert cells[0][TYPE] == "document.uploaded"
    assert cells[0][SUMMARY] == "n=0 blob=" + "x" * 230 + "…"
    assert len(cells[0][SUMMARY]) == 240
    # A new column starts the texts again; the tooltip of a summary rebuilds the event.
    model.add_field("n")
    assert [model.index(r, SUMMARY).data() for r in (3, 4)] == ["3", "4"]
    assert model.index(0, TIME).data(Qt.ItemDataRole.ToolTipRole).endswith(")")
    assert len(rebuilt) == 23
    qtmodeltester.check(model)
