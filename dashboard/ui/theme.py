"""Colours and fonts shared by the panels: a dark and a light theme, or the system's choice.

The theme is the application's: :func:`apply` sets the Qt palette and remembers the theme
on the QApplication, and every widget that draws colours of its own reads
:func:`current` and is restyled by :func:`apply` (see :class:`Themed`).
The tables ``SEVERITY_COLOURS``, ``LEVEL_COLOURS`` and ``STATE_COLOURS`` are the current
theme's, updated in place by :func:`apply`; the plain constants (``PANEL``, ``MUTED``...)
are the dark theme's, for code that has not moved to :func:`current` yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from dashboard.core.events.event import Severity
from dashboard.core.panels.palette import SERIES_ON_DARK, SERIES_ON_LIGHT, series_style

CHOICES = (
    ("dark", "&Dark"),
    ("light", "&Light"),
    ("system", "Follow the &system"),
)
SETTING = "view/theme"
_THEME_PROPERTY = "dashboardTheme"  # on the QApplication: the theme in use
_CHOICE_PROPERTY = "dashboardThemeChoice"  # ... and what was chosen (system follows)
# Emoji are drawn with the first of these installed (Linux: Debian's fonts-noto-color-emoji).
EMOJI_FAMILIES = ("Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", "Twemoji")


@dataclass(frozen=True)
class Theme:
    """One theme's colours (``#rrggbb``)."""

    name: str
    background: str
    panel: str
    alternate: str
    border: str
    text: str
    muted: str
    accent: str
    highlight: str
    highlighted_text: str
    severity: Mapping[Severity, str]
    level: Mapping[str, str]
    state: Mapping[str, str]
    tokens: Mapping[str, str]  # JSON syntax: key, string, number, literal, punctuation, note
    series: tuple[str, ...]

    @property
    def dark(self) -> bool:
        return self.name == "dark"

    def series_style(self, index: int) -> tuple[str, str]:
        """The colour and dash pattern of a chart's *index*-th line."""
        return series_style(index, on_dark=self.dark)

    def level_colour(self, level: str) -> str:
        """The colour of a card level, or the #rrggbb a value mapping named; text otherwise."""
        return self.level.get(level, level if level.startswith("#") else self.text)


DARK = Theme(
    name="dark",
    background="#1e2127",
    panel="#262a31",
    alternate="#2b3038",
    border="#3a3f4b",
    text="#d7dae0",
    muted="#8b93a1",
    accent="#4fa3e3",
    highlight="#2f5d8a",
    highlighted_text="#ffffff",
    severity={
        Severity.DEBUG: "#7f8896",
        Severity.INFO: "#9fc6e8",
        Severity.NOTICE: "#7fd1b9",
        Severity.WARNING: "#f0b429",
        Severity.ERROR: "#ff7b54",
        Severity.CRITICAL: "#ff4d6d",
    },
    level={"ok": "#5fd38d", "warning": "#f0b429", "critical": "#ff4d6d", "muted": "#8b93a1"},
    state={
        "connecting": "#f0b429",
        "live": "#5fd38d",
        "reconnecting": "#f0b429",
        "stopped": "#ff4d6d",
        "finished": "#8b93a1",  # a finite stream that ended as it should: neither live nor wrong
    },
    tokens={
        "key": "#4fa3e3",
        "string": "#a3be8c",
        "number": "#d19a66",
        "literal": "#c792ea",
        "punctuation": "#8b93a1",
        "note": "#8b93a1",
    },
    series=SERIES_ON_DARK,
)
# Light: the same roles, each at least 4.5:1 on its background where it is text.
LIGHT = Theme(
    name="light",
    background="#f3f4f6",
    panel="#ffffff",
    alternate="#f1f3f6",
    border="#c9ced6",
    text="#1f2328",
    muted="#5c6470",
    accent="#1d6fb8",
    highlight="#b9d6f2",
    highlighted_text="#0b1f33",
    severity={
        Severity.DEBUG: "#6a717d",
        Severity.INFO: "#1d5f9c",
        Severity.NOTICE: "#0f7a5c",
        Severity.WARNING: "#9a6200",
        Severity.ERROR: "#c0430f",
        Severity.CRITICAL: "#c0122f",
    },
    level={"ok": "#1a7f45", "warning": "#9a6200", "critical": "#c0122f", "muted": "#5c6470"},
    state={
        "connecting": "#9a6200",
        "live": "#1a7f45",
        "reconnecting": "#9a6200",
        "stopped": "#c0122f",
        "finished": "#5c6470",
    },
    tokens={
        "key": "#1d5f9c",
        "string": "#2f7a1f",
        "number": "#a4520b",
        "literal": "#8a3fb5",
        "punctuation": "#5c6470",
        "note": "#5c6470",
    },
    series=SERIES_ON_LIGHT,
)
THEMES = {theme.name: theme for theme in (DARK, LIGHT)}

