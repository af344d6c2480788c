"""The card dialog: what a card shows and how, thresholds and staleness included. OK stays
disabled, with the reason under the form, until the settings make a card."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from dashboard.core.lang.duration import SETTINGS, format_duration
from dashboard.core.lang.query import QueryError
from dashboard.core.panels.cards import MAX_DECIMALS, SHOW_CHOICES, STYLE_CHOICES, CardSpec
from dashboard.ui.form_dialog import FormDialog

AUTO = -1  # the decimals box's "as the value needs"


class CardDialog(FormDialog):
    """Edits a CardSpec; :meth:`spec` is the result once accepted."""

    def __init__(self, spec: CardSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit card: {spec.title}")
        self.setMinimumWidth(460)
        self.original = spec
        self._build_fields(spec)
        self.set_form(self._build_form(spec))
        self._connect_signals()
        self._validate()

    def _build_fields(self, spec: CardSpec) -> None:
        """One field per setting, holding *spec*'s."""
        self.title = QLineEdit(spec.title)
        self.show_box = QComboBox()
        for show, text in SHOW_CHOICES:
            self.show_box.addItem(text, show)
        self.show_box.setCurrentIndex(self.show_box.findData(spec.show))
        self.window = QLineEdit(format_duration(spec.window))
        self.window.setToolTip("For rate, count, average, lowest and highest: 30s, 5m, 1h…")
        self.query = QLineEdit(spec.query)
        self.query.setPlaceholderText("only the events matching this (the log's query language)")
        self.style_box = QComboBox()
        for style, text in STYLE_CHOICES:
            self.style_box.addItem(text, style)
        self.style_box.setCurrentIndex(self.style_box.findData(spec.style))
        self.unit = QLineEdit(spec.unit)
        self.decimals = QSpinBox()
        self.decimals.setRange(AUTO, MAX_DECIMALS)
        self.decimals.setSpecialValueText("as needed")
        self.decimals.setValue(AUTO if spec.decimals is None else spec.decimals)
        self.warning = QLineEdit(_number_text(spec.thresholds.warning))
        self.critical = QLineEdit(_number_text(spec.thresholds.critical))
        for box in (self.warning, self.critical):
            box.setPlaceholderText("none")
            box.setToolTip("A critical level below the warning one means lower is worse")
        self.stale = QLineEdit("never" if spec.stale_after is None else
                               format_duration(spec.stale_after))  # fmt: skip
        self.stale.setToolTip("Marked stale when nothing came for this long (or: never)")

    def _build_form(self, spec: CardSpec) -> QFormLayout:
        """The fields in rows, with what the card reads (not editable here) under its title."""
        form = QFormLayout()
        form.addRow("Title", self.title)
        reads = QLabel(f"{spec.field or 'the events'} of {spec.type or 'any type'}")
        reads.setTextFormat(Qt.TextFormat.PlainText)  # (a field path comes from the feed)
        form.addRow("Reads", reads)
        form.addRow("Shows", self.show_box)
        form.addRow("Window", self.window)
        form.addRow("Only events matching", self.query)
        form.addRow("Format", self.style_box)
        form.addRow("Unit", self.unit)
        form.addRow("Decimals", self.decimals)
        form.addRow("Warning at", self.warning)
        form.addRow("Critical at", self.critical)
        form.addRow("Stale after", self.stale)
        return form

    def _connect_signals(self) -> None:
        """Every edit validates the form again."""
        for line in (self.title, self.window, self.query, self.unit, self.warning,
                     self.critical, self.stale):  # fmt: skip
            line.textChanged.connect(self._validate)
        for box in (self.show_box, self.style_box):
            box.currentIndexChanged.connect(self._validate)
        self.decimals.valueChanged.connect(self._validate)

    def spec(self) -> CardSpec:
        """The card as the form says; ValueError naming the setting that is wrong."""
        title = self.title.text().strip()
        if not title:
            raise ValueError("Title: give the card a title")
        stale_text = self.stale.text().strip().lower()
        try:
            thresholds = dataclasses.replace(  # "below" and the rest stay as they were
                self.original.thresholds,
                warning=_number(self.warning.text(), "Warning at"),
                critical=_number(self.critical.text(), "Critical at"),
            )
            return dataclasses.replace(
                self.original,
                title=title,
                show=self.show_box.currentData(),
                window=SETTINGS.read(self.window.text().strip() or "1m", "Window"),
                query=self.query.text().strip(),
                style=self.style_box.currentData(),
                unit=self.unit.text().strip(),
                decimals=None if self.decimals.value() == AUTO else self.decimals.value(),
                thresholds=thresholds,
                stale_after=None
                if stale_text in ("", "never")
                else SETTINGS.read(stale_text, "Stale after"),
            )
        except QueryError as exc:
            raise ValueError(f"Only events matching: {exc}") from None

    def problem(self) -> str | None:
        try:
            self.spec()
        except ValueError as exc:
            return str(exc)
        return None


def _number(text: str, what: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a number") from None


def _number_text(value: float | None) -> str:
    """Exactly the number, without exponent or a trailing ``.0`` (not ``2.14748e+09``)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
