"""Render resources/icons/dashboard.svg to the raster icons installers want.

    python packaging/make_icons.py

Writes dashboard.png (256 px, Linux), dashboard.ico (Windows) and dashboard.icns (macOS)
beside the SVG. Run it after changing the SVG and commit the results.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(ICONS / "dashboard.svg")).render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    for name, size in (("dashboard.png", 256), ("dashboard.ico", 256), ("dashboard.icns", 512)):
        path = ICONS / name
        if not render(size).save(str(path)):
            print(f"could not write {path} (is the Qt image plugin for it missing?)")
            return 1
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
