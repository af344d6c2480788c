"""The event detail pane: one selected event, whole, as pretty JSON and as its raw bytes."""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QTextOption,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QStackedLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.events.decode import event_attributes, is_repaired
from dashboard.core.events.event import Event
from dashboard.core.events.summary import one_line
from dashboard.core.panels.bidi import isolated, strip_isolates
from dashboard.core.panels.panelkind import PanelKind
from dashboard.core.panels.prettyjson import Line, pretty_lines, raw_text, scalar_text
from dashboard.core.storage.recordformat import event_record, to_json
from dashboard.ui.elided import ElidedLabel
from dashboard.ui.log_model import clock_text, full_time_text
from dashboard.ui.panels.detail_json import JsonHighlighter
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import Themed, current, level_colour, monospace_font, severity_colour


class _Exists:
    def __repr__(self) -> str:
        return "EXISTS"


EXISTS: Final = _Exists()
"""The value :attr:`EventDetailPane.filter_requested` carries for "the field exists"
(rather than "the field equals this value"; None cannot say that, it is JSON null)."""

HINT = "Select an event to see it whole"

_MENU_VALUE_LIMIT = 60


REPAIRED_TEXT = "repaired"
REPAIRED_TIP = (
    "Its text was not valid UTF-8: each invalid sequence was replaced by U+FFFD (�), as "
    "browsers decode an event stream, and the event kept. The Raw tab shows the bytes as "
    "they came."
)


def event_json(event: Event) -> str:
    """The whole event as one indented JSON record, for the clipboard."""
    return to_json(event_record(event), indent=True).decode()


def _menu_text(text: str) -> str:
    """*text* safe for a menu entry: one line, short, and ``&`` not taken as a mnemonic."""
    return one_line(text, _MENU_VALUE_LIMIT).replace("&", "&&")


class _JsonView(QPlainTextEdit):
    """Read-only JSON text; its context menu and Ctrl+C (with nothing selected) go to the pane."""

    def __init__(self, pane: EventDetailPane) -> None:
        super().__init__(pane)
        self._pane = pane

    def createMimeDataFromSelection(self) -> QMimeData:
        """What is copied: the selected text, without the bidi isolates added for showing."""
        data = QMimeData()
        data.setText(strip_isolates(self.textCursor().selection().toPlainText()))
        return data

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy) and not self.textCursor().hasSelection():
            self._pane.copy_event()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        line_number = self.cursorForPosition(event.pos()).blockNumber()
        menu = self._pane.menu_for_line(line_number)
        standard = self.createStandardContextMenu(event.pos())
        if menu.actions():
            menu.addSeparator()
        for action in standard.actions():
            action.setParent(menu)
            menu.addAction(action)
        menu.exec(event.globalPos())
        standard.deleteLater()
        menu.deleteLater()


