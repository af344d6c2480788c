"""Secondary text (a panel's title, counts, a note) in the theme's muted colour, kept in
step when the theme changes (see :class:`~dashboard.ui.theme.Themed`)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from dashboard.ui.theme import Themed, current


class SecondaryLabel(Themed, QLabel):
    """A label in the current theme's muted colour."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.styled()

    def restyle(self) -> None:
        self.setStyleSheet(f"color: {current().muted};")
