"""The layering is a contract, checked mechanically: import-linter (``lint-imports``, its
contracts in pyproject.toml ``[tool.importlinter]``) finds every import, a lazy one inside a
function too, that goes the wrong way: ui > capture > sources > core, the feed on its own,
and no Qt in core, sources, capture or feed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    program = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert program, "lint-imports is missing: pip install -e '.[test]' (import-linter)"
    return subprocess.run(
        [program, "--no-cache", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_say_what_the_design_says() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layered = [c for c in config["contracts"] if c["type"] == "layers"]
    layers = layered[0]
    assert layers["layers"] == [
        "dashboard.cli",
        "dashboard.ui",
        "dashboard.capture",
        "dashboard.sources",
        "dashboard.core",
    ]
    forbidden = [c for c in config["contracts"] if c["type"] == "forbidden"]
    qt = next(c for c in forbidden if "PySide6" in c["forbidden_modules"])
    assert {"dashboard.core", "dashboard.sources", "dashboard.feed"} <= set(qt["source_modules"])
    assert {"PySide6", "shiboken6", "pyqtgraph", "qasync"} <= set(qt["forbidden_modules"])
    assert config["include_external_packages"] is True
    core = next(c for c in layered if c["layers"][-1] == "dashboard.core.text")
    assert core["layers"][:2] == ["dashboard.core.layouts", "dashboard.core.panels"]


def test_a_broken_contract_fails(tmp_path: Path) -> None:
    """The check bites: core importing sources (the arrow #27 removed) is caught."""
    package = tmp_path / "dashboard"
    shutil.copytree(ROOT / "dashboard", package, ignore=shutil.ignore_patterns("__pycache__"))
    layout = package / "core" / "layouts" / "layoutfile.py"
    layout.write_text("import dashboard.sources.registry\n" + layout.read_text())
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    program = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert program
    result = subprocess.run(
        [program, "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)},
    )
    assert result.returncode != 0
    assert "dashboard.core.layouts.layoutfile -> dashboard.sources.registry" in result.stdout
