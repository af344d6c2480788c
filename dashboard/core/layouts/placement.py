"""Where a window goes: its first size from the screen it opens on, and a remembered place
brought back onto a screen that is there now. Rectangles are ``(x, y, width, height)``."""

from __future__ import annotations

Rect = tuple[int, int, int, int]

FIRST_SHARE = 0.9  # of the available screen, for a first window
FIRST_MAX = (1800, 1100)  # a first window no larger than this on a big screen


def first_place(available: Rect) -> Rect:
    """A first window: most of the *available* screen (without its panels and docks),
    up to :data:`FIRST_MAX`, centred."""
    x, y, width, height = available
    w = min(int(width * FIRST_SHARE), FIRST_MAX[0])
    h = min(int(height * FIRST_SHARE), FIRST_MAX[1])
    return (x + (width - w) // 2, y + (height - h) // 2, w, h)


def _overlap(a: Rect, b: Rect) -> tuple[int, int]:
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, width), max(0, height)


def on_screen(window: Rect, screens: list[Rect]) -> Rect:
    """*window* as remembered if it is whole on one of the *screens* (available areas);
    else moved (and shrunk to fit) onto the screen it overlaps most, or the first."""
    if not screens:
        return window
    x, y, width, height = window
    if any(_overlap(window, screen) == (width, height) for screen in screens):
        return window
    best = max(screens, key=lambda s: _overlap(window, s)[0] * _overlap(window, s)[1])
    if _overlap(window, best) == (0, 0):
        best = screens[0]
    sx, sy, sw, sh = best
    w, h = min(width, sw), min(height, sh)
    return (min(max(x, sx), sx + sw - w), min(max(y, sy), sy + sh - h), w, h)
