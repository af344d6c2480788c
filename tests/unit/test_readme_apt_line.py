"""The README's apt line installs every system library the Qt xcb plugin links to: a new
user who types exactly that line on a bare Debian or Ubuntu gets a window, not "Could not
load the Qt platform plugin xcb" and an abort."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The Debian/Ubuntu package of each system library the xcb plugin (and the Qt libraries it
# loads) links to. The C and C++ runtimes, and what these packages bring as their own
# dependencies (glib, freetype, expat, ...), are on every system or arrive with them.
PACKAGES = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(.+?)(?:\s+\(0x[0-9a-f]+\))?$")


def readme_apt_packages() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- apt-line -->\s*```bash\n(.*?)\n```\s*<!-- /apt-line -->", text, re.S)
    assert block, "README.md has no <!-- apt-line --> block"
    words = block.group(1).split()
    assert words[:2] == ["apt-get", "install"], block.group(1)
    return set(words[2:])


def xcb_plugin() -> Path:
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        pytest.skip(f"this PySide6 has no xcb plugin at {plugin} (not Linux?)")
    return plugin


def linked_libraries(plugin: Path) -> dict[str, str]:
    """soname -> where ldd finds it ("not found" when it is missing)."""
    if shutil.which("ldd") is None:
        pytest.skip("ldd is not installed: cannot see what the xcb plugin links to")
    result = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True)
    found = {}
    for line in result.stdout.splitlines():
        match = LDD_LINE.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    assert "libxcb.so.1" in found, result.stdout  # the output is what this test expects
    return found


def test_the_readme_apt_line_installs_what_the_xcb_plugin_links_to() -> None:
    linked = linked_libraries(xcb_plugin())
    needed = {PACKAGES[name] for name in linked if name in PACKAGES}
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-xkb1"} <= needed  # (sanity)
    assert sorted(needed - readme_apt_packages()) == []


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="no dpkg: not a Debian system")
def test_the_package_table_agrees_with_dpkg() -> None:
    """Each library the plugin links to belongs to the package the table names."""
    for name, where in linked_libraries(xcb_plugin()).items():
        if name not in PACKAGES or where == "not found":  # (not installed here: no owner)
            continue
        result = subprocess.run(
            ["dpkg", "-S", f"*/{name}"], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"dpkg knows no package holding {name}"
        owners = {line.split(":", 1)[0] for line in result.stdout.splitlines()}
        assert owners == {PACKAGES[name]}, name
