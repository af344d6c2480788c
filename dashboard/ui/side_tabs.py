"""The window's side tabs: the panels placed in the right dock's tabs (alerts, rejected
frames, connections, silences), each titled by what its panel says (a count)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTabWidget, QWidget

from dashboard.core.panels.panelkind import PanelKind


class SideTabs(QTabWidget):
    """A tab per panel, in the order they are added (the registry's). A panel with
    ``tab_text()`` titles its tab, one with ``tab_tip()`` explains it; else the kind's
    title and description do."""

    def add(self, kind: PanelKind, panel: Any) -> None:
        index = self.addTab(panel, kind.title)
        if kind.description:
            self.setTabToolTip(index, kind.description)

    def retitle(self) -> list[QWidget]:
        """Every tab's title and tooltip as its panel says now; the panels whose title
        changed (a new title lays the whole window out again: only when it changes)."""
        changed = []
        for index in range(self.count()):
            panel = self.widget(index)
            text = getattr(panel, "tab_text", None)
            if text is not None and self.tabText(index) != (title := text()):
                self.setTabText(index, title)
                changed.append(panel)
            tip = getattr(panel, "tab_tip", None)
            if tip is not None and self.tabToolTip(index) != (words := tip()):
                self.setTabToolTip(index, words)
        return changed
