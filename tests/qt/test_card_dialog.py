"""The card dialog: every setting of a card, OK only once they make one."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialogButtonBox

from dashboard.core.panels.cardformat import Thresholds
from dashboard.core.panels.cards import CardSpec
from dashboard.ui.card_dialog import CardDialog


def ok_enabled(dialog: CardDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_the_form_makes_the_card_it_says(qtbot: Any) -> None:
    spec = CardSpec("CPU", "metrics.update", "cpu", show="mean", unit="%", decimals=1)
    dialog = CardDialog(spec)
    qtbot.addWidget(dialog)
    assert ok_enabled(dialog) and dialog.spec() == spec  # unchanged, the same card
    dialog.show_box.setCurrentIndex(dialog.show_box.findData("max"))
    dialog.window.setText("5m")
    dialog.warning.setText("70")
    dialog.critical.setText("90")
    dialog.stale.setText("never")
    dialog.query.setText("source:web-*")
    made = dialog.spec()
    assert (made.show, made.window, made.query, made.stale_after) == (
        "max",
        300.0,
        "source:web-*",
        None,
    )
    assert made.thresholds == Thresholds(warning=70.0, critical=90.0)
    assert (made.field, made.type, made.unit, made.decimals) == ("cpu", "metrics.update", "%", 1)


def test_mistakes_keep_ok_disabled_and_say_which_setting(qtbot: Any) -> None:
    dialog = CardDialog(CardSpec("Mem", "metrics.update", "memory", unit="MB"))
    qtbot.addWidget(dialog)
    for box, text, message in (
        (dialog.warning, "high", "Warning at: 'high' is not a number"),
        (dialog.window, "soon", "Window: expected a duration like 30s, 5m or 1h, not 'soon'"),
        (dialog.query, "amount>", "Only events matching: "),
        (dialog.title, " ", "Title: give the card a title"),
    ):
        before = box.text()
        box.setText(text)
        assert not ok_enabled(dialog) and dialog.error.text().startswith(message)
        box.setText(before)
        assert ok_enabled(dialog) and dialog.error.text() == ""
    dialog.style_box.setCurrentIndex(dialog.style_box.findData("duration"))  # of "MB"?
    assert not ok_enabled(dialog) and "MB" in dialog.error.text()


def test_an_untouched_setting_comes_back_exactly(qtbot: Any) -> None:
    spec = CardSpec(
        "Free disk", "metrics.update", "disk_free", unit="B", style="bytes",
        thresholds=Thresholds(warning=2_147_483_648, critical=1_073_741_824.5, below=True),
        window=1_234_567.0, stale_after=0.125,
    )  # fmt: skip
    dialog = CardDialog(spec)
    qtbot.addWidget(dialog)
    assert dialog.warning.text() == "2147483648" and dialog.window.text() == "14d6h56m7s"
    assert ok_enabled(dialog) and dialog.spec() == spec  # lower stays worse; no digit lost
    dialog.title.setText("Disk")
    assert dialog.spec().thresholds.below is True


def test_a_reason_quoting_what_was_typed_shows_it_as_typed(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    dialog = CardDialog(CardSpec("Mem", "metrics.update", "memory"))
    qtbot.addWidget(dialog)
    dialog.warning.setText("<b>high</b>")
    assert dialog.error.text() == "Warning at: '<b>high</b>' is not a number"
    assert dialog.error.textFormat() == Qt.TextFormat.PlainText  # not rendered as markup


def test_what_the_dialog_takes_a_layout_file_loads_again(qtbot: Any) -> None:
    from dashboard.core.layouts.layoutfile import Layout, dumps, loads

    dialog = CardDialog(CardSpec("Mem", "metrics.update", "memory"))
    qtbot.addWidget(dialog)
    for box, text, message in (
        (dialog.window, "50ms", "Window: '50ms' is out of range (100ms to 365d)"),
        (dialog.window, "400d", "Window: '400d' is out of range (100ms to 365d)"),
        (dialog.stale, "0", "Stale after: '0' is out of range (100ms to 365d)"),
    ):
        before = box.text()
        box.setText(text)
        assert not ok_enabled(dialog) and dialog.error.text() == message
        box.setText(before)
    dialog.window.setText("365d")
    dialog.stale.setText("100ms")
    assert ok_enabled(dialog)
    card = dialog.spec()
    assert loads(dumps(Layout(cards=[card]))).cards == [card]