class EventDetailPane(Themed, QWidget):
    """The selected event: an envelope header, then a JSON tab and a Raw tab.

    Signals:
        filter_requested(str, object, bool): the operator asked to filter the log on a field
            path (``data.host``, or an envelope field such as ``type``): the value to match,
            or :data:`EXISTS` for "the field is present"; ``exclude`` is true for "not equal".
        column_requested(str): the operator asked to show a field path as a log column.

    The pane only says what was asked; the main window turns it into query text.
    """

    filter_requested = Signal(str, object, bool)
    column_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shown_event: Event | None = None
        self.lines: list[Line] = []

        self.hint = QLabel(HINT, self)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        content = QWidget(self)
        self.header = self._make_header(content)

        mono = monospace_font()
        self.json_view = self._make_json_view(mono)

        raw_page = self._make_raw_page(mono)

        self.tabs = QTabWidget(content)
        self.tabs.addTab(self.json_view, "JSON")
        self.tabs.addTab(raw_page, "Raw")
        self.copy_button = QPushButton("Copy as JSON", self.tabs)
        self.copy_button.setToolTip("Copy the whole event, envelope and data, as one JSON object")
        self.copy_button.clicked.connect(self.copy_event)
        self.tabs.setCornerWidget(self.copy_button, Qt.Corner.TopRightCorner)

        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(6)
        content_layout.addWidget(self.header)
        content_layout.addWidget(self.tabs, 1)

        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.hint)
        self._stack.addWidget(content)
        self.show_event(None)
        self.styled()

    def _make_json_view(self, mono: QFont) -> _JsonView:
        """The JSON tab: read-only, unwrapped, coloured, always left to right."""
        view = _JsonView(self)
        view.setReadOnly(True)
        view.setFont(mono)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        # JSON reads left to right, whatever the first letter of a line (see core.panels.bidi).
        option = view.document().defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.LeftToRight)
        view.document().setDefaultTextOption(option)
        self.highlighter = JsonHighlighter(view.document())
        return view

    def _make_raw_page(self, mono: QFont) -> QWidget:
        """The Raw tab: the bytes as received, with their size above."""
        raw_page = QWidget(self)
        self.raw_view = QPlainTextEdit(raw_page)
        self.raw_view.setReadOnly(True)
        self.raw_view.setFont(mono)
        self.raw_view.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.raw_size = QLabel(raw_page)
        self.raw_size.setTextFormat(Qt.TextFormat.PlainText)
        self.raw_size.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        raw_layout = QVBoxLayout(raw_page)
        raw_layout.setContentsMargins(0, 4, 0, 0)
        self.raw_size.setContentsMargins(4, 0, 4, 0)
        raw_layout.setSpacing(4)
        raw_layout.addWidget(self.raw_size)
        raw_layout.addWidget(self.raw_view)
        return raw_page

    def _make_header(self, parent: QWidget) -> QFrame:
        header = QFrame(parent)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_header_menu)
        value_style = ""
        # Time and severity are short and always shown whole; the names give way when narrow.
        self.time_label = QLabel(header)
        self.time_label.setTextFormat(Qt.TextFormat.PlainText)
        self.time_label.setStyleSheet(value_style)
        self.severity_label = QLabel(header)
        self.severity_label.setTextFormat(Qt.TextFormat.PlainText)
        self.type_label = ElidedLabel(header, value_style + " font-weight: 600;", keep=90)
        self.source_label = ElidedLabel(header, value_style)
        self.connection_label = ElidedLabel(header, value_style)
        self.id_label = ElidedLabel(header, value_style)
        self.attributes_label = ElidedLabel(header, value_style)
        self.attributes_caption = QLabel("attributes", header)
        self.attributes_label.hide()  # shown for an event that has attributes
        self.attributes_caption.hide()
        self.repaired_label = QLabel(REPAIRED_TEXT, header)
        self.repaired_label.setStyleSheet(f"color: {level_colour('warning')}; font-weight: 600;")
        self.repaired_label.setToolTip(REPAIRED_TIP)
        self.repaired_label.hide()
        self._lay_out_header(header)
        return header

    def _lay_out_header(self, header: QFrame) -> None:
        """Time, type, severity, then the captioned names, in one row."""
        layout = QHBoxLayout(header)
        layout.setContentsMargins(6, 4, 6, 2)
        layout.setSpacing(6)
        for caption, label in (
            (None, self.time_label),
            (None, self.type_label),
            (None, self.severity_label),
            ("source", self.source_label),
            ("via", self.connection_label),
            ("id", self.id_label),
            (self.attributes_caption, self.attributes_label),
            (None, self.repaired_label),
        ):
            if caption is not None:
                caption_label = caption if isinstance(caption, QLabel) else QLabel(caption, header)
                caption_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                layout.addSpacing(6)
                layout.addWidget(caption_label)
            layout.addWidget(label)
        layout.addStretch(1)

    # -- showing -----------------------------------------------------------------------
    def show_event(self, event: Event | None) -> None:
        """Show *event* whole; None clears the pane back to its hint."""
        self.shown_event = event
        if event is None:
            self.lines = []
            self.highlighter.lines = []
            self.json_view.clear()
            self.raw_view.clear()
            self._stack.setCurrentIndex(0)
            return
        self._set_header(event)
        self.lines = [isolated(line) for line in pretty_lines(event.data)]
        self.highlighter.lines = self.lines
        self.json_view.setPlainText("\n".join(line.text for line in self.lines))
        self.raw_view.setPlainText(raw_text(event.raw))
        self.raw_size.setText(self._size_text(event.raw))
        self._stack.setCurrentIndex(1)

    def _set_header(self, event: Event) -> None:
        received = full_time_text(event.received)
        self.time_label.setText(clock_text(event.time))
        self.time_label.setToolTip(
            plain_tooltip(f"event time {full_time_text(event.time)}\nreceived {received}")
        )
        values = (
            (self.type_label, event.type),
            (self.source_label, event.source),
            (self.connection_label, event.connection),
            (self.id_label, "-" if event.id is None else event.id),
        )
        self.severity_label.setText(event.severity.label)
        self.repaired_label.setVisible(is_repaired(event.raw))
        attributes = event_attributes(event.raw)  # a CloudEvent's subject, extensions...
        shown = " · ".join(f"{k}={scalar_text(v)}" for k, v in attributes.items())
        self.attributes_label.setText(one_line(shown, 200))
        self.attributes_label.setToolTip(plain_tooltip(one_line(shown, 2000)))
        self.attributes_label.setVisible(bool(attributes))
        self.attributes_caption.setVisible(bool(attributes))
        for label, text in values:
            label.setText(one_line(text, 200))
            label.setToolTip(plain_tooltip(one_line(text, 2000)))
        self._colour_severity()

    def _colour_severity(self) -> None:
        if self.shown_event is not None:
            colour = severity_colour(self.shown_event.severity).name()
            self.severity_label.setStyleSheet(f"color: {colour}; font-weight: 600;")

    def restyle(self) -> None:
        """The current theme's syntax and severity colours."""
        self.highlighter.set_colours(current().tokens)
        self.highlighter.rehighlight()
        self._colour_severity()

    @staticmethod
    def _size_text(raw: bytes) -> str:
        size = f"{len(raw):,} byte{'' if len(raw) == 1 else 's'}"
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return (
                f"{size}; not valid UTF-8 from byte {exc.start} (shown as \\xNN here; the "
                "event reads each invalid sequence as U+FFFD, as browsers do)"
            )
        return size

    # -- actions -----------------------------------------------------------------------
    def copy_event(self) -> None:
        """Put the whole event on the clipboard as JSON (nothing when no event is shown)."""
        if self.shown_event is not None:
            QGuiApplication.clipboard().setText(event_json(self.shown_event))

    def menu_for_line(self, line_number: int) -> QMenu:
        """The field actions for JSON line *line_number* (0-based); empty where there are none.

        The outermost line of an object or array offers nothing: it is the whole payload.
        """
        menu = QMenu(self)
        if not 0 <= line_number < len(self.lines):
            return menu
        line = self.lines[line_number]
        path = line.path
        if path is None or (line_number == 0 and not line.scalar):
            return menu
        shown_path = _menu_text(path)
        if line.scalar:
            shown_value = _menu_text(scalar_text(line.value))
            self._add_filter(menu, f"Filter on {shown_path} = {shown_value}", path, line.value)
            self._add_filter(
                menu, f"Exclude {shown_path} = {shown_value}", path, line.value, exclude=True
            )
        self._add_filter(menu, f"Filter on {shown_path} exists", path, EXISTS)
        menu.addSeparator()
        column = menu.addAction(f"Add {shown_path} as a log column")
        column.triggered.connect(lambda: self.column_requested.emit(path))
        return menu

    def header_menu(self) -> QMenu:
        """Filter (or exclude) on the shown event's type, source or severity."""
        menu = QMenu(self)
        event = self.shown_event
        if event is None:
            return menu
        fields = (("type", event.type), ("source", event.source))
        fields += (("severity", event.severity.label),)
        for exclude, verb in ((False, "Filter on"), (True, "Exclude")):
            if exclude:
                menu.addSeparator()
            for field, value in fields:
                text = f"{verb} {field} = {_menu_text(scalar_text(value))}"
                self._add_filter(menu, text, field, value, exclude)
        return menu

    def _add_filter(
        self, menu: QMenu, text: str, path: str, value: Any, exclude: bool = False
    ) -> None:
        action = menu.addAction(text)
        action.triggered.connect(lambda: self.filter_requested.emit(path, value, exclude))

    def _show_header_menu(self, position: QPoint) -> None:
        menu = self.header_menu()
        if menu.actions():
            menu.exec(self.header.mapToGlobal(position))
        menu.deleteLater()


KIND = PanelKind(
    name="detail",
    title="Event detail",
    widget=lambda context, options: EventDetailPane(),
    description="the selected event, beside the log",
    fixed=True,
    place="in-log",
)
