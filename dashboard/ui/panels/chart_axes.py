"""A chart's plain helpers: which points a line joins, the value under the crosshair, where
the readout goes, the time axis, and the pens lines and markers are drawn with."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from dashboard.ui.panels.legend import DASH_STYLES
from dashboard.ui.theme import current

GAP_FACTOR = 20  # points further apart than this many usual steps are not joined
MIN_GAP_S = 1.0  # ... and than a second
MARKERS_SHOWN = 100
READOUT_GAP_PX = 12  # between the crosshair and the readout beside it


def joined(t: np.ndarray) -> np.ndarray | str:
    """Which points the line joins to the next: not across a gap (a feed that was down, a
    backfill from long ago), which a straight line would pass off as data.

    "all" when no step is over a second (every busy line): pyqtgraph draws that faster,
    and no median of a million steps is taken. The usual step is the median of at most
    about 10,000 of them.
    """
    if len(t) < 3:
        return "all"
    steps = np.diff(t)
    if steps.max() <= MIN_GAP_S:
        return "all"
    moving = steps[steps > 0]  # points sharing a moment (several hosts polled) are no step
    usual = float(np.median(moving[:: max(1, len(moving) // 10_000)]))
    connect = np.ones(len(t), dtype=bool)
    connect[:-1] = steps <= max(usual * GAP_FACTOR, MIN_GAP_S)
    return connect


def value_at(t: np.ndarray, v: np.ndarray, x: float) -> float | None:
    """The value of the point nearest to *x*, the newest of points at the same time (None
    for no points)."""
    if not len(t):
        return None
    after = int(np.searchsorted(t, x, side="right"))  # the first point later than x
    if after == 0:
        return float(v[0])
    if after == len(t) or x - t[after - 1] <= t[after] - x:
        return float(v[after - 1])
    return float(v[after])


def readout_place(
    view: QRectF,
    x: float,
    size: tuple[float, float],
    lines: Sequence[tuple[np.ndarray, np.ndarray]],
    gap: float,
) -> tuple[float, float]:
    """Where the crosshair's readout goes (its top-left corner, in view coordinates; y
    grows upwards): beside the crosshair, not on it, on the side with room, and up or down
    in the widest free band between the values of the lines it would lie over (else at the
    top or the bottom, whichever covers fewer points). So the readout does not hide the
    values it names."""
    width, height = size
    right = x + gap + width <= view.right() or x - gap - width < view.left()
    left_x = x + gap if right else x - gap - width
    low, high = view.top(), view.bottom()  # (a QRectF of a view: top() is the low y)
    under: list[np.ndarray] = []
    for t, v in lines:
        lo, hi = np.searchsorted(t, [left_x, left_x + width])
        under.append(v[max(lo - 1, 0) : hi + 1])  # and the points either side of the box
    values = np.concatenate(under) if under else np.empty(0)
    values = values[(values > low) & (values < high)]
    edges = np.concatenate([[low], np.sort(values), [high]])
    widest = int(np.argmax(np.diff(edges)))
    if edges[widest + 1] - edges[widest] >= height:  # a free band the readout fits in
        return left_x, float(edges[widest + 1] + edges[widest] + height) / 2

    def covered(top_y: float) -> int:
        return int(np.count_nonzero((values <= top_y) & (values >= top_y - height)))

    top_y = high if covered(high) <= covered(low + height) else low + height
    return left_x, top_y


def time_axis() -> pg.DateAxisItem:
    """A time axis that labels whole seconds (``07:54:30``) down to spans of a second or
    two; pyqtgraph's own switches to ``30.000`` from spans under about ten seconds, as a
    young chart's first seconds are."""
    axis = pg.DateAxisItem(orientation="bottom")
    levels = list(axis.zoomLevels.items())
    axis.zoomLevels = type(axis.zoomLevels)(
        (0.25 if spacing == 1 else spacing, level) for spacing, level in levels
    )
    return axis


def pen(colour: str, dash: str) -> object:
    return pg.mkPen(colour, width=2, style=DASH_STYLES[dash])


def marker_pen() -> object:
    return pg.mkPen(current().level_colour("critical"), width=1, style=Qt.PenStyle.DashLine)
