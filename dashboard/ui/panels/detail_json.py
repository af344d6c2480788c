"""The detail pane's JSON colouring: keys, strings, numbers and literals in the theme's colours."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import (
    QColor,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

from dashboard.core.panels.prettyjson import Line
from dashboard.ui.theme import current


class JsonHighlighter(QSyntaxHighlighter):
    """Colours each line of the JSON view from the token spans of its :class:`Line`."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.lines: list[Line] = []
        self._formats: dict[str, QTextCharFormat] = {}
        self.set_colours(current().tokens)

    def set_colours(self, colours: Mapping[str, str]) -> None:
        """Colour the tokens with *colours* (a theme's), from now on."""
        for kind, colour in colours.items():
            text_format = QTextCharFormat()
            text_format.setForeground(QColor(colour))
            if kind == "note":
                text_format.setFontItalic(True)
            self._formats[kind] = text_format

    def highlightBlock(self, text: str) -> None:
        number = self.currentBlock().blockNumber()
        if not 0 <= number < len(self.lines):
            return
        line = self.lines[number]
        # Qt counts UTF-16 code units; Python counts characters (they differ past U+FFFF).
        wide = _utf16_length(line.text) != len(line.text)
        for token in line.tokens:
            start, length = token.start, token.length
            if wide:
                start = _utf16_length(line.text[:start])
                length = _utf16_length(line.text[token.start : token.start + length])
            self.setFormat(start, length, self._formats[token.kind])


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
