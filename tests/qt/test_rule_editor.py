"""The alert rule editor in the window: the operator's edits -> the monitor and the saved
layout; a wrong setting -> the layout file's message under it, Save disabled; the preview
counted on known events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox

from dashboard.core.layouts.layoutfile import LayoutError, load, loads
from dashboard.sources.registry import KINDS
from dashboard.ui import rule_editor
from dashboard.ui.app import Dashboard
from dashboard.ui.keys import shortcuts
from dashboard.ui.rule_editor import RuleEditor
from tests.unit.factories import make_event

LAYOUT = """\
title = "Rules"

[[rules]]
name = "High CPU"
when = "type:metrics.update"
condition = "cpu > 90"
for = "30s"
severity = "critical"

[[rules]]
name = "Errors"
condition = "count(severity:error) > 5 per 1m"
"""


def open_editor(qtbot: Any, window: Any) -> RuleEditor:
    [action] = [a for a in window.findChildren(QAction) if a.text() == "Edit &rules…"]
    action.trigger()
    editor = window.findChild(RuleEditor)
    assert editor is not None
    qtbot.waitExposed(editor)
    return editor


def test_add_edit_duplicate_disable_delete_round_trip_through_the_saved_layout(
    qtbot: Any, settings: QSettings, tmp_path: Path
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(LAYOUT)
    dash = Dashboard([], settings=settings)
    qtbot.addWidget(dash.window)
    window = dash.window
    assert window.open_layout(path)
    assert ("Alerts", "Edit rules", "Ctrl+Shift+A") in {
        (s.where, s.what, s.keys) for s in shortcuts(window)
    }

    editor = open_editor(qtbot, window)
    assert [editor.list.item(i).text() for i in range(2)] == ["High CPU", "Errors"]
    assert editor.fields["condition"].text() == "cpu > 90"
    assert editor.fields["severity"].currentText() == "critical"

    editor.list.setCurrentRow(1)  # edit: Errors count 10 and up
    condition = editor.fields["condition"]
    condition.selectAll()
    qtbot.keyClicks(condition, "count(severity:error) >= 10 per 1m")
    qtbot.mouseClick(editor.duplicate_button, Qt.MouseButton.LeftButton)  # of Errors
    assert editor.index == 2 and editor.fields["name"].text() == "Errors (copy)"
    qtbot.mouseClick(editor.enabled_box, Qt.MouseButton.LeftButton)  # the copy: disabled
    assert editor.list.item(2).text() == "Errors (copy) (disabled)"
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert not editor.ok_button.isEnabled()  # a new rule has no condition yet
    qtbot.keyClicks(editor.fields["condition"], "latency_ms > 500")
    editor.fields["severity"].setCurrentText("error")
    assert editor.ok_button.isEnabled()
    editor.list.setCurrentRow(0)
    qtbot.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)  # High CPU
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)

    expected = [
        {"name": "Errors", "condition": "count(severity:error) >= 10 per 1m"},
        {"name": "Errors (copy)", "condition": "count(severity:error) >= 10 per 1m",
         "enabled": False},
        {"name": "New rule", "condition": "latency_ms > 500", "severity": "error"},
    ]  # fmt: skip
    assert load(path, KINDS).rules == expected  # saved into the layout file
    assert window.monitor.rule_settings == expected
    assert list(window.monitor.rules) == ["Errors", "New rule"]  # the disabled one unwatched
    assert "enabled = false" in path.read_text()

    editor = open_editor(qtbot, window)  # the saved rules come back as they were
    assert [editor.list.item(i).text() for i in range(3)] == [
        "Errors",
        "Errors (copy) (disabled)",
        "New rule",
    ]
    editor.list.setCurrentRow(1)
    assert not editor.enabled_box.isChecked()
    editor.reject()


@pytest.mark.parametrize(
    ("key", "typed"),
    [("condition", "cpu >"), ("for", "soon"), ("when", "type:(x"), ("name", "Errors")],
)
def test_a_wrong_setting_shows_the_layout_files_message_under_it_and_save_is_disabled(
    qtbot: Any, key: str, typed: str
) -> None:
    tables = loads(LAYOUT).rules
    editor = RuleEditor(tables, list, lambda: 0.0)
    qtbot.addWidget(editor)
    field = editor.fields[key]
    field.selectAll()
    qtbot.keyClicks(field, typed)
    with pytest.raises(LayoutError) as caught:
        loads(LAYOUT.replace(f'{key} = "{tables[0].get(key, "")}"', f'{key} = "{typed}"', 1))
    shown = editor.errors[key].text()
    assert shown and str(caught.value).endswith(f": {shown}")
    assert editor.errors[key].isVisibleTo(editor)
    assert [k for k, label in editor.errors.items() if label.text()] == [key]
    assert not editor.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert editor.list.item(0).text().startswith("⚠ ")
    assert editor.preview_label.text() == "Fix the rule to see how often it would have fired."
    field.selectAll()
    qtbot.keyClicks(field, str(tables[0][key]))
    assert not editor.errors[key].text() and editor.ok_button.isEnabled()


def test_the_preview_counts_the_held_events(qtbot: Any) -> None:
    now = 1_795_430_000.0
    events = [
        make_event("metrics.update", {"cpu": cpu}, source=source, time=now - ago)
        for cpu, ago, source in (
            (99, 700, "web-1"),  # before the last 10 minutes
            (95, 500, "web-1"),  # fires (1)
            (50, 490, "web-1"),
            (97, 480, "web-1"),  # fires (2)
            (99, 470, "web-2"),  # fires (3)
            (99, 400, "web-2"),
        )
    ]
    rule = {"name": "High CPU", "when": "type:metrics.update", "condition": "cpu > 90"}
    editor = RuleEditor([rule], lambda: events, lambda: now, preview_delay_ms=0)
    qtbot.addWidget(editor)
    assert editor.preview_label.text() == (
        "Would have fired 3 times in the last 10 minutes (2 keys), over 5 events held."
    )
    field = editor.fields["condition"]
    field.selectAll()
    qtbot.keyClicks(field, "cpu > 98")  # (half typed, "cpu >" cannot run)
    once = "Would have fired once in the last 10 minutes, over 5 events held."
    qtbot.waitUntil(lambda: editor.preview_label.text() == once, timeout=5_000)


def test_the_alerts_panels_rules_button_opens_the_editor(
    qtbot: Any, settings: QSettings, monkeypatch: Any
) -> None:
    dash = Dashboard([], settings=settings)
    qtbot.addWidget(dash.window)
    opened: list[Any] = []
    monkeypatch.setattr(rule_editor, "edit_rules", opened.append)
    qtbot.mouseClick(dash.window.alerts.rules_button, Qt.MouseButton.LeftButton)
    assert opened == [dash.window]
