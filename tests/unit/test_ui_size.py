"""The window only arranges, and stays small enough to read: the MainWindow class under 300
lines, none of the window's methods (nor those of the modules it delegates to, nor any
panel's) over 40, and no module under dashboard/ui over 400; the command line's functions
over 40 neither. Read from the source (ast), so no Qt is needed."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "dashboard" / "ui"
MAX_MODULE_LINES = 400
MAX_WINDOW_CLASS_LINES = 299  # under 300
MAX_METHOD_LINES = 40
# The window and the modules it delegates its parts to: menus, docks, recording and export,
# its layout, its side tabs, its alerting, what a panel is, the host of its panels and
# what they ask of one another.
WINDOW_MODULES = (
    "main_window.py",
    "menus.py",
    "docking.py",
    "record_export.py",
    "window_layout.py",
    "side_tabs.py",
    "alerting.py",
    "panels/registry.py",
    "panel_host.py",
    "panel_requests.py",
)


def _lines(node: ast.AST) -> int:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])  # type: ignore[attr-defined]
    return node.end_lineno - first + 1  # type: ignore[attr-defined]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_no_module_under_ui_is_over_400_lines() -> None:
    modules = sorted(UI.rglob("*.py"))
    assert len(modules) > 30
    long = {
        str(p.relative_to(UI)): n
        for p in modules
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_the_main_window_class_is_under_300_lines() -> None:
    tree = _tree(UI / "main_window.py")
    [window] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "MainWindow"]
    assert _lines(window) <= MAX_WINDOW_CLASS_LINES


def test_no_method_of_the_window_its_parts_or_a_panel_is_over_40_lines() -> None:
    names = set(WINDOW_MODULES) | {str(p.relative_to(UI)) for p in (UI / "panels").glob("*.py")}
    assert len(names) > 20
    long = {}
    for name in sorted(names):
        for node in ast.walk(_tree(UI / name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if _lines(node) > MAX_METHOD_LINES:
                    long[f"{name}:{node.lineno} {node.name}"] = _lines(node)
    assert long == {}


def test_no_method_anywhere_under_ui_is_over_40_lines() -> None:
    """The dialogs, bars and startup too, not only the window and the panels."""
    modules = sorted(UI.rglob("*.py"))
    assert len(modules) > 30
    long = {}
    for path in modules:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if _lines(node) > MAX_METHOD_LINES:
                    long[f"{path.relative_to(UI)}:{node.lineno} {node.name}"] = _lines(node)
    assert long == {}


def test_no_function_of_the_command_line_is_over_40_lines() -> None:
    """``dashboard`` and its subcommands (cli.py) and ``dashboard record`` (capture.py)."""
    long = {}
    for name in ("cli.py", "capture.py"):
        for node in ast.walk(_tree(UI.parent / name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if _lines(node) > MAX_METHOD_LINES:
                    long[f"{name}:{node.lineno} {node.name}"] = _lines(node)
    assert long == {}
