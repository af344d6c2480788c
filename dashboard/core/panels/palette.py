"""Series colours: a qualitative palette for dark and for light backgrounds, and the
arithmetic that checks it (contrast with the background, distance between colours).

Twelve hues: the Okabe-Ito colours (chosen to stay apart for the common colour-vision
deficiencies) without their black, then Tableau-style extensions (pink, brown, grey,
teal, green). Each hue has a variant for a dark plot and one for a light plot, in the same
order, so a line keeps its hue when the theme changes. Every colour has a contrast of at
least 3:1 with its plot's background (WCAG's figure for lines and marks), and any two of a
variant are at least 20 apart in CIELAB (ΔE*76; 2.3 is the just-noticeable difference).

Past twelve lines the colours come round again with another dash pattern (solid, dashed,
dotted, dash-dot): 48 lines before a colour and a pattern repeat.
"""

from __future__ import annotations

import math

SERIES_ON_DARK = (
    "#56B4E9",  # sky blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#7B8CEB",  # blue (Okabe-Ito's #0072B2, lighter to read on a dark plot)
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#FF9DA7",  # pink
    "#B0855F",  # brown
    "#BAB0AC",  # grey
    "#76B7B2",  # teal
    "#9BC53D",  # green
)
SERIES_ON_LIGHT = (
    "#2F8AC4",
    "#C47A00",
    "#009E73",
    "#8A8A00",
    "#6A6FD8",
    "#D55E00",
    "#B0508C",
    "#E0507A",
    "#96653E",
    "#7E7A78",
    "#3E9A94",
    "#4E9A06",
)
DASHES = ("solid", "dash", "dot", "dash-dot")  # the pattern of each round of colours


def series_style(index: int, on_dark: bool = True) -> tuple[str, str]:
    """The colour and dash pattern of the chart's *index*-th line (0-based)."""
    colours = SERIES_ON_DARK if on_dark else SERIES_ON_LIGHT
    round_, place = divmod(index, len(colours))
    return colours[place], DASHES[round_ % len(DASHES)]


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.removeprefix("#")
    if len(text) != 6:
        raise ValueError(f"{colour!r} is not a #rrggbb colour")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour (0 black to 1 white)."""
    r, g, b = (_linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_dark(colour: str) -> bool:
    """Whether light text reads better than dark text on *colour*."""
    return contrast(colour, "#ffffff") > contrast(colour, "#000000")


def _lab(colour: str) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in _rgb(colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def distance(first: str, second: str) -> float:
    """How far apart two colours look: CIELAB ΔE*76."""
    return math.dist(_lab(first), _lab(second))
