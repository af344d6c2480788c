"""What a first start shows in place of an empty grid: the three ways to begin, and where
the layouts are explained."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from dashboard.ui.secondary import SecondaryLabel
from dashboard.ui.theme import Themed, current

README = Path(__file__).resolve().parents[2] / "README.md"
LAYOUT_SECTION = "layouts-dashboards-saved-as-files"


def layout_docs_url() -> QUrl | None:
    """The README's layout section where the README is (a source checkout), else None."""
    if not README.is_file():
        return None
    url = QUrl.fromLocalFile(str(README))
    url.setFragment(LAYOUT_SECTION)
    return url


class EmptyState(Themed, QFrame):
    """Shown while the window has no connection and no event, over the empty log (so that
    it takes no room from the panels: see :meth:`attach`).

    Signals:
        connect_requested(): add a connection (the connection dialog).
        open_requested(): open a recording to replay.
        demo_requested(): start the built-in demo feed and connect to it.
    """

    connect_requested = Signal()
    open_requested = Signal()
    demo_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("empty-state")
        title = QLabel("No feed yet. Start in one of three ways:")
        title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        buttons = self._build_buttons()
        self._build_docs_button()
        hint = SecondaryLabel("Or drop a recording here; F1 lists the keyboard shortcuts.")
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 14, 16, 14)
        column.setSpacing(10)
        for label in (title, hint):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(title)
        column.addLayout(buttons)
        column.addWidget(self.docs, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(hint)
        self.styled()

    def _build_buttons(self) -> QVBoxLayout:
        """The three ways to begin, one above the other: a narrow window keeps them whole."""
        self.connect_button = QPushButton("Connect to a feed URL…  (Ctrl+N)")
        self.connect_button.setToolTip("A feed's URL and its options, in the connection dialog")
        self.connect_button.clicked.connect(self.connect_requested)
        self.open_button = QPushButton("Open a recording…  (Ctrl+O)")
        self.open_button.setToolTip("Replay a recording or a JSON Lines file of events")
        self.open_button.clicked.connect(self.open_requested)
        self.demo_button = QPushButton("Run the demo feed")
        self.demo_button.setToolTip(
            "The built-in demo operation (orders, payments, metrics), with its layout"
        )
        self.demo_button.clicked.connect(self.demo_requested)
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        for button in (self.connect_button, self.open_button, self.demo_button):
            button.setMinimumWidth(240)
            buttons.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        return buttons

    def _build_docs_button(self) -> None:
        """Opens the README's layout section, or names it where there is no README.
        (A flat button, not a rich-text link: no label of the window renders markup.)"""
        self.docs = QPushButton("How layouts work: cards, charts, alert rules…")
        self.docs.setFlat(True)
        self.docs.setCursor(Qt.CursorShape.PointingHandCursor)
        url = layout_docs_url()
        if url is None:
            self.docs.setText("How layouts work: the README's section “Layouts”")
            self.docs.setEnabled(False)
        else:
            self.docs.setToolTip(url.toString())
            self.docs.clicked.connect(lambda: QDesktopServices.openUrl(url))

    def restyle(self) -> None:
        theme = current()
        self.setStyleSheet(
            f"QFrame#empty-state {{ background: {theme.panel}; border: 1px dashed "
            f"{theme.border}; border-radius: 6px; }}"
        )
        self.docs.setStyleSheet(f"color: {theme.accent}; text-decoration: underline; border: none;")

    def attach(self, host: QWidget) -> None:
        """Lie centred over *host* (the log table's viewport), following its size."""
        self.setParent(host)
        host.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        host = self.parentWidget()
        if host is None:
            return
        width = min(host.width() - 16, max(self.sizeHint().width(), 420))
        self.resize(max(200, width), self.sizeHint().height())
        self.move((host.width() - self.width()) // 2, max(0, (host.height() - self.height()) // 2))
