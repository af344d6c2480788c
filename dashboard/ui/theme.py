"""Colours and fonts shared by the panels (one dark theme, readable on any screen)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from dashboard.core.event import Severity

BACKGROUND = "#1e2127"
PANEL = "#262a31"
BORDER = "#3a3f4b"
TEXT = "#d7dae0"
MUTED = "#8b93a1"
ACCENT = "#4fa3e3"

SEVERITY_COLOURS: dict[Severity, str] = {
    Severity.DEBUG: "#7f8896",
    Severity.INFO: "#9fc6e8",
    Severity.NOTICE: "#7fd1b9",
    Severity.WARNING: "#f0b429",
    Severity.ERROR: "#ff7b54",
    Severity.CRITICAL: "#ff4d6d",
}

LEVEL_COLOURS = {  # a card's level: its thresholds or a value mapping's colour
    "ok": "#5fd38d",
    "warning": "#f0b429",
    "critical": "#ff4d6d",
    "muted": MUTED,
}


def level_colour(level: str) -> str:
    """The colour of a card level, or the #rrggbb a value mapping named; TEXT otherwise."""
    return LEVEL_COLOURS.get(level, level if level.startswith("#") else TEXT)


SERIES_COLOURS = ("#4fa3e3", "#f0b429", "#7fd1b9", "#c792ea", "#ff7b54", "#a3be8c", "#ff4d6d")

STATE_COLOURS = {
    "connecting": "#f0b429",
    "live": "#5fd38d",
    "reconnecting": "#f0b429",
    "stopped": "#ff4d6d",
    "finished": MUTED,  # a finite stream that ended as it should: neither live nor wrong
}


def severity_colour(severity: Severity) -> QColor:
    return QColor(SEVERITY_COLOURS.get(severity, TEXT))


def monospace_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def apply(app: QApplication) -> None:
    """Fusion style with a dark palette, so every platform looks the same."""
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: BACKGROUND,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: PANEL,
        QPalette.ColorRole.AlternateBase: "#2b3038",
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: PANEL,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.ToolTipBase: PANEL,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.Highlight: "#2f5d8a",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: MUTED,
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(MUTED))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(MUTED))
    app.setPalette(palette)
