"""A window's layout: shown from a Layout, taken back as one, opened and saved."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray

from dashboard.core.layouts.layoutfile import Layout, left_out

if TYPE_CHECKING:
    from dashboard.ui.main_window import MainWindow


class WindowLayout:
    """What *window* shows, as a layout; the file it came from and its title."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.path: Path | None = None
        self.title = ""
        self.readers: int | None = None  # kept as the layout said, to save it again

    def apply(self, layout: Layout, path: Path | None = None) -> None:
        """Show *layout*: every panel's part of it (cards, charts, the log, rules and alert
        conventions, ``[[panels]]``), its arrangement; its connections are added (none
        removed: their events stay). A layout file (*path*) says everything: a panel it
        says nothing of goes back to its defaults."""
        w = self.window
        size = w.size()  # (each dock added while hidden widens the window to fit it)
        w.hold_events_for_layout()  # rebuilt once for all the layout's cards, charts, panels
        try:
            w.host.apply(layout, whole=path is not None)
        finally:
            w.hold_events_for_layout(False)
        self._add_connections(layout)
        arranged = False
        if layout.arrangement:
            arranged = w.restoreState(QByteArray.fromBase64(layout.arrangement.encode()))
        if not arranged:
            w.docks.arrange()
        if w.width() > size.width() or w.height() > size.height():  # docks widened it
            w.layout().activate()  # (the tabs taken into account before the size)
            w.resize(size)
        self.path, self.title, self.readers = path, layout.title, layout.readers
        w.update_title()

    def _add_connections(self, layout: Layout) -> None:
        w = self.window
        if w.player is None:
            known = {c.url for c in w.connections.specs()}
            for spec in layout.connections:
                if spec.url not in known:
                    w.connections.add(spec, start=w.isVisible())

    def current(self, builtin_urls: Sequence[str] = ()) -> Layout:
        """The dashboard as it is now, to save (connections in *builtin_urls*, such as the
        demo feed on its port of the day, are left out)."""
        w = self.window
        specs = [] if w.player is not None else w.connections.specs()
        return Layout(
            title=self.title,
            readers=self.readers,
            connections=[s for s in specs if s.url not in builtin_urls],
            arrangement=bytes(w.saveState().toBase64().data()).decode(),
            **w.host.layout_fields(),
        )

    def ask_open(self) -> None:
        path = self.window.layouts.ask_open()
        if path is not None:
            self.open(path)

    def open(self, path: Path) -> bool:
        """Load *path* in place of this dashboard's layout; a broken file changes nothing
        and says what is wrong where."""
        layout = self.window.layouts.read(path)
        if layout is None:
            return False
        self.apply(layout, path)
        self.window.statusBar().showMessage(f"Layout {path} loaded", 5000)
        return True

    def save(self, ask: bool = False) -> bool:
        w = self.window
        if w.player is not None:
            return False  # (the menu says so: a replay window's layout has no connections)
        path = self.path
        if ask or path is None:
            path = w.layouts.ask_save(path)
            if path is None:
                return False
        layout = self.current(w.builtin_urls)
        if not w.layouts.write(layout, path):
            return False
        self.path = path
        secrets = left_out(layout, w.connections.kinds)
        note = f" (left out, being credentials: {'; '.join(secrets)}; use ${{ENV}})"
        w.statusBar().showMessage(f"Layout saved to {path}{note if secrets else ''}", 15_000)
        return True
