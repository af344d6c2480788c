"""The pure core never imports Qt: core/, sources/ and feed/ run without a display."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dashboard"
PURE = ("core", "sources", "feed")
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "qasync", "dashboard.ui")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    sorted(p for pkg in PURE for p in (PACKAGE / pkg).rglob("*.py")),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_pure_modules_do_not_import_qt(path: Path) -> None:
    bad = sorted(
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    )
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"
