"""A panel shown on the offscreen screen, for the Qt tests that need its real geometry."""

from __future__ import annotations

from typing import Any

from dashboard.core.panels.series import ChartSpec
from dashboard.ui.panels.chart import ChartPanel


def shown_chart(qtbot: Any, spec: ChartSpec, size: tuple[int, int], now: float) -> ChartPanel:
    """A *size* (width, height) chart of *spec* whose clock says *now*, shown and exposed."""
    chart = ChartPanel(spec, clock=lambda: now)
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show()
    qtbot.waitExposed(chart)
    return chart
