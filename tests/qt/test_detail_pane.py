"""The event detail pane: what it shows, what it copies, and what its menus ask for."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication, QMenu

from dashboard.core.events.event import Event, Severity
from dashboard.ui.panels.detail import EXISTS, HINT, EventDetailPane
from dashboard.ui.theme import SEVERITY_COLOURS, current
from tests.unit.factories import SAMPLE_PAYLOAD, make_event

PAYLOAD = SAMPLE_PAYLOAD

JSON_TEXT = """{
  "host": "web-1",
  "cpu": 93.5,
  "disk": [
    {
      "mount": "/",
      "used": 0.71
    }
  ],
  "tags": {
    "env": "prod"
  },
  "ok": true,
  "note": null
}"""

EVENT_TIME = 1_700_000_000.25


def cpu_event(**changes: Any) -> Event:
    event = make_event(
        "metrics.cpu",
        PAYLOAD,
        source="web-1",
        time=EVENT_TIME,
        severity=Severity.WARNING,
        connection="demo",
    )
    event.id = "evt-42"
    event.seq = 7
    event.received = EVENT_TIME + 0.5
    for name, value in changes.items():
        setattr(event, name, value)
    return event


@pytest.fixture
def pane(qtbot: Any) -> EventDetailPane:
    pane = EventDetailPane()
    qtbot.addWidget(pane)
    pane.resize(600, 400)
    return pane


def action_texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def trigger(menu: QMenu, text: str) -> None:
    (action,) = [a for a in menu.actions() if a.text() == text]
    action.trigger()


def line_number(pane: EventDetailPane, text: str) -> int:
    return pane.json_view.toPlainText().split("\n").index(text)


def test_starts_empty_with_a_hint(pane: EventDetailPane) -> None:
    assert pane.hint.text() == HINT
    assert pane.hint.isVisibleTo(pane) and not pane.tabs.isVisibleTo(pane)
    assert pane.json_view.toPlainText() == ""


def test_shows_the_event_whole(pane: EventDetailPane) -> None:
    pane.show_event(cpu_event())
    assert not pane.hint.isVisibleTo(pane) and pane.tabs.isVisibleTo(pane)
    assert [pane.tabs.tabText(i) for i in range(pane.tabs.count())] == ["JSON", "Raw"]
    assert pane.json_view.toPlainText() == JSON_TEXT
    assert pane.json_view.isReadOnly() and pane.raw_view.isReadOnly()
    raw = orjson.dumps(PAYLOAD)
    assert pane.raw_view.toPlainText() == raw.decode()
    assert pane.raw_size.text() == f"{len(raw)} bytes"


def test_header_shows_the_envelope_as_plain_text(pane: EventDetailPane) -> None:
    pane.show_event(cpu_event())
    local = time.localtime(EVENT_TIME)
    assert pane.time_label.text() == time.strftime("%H:%M:%S", local) + ".250"
    labels = (pane.type_label, pane.source_label, pane.severity_label, pane.connection_label)
    assert [label.text() for label in labels] == ["metrics.cpu", "web-1", "warning", "demo"]
    assert pane.id_label.text() == "evt-42"
    for label in (pane.time_label, pane.severity_label, *labels, pane.id_label):
        assert label.textFormat() == Qt.TextFormat.PlainText
    pane.severity_label.ensurePolished()
    colour = pane.severity_label.palette().color(QPalette.ColorRole.WindowText)
    assert colour == QColor(SEVERITY_COLOURS[Severity.WARNING])


def test_hostile_text_is_shown_literally(pane: EventDetailPane) -> None:
    event = cpu_event(
        type="<b>x</b>", source="<img src=y>", data={"html": "<i>hi</i>", "rlo": "\u202eab"}
    )
    pane.show_event(event)
    assert pane.type_label.text() == "<b>x</b>"
    assert pane.source_label.text() == "<img src=y>"
    assert pane.json_view.toPlainText().split("\n")[1:3] == [
        '  "html": "<i>hi</i>",',
        '  "rlo": "\\u202eab"',
    ]


def test_raw_tab_escapes_invalid_utf8_and_says_so(pane: EventDetailPane) -> None:
    pane.show_event(cpu_event(data="caf\ufffd?", raw=b"caf\xe9\x07?"))
    assert pane.json_view.toPlainText() == '"caf\ufffd?"'
    assert pane.raw_view.toPlainText() == "caf\\xe9\\x07?"
    assert pane.raw_size.text() == (
        "6 bytes; not valid UTF-8 from byte 3 (shown as \\xNN here; the event reads each "
        "invalid sequence as U+FFFD, as browsers do)"
    )


def test_a_repaired_event_is_marked_so(pane: EventDetailPane) -> None:
    from dashboard.core.events.decode import Decoder

    event = Decoder("demo").decode(b'{"type": "t", "who": "caf\xe9"}', received=EVENT_TIME)
    assert isinstance(event, Event)
    pane.show_event(event)
    assert pane.repaired_label.isVisibleTo(pane)
    assert pane.repaired_label.text() == "repaired"
    assert "U+FFFD" in pane.repaired_label.toolTip()
    assert '"who": "caf\ufffd"' in pane.json_view.toPlainText()
    pane.show_event(cpu_event())
    assert not pane.repaired_label.isVisibleTo(pane)


def test_none_clears_back_to_the_hint(pane: EventDetailPane) -> None:
    pane.show_event(cpu_event())
    pane.show_event(None)
    assert pane.hint.isVisibleTo(pane) and not pane.tabs.isVisibleTo(pane)
    assert pane.json_view.toPlainText() == "" and pane.raw_view.toPlainText() == ""
    assert pane.lines == [] and pane.shown_event is None


def test_json_view_is_coloured_by_token(pane: EventDetailPane) -> None:
    pane.show_event(cpu_event(data={"😀": "v", "n": 1}))
    document = pane.json_view.document()

    def colours(block_number: int) -> list[tuple[int, int, str]]:
        block = document.findBlockByNumber(block_number)
        ranges = block.layout().formats()
        return [(r.start, r.length, _colour(r.format)) for r in ranges]

    # The emoji takes two UTF-16 units: the spans after it shift by one in Qt's counting.
    assert colours(1) == [
        (2, 4, current().tokens["key"]),
        (6, 1, current().tokens["punctuation"]),
        (8, 3, current().tokens["string"]),
        (11, 1, current().tokens["punctuation"]),
    ]
    assert colours(2)[2] == (7, 1, current().tokens["number"])


def _colour(text_format: QTextCharFormat) -> str:
    return text_format.foreground().color().name()


def _clipboard_event() -> dict[str, Any]:
    return orjson.loads(QApplication.clipboard().text())


EXPECTED_COPY = {
    "seq": 7,
    "received": EVENT_TIME + 0.5,
    "connection": "demo",
    "id": "evt-42",
    "type": "metrics.cpu",
    "time": EVENT_TIME,
    "source": "web-1",
    "severity": "warning",
    "data": PAYLOAD,
}


def test_copy_button_puts_the_whole_event_on_the_clipboard(
    pane: EventDetailPane, qtbot: Any
) -> None:
    QApplication.clipboard().setText("before")
    pane.show_event(cpu_event())
    qtbot.mouseClick(pane.copy_button, Qt.MouseButton.LeftButton)
    text = QApplication.clipboard().text()
    assert _clipboard_event() == EXPECTED_COPY
    assert list(_clipboard_event()) == list(EXPECTED_COPY)
    assert text.startswith('{\n  "seq": 7,\n')  # indented, two spaces


def test_ctrl_c_copies_the_event_only_without_a_selection(
    pane: EventDetailPane, qtbot: Any
) -> None:
    pane.show_event(cpu_event())
    QApplication.clipboard().setText("before")
    qtbot.keyClick(pane.json_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert _clipboard_event() == EXPECTED_COPY

    cursor = pane.json_view.textCursor()
    cursor.setPosition(JSON_TEXT.index("web-1"))
    cursor.setPosition(JSON_TEXT.index("web-1") + 5, cursor.MoveMode.KeepAnchor)
    pane.json_view.setTextCursor(cursor)
    qtbot.keyClick(pane.json_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "web-1"


def test_copy_with_no_event_leaves_the_clipboard_alone(pane: EventDetailPane) -> None:
    QApplication.clipboard().setText("before")
    pane.copy_event()
    assert QApplication.clipboard().text() == "before"


def test_menu_on_a_scalar_line_offers_filters_and_a_column(
    pane: EventDetailPane, qtbot: Any
) -> None:
    pane.show_event(cpu_event())
    menu = pane.menu_for_line(line_number(pane, '      "used": 0.71'))
    assert action_texts(menu) == [
        "Filter on data.disk.0.used = 0.71",
        "Exclude data.disk.0.used = 0.71",
        "Filter on data.disk.0.used exists",
        "Add data.disk.0.used as a log column",
    ]
    with qtbot.waitSignal(pane.filter_requested, timeout=1000) as blocker:
        trigger(menu, "Filter on data.disk.0.used = 0.71")
    assert blocker.args == ["data.disk.0.used", 0.71, False]
    with qtbot.waitSignal(pane.filter_requested, timeout=1000) as blocker:
        trigger(menu, "Exclude data.disk.0.used = 0.71")
    assert blocker.args == ["data.disk.0.used", 0.71, True]
    with qtbot.waitSignal(pane.filter_requested, timeout=1000) as blocker:
        trigger(menu, "Filter on data.disk.0.used exists")
    assert blocker.args[0] == "data.disk.0.used" and blocker.args[1] is EXISTS
    assert blocker.args[2] is False
    with qtbot.waitSignal(pane.column_requested, timeout=1000) as blocker:
        trigger(menu, "Add data.disk.0.used as a log column")
    assert blocker.args == ["data.disk.0.used"]


@pytest.mark.parametrize(
    ("line", "text", "value"),
    [
        ('  "host": "web-1",', 'Filter on data.host = "web-1"', "web-1"),
        ('  "ok": true,', "Filter on data.ok = true", True),
        ('  "note": null', "Filter on data.note = null", None),
    ],
)
def test_filter_carries_the_real_value(
    pane: EventDetailPane, qtbot: Any, line: str, text: str, value: Any
) -> None:
    pane.show_event(cpu_event())
    menu = pane.menu_for_line(line_number(pane, line))
    with qtbot.waitSignal(pane.filter_requested, timeout=1000) as blocker:
        trigger(menu, text)
    path = text.split()[2]
    assert blocker.args == [path, value, False]
    assert type(blocker.args[1]) is type(value)


def test_menu_on_a_container_line_offers_exists_and_column_only(
    pane: EventDetailPane, qtbot: Any
) -> None:
    pane.show_event(cpu_event())
    menu = pane.menu_for_line(line_number(pane, '  "tags": {'))
    assert action_texts(menu) == ["Filter on data.tags exists", "Add data.tags as a log column"]
    with qtbot.waitSignal(pane.column_requested, timeout=1000) as blocker:
        trigger(menu, "Add data.tags as a log column")
    assert blocker.args == ["data.tags"]


def test_no_field_actions_on_brackets_or_the_whole_payload(pane: EventDetailPane) -> None:
    pane.show_event(cpu_event())
    assert action_texts(pane.menu_for_line(0)) == []  # the opening brace: the whole payload
    assert action_texts(pane.menu_for_line(line_number(pane, "  ],"))) == []
    assert action_texts(pane.menu_for_line(99)) == []


def test_menu_text_is_safe_for_hostile_values(pane: EventDetailPane, qtbot: Any) -> None:
    value = "a&b\nc" + "z" * 100
    pane.show_event(cpu_event(data={"k": value}))
    menu = pane.menu_for_line(1)
    first = action_texts(menu)[0]
    assert first.startswith('Filter on data.k = "a&&b\\nc') and first.endswith("…")
    assert len(first) < 100
    with qtbot.waitSignal(pane.filter_requested, timeout=1000) as blocker:
        menu.actions()[0].trigger()
    assert blocker.args == ["data.k", value, False]


def test_a_scalar_payload_can_be_filtered_on(pane: EventDetailPane, qtbot: Any) -> None:
    pane.show_event(cpu_event(data="disk full"))
    menu = pane.menu_for_line(0)
    with qtbot.waitSignal(pane.filter_requested, timeout=1000) as blocker:
        trigger(menu, 'Filter on data = "disk full"')
    assert blocker.args == ["data", "disk full", False]


def test_header_menu_filters_on_the_envelope(pane: EventDetailPane, qtbot: Any) -> None:
    pane.show_event(cpu_event())
    menu = pane.header_menu()
    assert action_texts(menu) == [
        'Filter on type = "metrics.cpu"',
        'Filter on source = "web-1"',
        'Filter on severity = "warning"',
        'Exclude type = "metrics.cpu"',
        'Exclude source = "web-1"',
        'Exclude severity = "warning"',
    ]
    with qtbot.waitSignal(pane.filter_requested, timeout=1000) as blocker:
        trigger(menu, 'Filter on severity = "warning"')
    assert blocker.args == ["severity", "warning", False]
    with qtbot.waitSignal(pane.filter_requested, timeout=1000) as blocker:
        trigger(menu, 'Exclude source = "web-1"')
    assert blocker.args == ["source", "web-1", True]
    pane.show_event(None)
    assert action_texts(pane.header_menu()) == []


def test_a_cloudevent_s_other_attributes_are_shown(pane: EventDetailPane) -> None:
    from dashboard.core.events.decode import Decoder

    raw = (
        b'{"specversion": "1.0", "id": "pay-1", "type": "payment.processed", "source": "pay",'
        b' "subject": "order/17", "traceparent": "00-abc-01", "data": {"amount": 5}}'
    )
    event = Decoder("demo").decode(raw, received=EVENT_TIME)
    assert isinstance(event, Event)
    pane.show_event(event)
    assert pane.attributes_label.isVisibleTo(pane)
    assert pane.attributes_label.text() == 'subject="order/17" · traceparent="00-abc-01"'
    assert '"attributes": {' in event_json_text(pane)
    pane.show_event(cpu_event())
    assert not pane.attributes_label.isVisibleTo(pane)
    assert not pane.attributes_caption.isVisibleTo(pane)


def event_json_text(pane: EventDetailPane) -> str:
    from dashboard.ui.panels.detail import event_json

    assert pane.shown_event is not None
    return event_json(pane.shown_event)
