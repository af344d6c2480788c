"""A transport's own options as form rows, built from its declared schema (the way
Lichtblick's data-source factories declare ``formConfig``): the connection dialog shows the
rows of the kind that reads the URL typed, and hides the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from dashboard.core.lang.duration import format_duration
from dashboard.core.transport.sourcekind import Option, SourceKind, SourceKinds


class OptionFields:
    """One widget per option name of *kinds*, added to *form*. ``widgets`` maps the option
    name to its widget (a QLineEdit, QCheckBox, QComboBox, or for a list option a
    QPlainTextEdit holding one item per line)."""

    def __init__(self, kinds: SourceKinds, form: QFormLayout, changed: Callable[[], None]) -> None:
        self.kinds = kinds
        self.form = form
        self.options: dict[str, Option] = {}
        self.widgets: dict[str, QWidget] = {}
        for name in kinds.option_names():
            declared = kinds.declaring(name)
            option = declared[0][1]
            titles = " and ".join(k.title for k, _ in declared)
            widget = self._widget(option, changed)
            widget.setToolTip(f"{option.description} ({titles} only)".strip())
            self.options[name] = option
            self.widgets[name] = widget
            form.addRow("" if option.type is bool else option.title, widget)

    @staticmethod
    def _widget(option: Option, changed: Callable[[], None]) -> QWidget:
        if option.type is bool:
            box = QCheckBox(option.title)
            box.setChecked(bool(option.default))
            box.toggled.connect(changed)
            return box
        if option.type is list:
            box = QPlainTextEdit()
            box.setPlaceholderText(option.placeholder)
            box.setTabChangesFocus(True)
            box.setFixedHeight(box.fontMetrics().lineSpacing() * 4 + 12)
            box.textChanged.connect(changed)
            return box
        if option.choices:
            combo = QComboBox()
            combo.addItems(list(option.choices))
            if option.default is not None:
                combo.setCurrentText(str(option.default))
            combo.currentTextChanged.connect(changed)
            return combo
        line = QLineEdit()
        if option.secret:
            line.setEchoMode(QLineEdit.EchoMode.Password)
        line.setPlaceholderText(option.placeholder or _text_of(option, option.default))
        line.textChanged.connect(changed)
        return line

    def kind(self, url: str) -> SourceKind | None:
        try:
            return self.kinds.for_url(url)
        except ValueError:
            return None

    def show_for(self, url: str) -> None:
        """Only the rows of the options the URL's kind takes are shown."""
        kind = self.kind(url)
        for name, widget in self.widgets.items():
            shown = kind is not None and kind.option(name) is not None
            shown = shown and self._wanted(self.options[name])
            widget.setVisible(shown)
            label = self.form.labelForField(widget)
            if label is not None:
                label.setVisible(shown)

    def _wanted(self, option: Option) -> bool:
        """Whether the option counts: it has no ``shown_with``, or the other option holds
        the value it names."""
        if not option.shown_with:
            return True
        other, wanted = option.shown_with
        return self._text(other) == wanted

    def _text(self, name: str) -> str:
        widget = self.widgets.get(name)
        if isinstance(widget, QComboBox):
            return widget.currentText()
        return widget.text() if isinstance(widget, QLineEdit) else ""

    def load(self, options: dict[str, Any]) -> None:
        for name, value in options.items():
            widget = self.widgets.get(name)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentText(str(value))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText("\n".join(value or ()))
            elif isinstance(widget, QLineEdit):
                widget.setText(_text_of(self.options[name], value))

    def values(self, url: str) -> dict[str, Any]:
        """The options the URL's kind takes, as typed (ValueError naming the first one that
        is wrong); those left empty or at their default are left out."""
        kind = self.kind(url)
        if kind is None:
            return {}
        found: dict[str, Any] = {}
        for option in kind.options:
            if not self._wanted(option):  # a row hidden with its preset: not kept
                continue
            widget = self.widgets[option.name]
            if isinstance(widget, QCheckBox):
                value = option.parse(widget.isChecked())
            elif isinstance(widget, QComboBox):
                value = option.from_text(widget.currentText())
            elif isinstance(widget, QPlainTextEdit):
                value = option.from_text(widget.toPlainText())
            else:
                assert isinstance(widget, QLineEdit)
                value = option.from_text(widget.text()) if widget.text().strip() else None
            if value is not None and value != option.default:
                found[option.name] = value
        return kind.checked(found)

    def problem(self, url: str) -> str | None:
        try:
            self.values(url)
        except ValueError as exc:
            name = str(exc).partition(":")[0]
            key, _, number = name.partition(" ")  # "send 3": a list's third item
            option = self.options.get(key)
            if option is None:
                return str(exc)
            where = f", line {number}" if number else ""
            return f"{option.title}{where}{str(exc)[len(name) :]}"
        return None


def _text_of(option: Option, value: Any) -> str:
    """*value* as its field shows it: a duration as the grammar writes it (``20s``)."""
    if value is None:
        return ""
    if option.duration is not None and isinstance(value, int | float):
        return format_duration(value)
    return str(value)
