"""Layout files in the window: open, save, save as, the recent ones, and the last layout,
which comes back on the next start."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from dashboard.core.layouts import layoutfile as layouts
from dashboard.core.layouts.layoutfile import Layout, LayoutError
from dashboard.core.panels.panelkind import PanelKinds
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources.registry import KINDS
from dashboard.ui.panels.registry import PANELS

APP_NAME = "live-dashboard"
RECENT_KEY = "layouts/recent"
RECENT_MAX = 8
PREVIOUS_NAME = "last-layout.previous.toml"
FILTER = "Layouts (*.toml);;All files (*)"


def last_layout_path() -> Path:
    """Where the live window's layout is saved when it closes."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "last-layout.toml"


def save_last(
    layout: Layout, kinds: SourceKinds = KINDS, panels: PanelKinds = PANELS
) -> Path | None:
    """Keep *layout* for the next start (readable by the user only: it names feeds), and
    the one it replaces as ``last-layout.previous.toml``; None when the disk refuses:
    closing the window must not fail for it."""
    path = last_layout_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = layouts.dumps(layout, kinds, panels)
        old = path.read_text(encoding="utf-8") if path.is_file() else text
        if old != text:  # one step back, copied: if the new one cannot be written, it stays
            layouts.write_whole(path.with_name(PREVIOUS_NAME), old, private=True)
        layouts.write_whole(path, text, private=True)
    except (OSError, UnicodeDecodeError):
        return None
    return path


DEMO_NAME = "last-demo"  # beside the last layout: the demo feed's rate, while it ran


def save_last_demo(rate: float | None) -> None:
    """Remember whether the last window ran the built-in demo feed (at *rate*), which its
    layout leaves out (its port changes every run); None: it did not."""
    path = last_layout_path().with_name(DEMO_NAME)
    try:
        if rate is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{rate!r}\n", encoding="utf-8")
    except OSError:
        pass  # closing the window must not fail for it


def load_last_demo() -> float | None:
    """The demo feed's rate if the last window ran it, else None."""
    try:
        rate = float(last_layout_path().with_name(DEMO_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return rate if 0 < rate < float("inf") else None


def load_last(kinds: SourceKinds = KINDS, panels: PanelKinds = PANELS) -> tuple[Layout | None, str]:
    """The layout the live window had when it last closed (None if there is none), and a
    message when it could not be read: then the file is kept as ``.bak`` beside it, so
    the next close does not overwrite what may still be mended by hand."""
    path = last_layout_path()
    if not path.is_file():
        return None, ""
    try:
        return layouts.load(path, kinds, panels), ""
    except LayoutError as error:
        backup = path.with_name(path.name + ".bak")
        try:
            path.replace(backup)
        except OSError:
            return None, f"The last layout could not be read: {error}"
        return None, f"The last layout could not be read, and is kept as {backup}: {error}"


class LayoutFiles(QObject):
    """The dialogs and the recent-layouts list, remembered in *settings*."""

    def __init__(
        self,
        settings: QSettings,
        parent: QWidget,
        kinds: SourceKinds = KINDS,
        panels: PanelKinds = PANELS,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.kinds = kinds
        self.panels = panels
        self.window = parent

    def recent(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        items = value if isinstance(value, list) else [value]
        return [str(p) for p in items if p and Path(str(p)).is_file()]

    def remember(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.settings.setValue(RECENT_KEY, items[:RECENT_MAX])

    def ask_open(self) -> Path | None:
        folder = str(self.settings.value("layouts/dir", ""))
        path, _chosen = QFileDialog.getOpenFileName(self.window, "Open layout", folder, FILTER)
        return Path(path) if path else None

    def ask_save(self, current: Path | None) -> Path | None:
        folder = str(self.settings.value("layouts/dir", ""))
        default = str(current) if current else str(Path(folder) / "dashboard.toml")
        path, _chosen = QFileDialog.getSaveFileName(self.window, "Save layout", default, FILTER)
        if not path:
            return None
        chosen = Path(path)
        return chosen if chosen.suffix else chosen.with_suffix(".toml")

    def read(self, path: Path) -> Layout | None:
        """The layout in *path*, or None after a message naming the file, the line or key,
        and what is wrong."""
        try:
            layout = layouts.load(path, self.kinds, self.panels)
        except LayoutError as error:
            QMessageBox.warning(self.window, "Cannot open the layout", str(error))
            return None
        self.settings.setValue("layouts/dir", str(path.parent))
        self.remember(path)
        return layout

    def write(self, layout: Layout, path: Path) -> bool:
        try:
            layouts.save(layout, path, kinds=self.kinds, panels=self.panels)
        except OSError as error:
            QMessageBox.warning(
                self.window, "Cannot save the layout", f"{path}: {error.strerror or error}"
            )
            return False
        self.settings.setValue("layouts/dir", str(path.parent))
        self.remember(path)
        return True