# The dark theme's colours as constants (modules not yet reading current()).
BACKGROUND = DARK.background
PANEL = DARK.panel
BORDER = DARK.border
TEXT = DARK.text
MUTED = DARK.muted
ACCENT = DARK.accent
SERIES_COLOURS = DARK.series
# The current theme's tables: apply() updates them in place.
SEVERITY_COLOURS: dict[Severity, str] = dict(DARK.severity)
LEVEL_COLOURS: dict[str, str] = dict(DARK.level)
STATE_COLOURS: dict[str, str] = dict(DARK.state)


def current() -> Theme:
    """The theme in use (dark before :func:`apply`, or with no application)."""
    app = QApplication.instance()
    name = app.property(_THEME_PROPERTY) if app is not None else None
    return THEMES.get(str(name), DARK)


def current_choice() -> str:
    """What was chosen: ``dark``, ``light`` or ``system``."""
    app = QApplication.instance()
    choice = app.property(_CHOICE_PROPERTY) if app is not None else None
    return str(choice) if choice in {c for c, _ in CHOICES} else current().name


def resolve(choice: str) -> Theme:
    """The theme a choice means; ``system`` is the platform's colour scheme (dark when the
    platform does not say, as under Xvfb)."""
    if choice == "system":
        return LIGHT if system_scheme() == Qt.ColorScheme.Light else DARK
    try:
        return THEMES[choice]
    except KeyError:
        raise ValueError(f"theme: {choice!r} is not one of dark, light, system") from None


def system_scheme() -> Qt.ColorScheme:
    """The platform's colour scheme (Unknown where it does not say)."""
    return QGuiApplication.styleHints().colorScheme()


def remembered(settings: QSettings) -> str:
    """The theme chosen last in the View menu (dark if none, or not one we know)."""
    choice = str(settings.value(SETTING, "dark"))
    return choice if choice in {c for c, _ in CHOICES} else "dark"


def level_colour(level: str) -> str:
    """The colour of a card level, or the #rrggbb a value mapping named; text otherwise."""
    return current().level_colour(level)


def severity_colour(severity: Severity) -> QColor:
    theme = current()
    return QColor(theme.severity.get(severity, theme.text))


def monospace_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def use_emoji_fonts() -> list[str]:
    """Draw emoji with a colour emoji font where one is installed (else they show as
    boxes in fonts without them); answers the families in use."""
    installed = set(QFontDatabase.families())
    families = [family for family in EMOJI_FAMILIES if family in installed]
    if families:
        QFontDatabase.setApplicationEmojiFontFamilies(families)
    return families


def apply(app: QApplication, choice: str = "dark") -> Theme:
    """Fusion style with the chosen theme's palette, so every platform looks the same;
    with ``system``, follow the platform's colour scheme as it changes."""
    theme = resolve(choice)
    app.setStyle("Fusion")
    use_emoji_fonts()
    previous_choice = app.property(_CHOICE_PROPERTY)
    app.setProperty(_CHOICE_PROPERTY, choice)
    app.setProperty(_THEME_PROPERTY, theme.name)
    if choice == "system" and previous_choice != "system":
        QGuiApplication.styleHints().colorSchemeChanged.connect(_follow_system)
    elif choice != "system" and previous_choice == "system":
        QGuiApplication.styleHints().colorSchemeChanged.disconnect(_follow_system)
    for table, colours in (
        (SEVERITY_COLOURS, theme.severity),
        (LEVEL_COLOURS, theme.level),
        (STATE_COLOURS, theme.state),
    ):
        table.update(colours)
    app.setPalette(palette(theme))
    for widget in app.allWidgets():
        if isinstance(widget, Themed) and widget._styled_with != theme.name:
            widget.styled()
    return theme


def _follow_system() -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.property(_CHOICE_PROPERTY) == "system":
        apply(app, "system")


def palette(theme: Theme) -> QPalette:
    colours = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.background,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.panel,
        QPalette.ColorRole.AlternateBase: theme.alternate,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.panel,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.ToolTipBase: theme.panel,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.Highlight: theme.highlight,
        QPalette.ColorRole.HighlightedText: theme.highlighted_text,
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
        QPalette.ColorRole.Mid: theme.border,
    }
    for role, colour in roles.items():
        colours.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        colours.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.muted))
    return colours


class Themed:
    """A mixin for a widget that draws colours of its own: :meth:`restyle` runs at the end
    of its constructor (call :meth:`styled`) and again whenever :func:`apply` changes the
    theme (Qt's own palette-change events come late, or not at all, to some widgets)."""

    _styled_with: str = ""

    def restyle(self) -> None:
        raise NotImplementedError

    def styled(self) -> None:
        """Restyle now with the current theme."""
        self._styled_with = current().name
        self.restyle()
