"""Build the one-folder bundle and its archive for this platform.

    python packaging/build.py [--dist DIR] [--work DIR]

Runs PyInstaller on packaging/dashboard.spec; on Linux it strips the shared libraries' symbol
tables (not PyInstaller's strip: it breaks numpy's OpenBLAS) and cuts Qt's ICU data to what
Qt uses (packaging/icu.py, which needs a C compiler); then it packs the folder:
``dist/dashboard-<version>-<platform>-<arch>.tar.gz`` on Linux, ``.zip`` on Windows, and a
zip of ``Live Dashboard.app`` on macOS. Prints where the archive is and the sizes.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard import __version__  # noqa: E402

sys.path.insert(0, str(ROOT / "packaging"))
import icu  # noqa: E402

SPEC = ROOT / "packaging" / "dashboard.spec"


def platform_tag() -> str:
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform)
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system or sys.platform}-{arch}"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def strip_symbols(bundle: Path) -> None:
    """libpython and many extension modules (aiohttp, multidict, numpy) ship with symbol
    tables and debug info the bundle never uses: about 20 MB.

    Libraries in a wheel's ``.libs`` folder are left alone: auditwheel rewrote them with
    patchelf, and strip leaves such a file unloadable ("ELF load command address/offset not
    page-aligned"), which is why PyInstaller's own strip option stays off.
    """
    strip = shutil.which("strip")
    if sys.platform != "linux" or strip is None:
        return
    targets = [
        path
        for path in (bundle / "_internal").rglob("*.so*")
        if path.is_file()
        and not path.is_symlink()
        and not any(part.endswith(".libs") for part in path.parts)
    ]
    if targets:
        subprocess.run([strip, "--strip-unneeded", *map(str, targets)], check=True)


def trim_icu_data(bundle: Path) -> None:
    """Qt's ICU data library, cut to what Qt asks ICU for (see packaging/icu.py)."""
    if sys.platform != "linux":  # Windows' Qt uses the system's ICU; macOS's uses none
        return
    for library in (bundle / "_internal").rglob("libicudata.so.*"):
        if library.is_file() and not library.is_symlink():
            before, after = icu.trim(library)
            print(f"ICU data: {library.name} {before / 2**20:.0f} -> {after / 2**20:.0f} MB")


def archive(bundle: Path, dist: Path) -> Path:
    name = f"dashboard-{__version__}-{platform_tag()}"
    if sys.platform == "linux":
        target = dist / f"{name}.tar.gz"
        with tarfile.open(target, "w:gz") as tar:
            tar.add(bundle, arcname=name)
        return target
    if sys.platform == "darwin":
        app = dist / "Live Dashboard.app"
        made = shutil.make_archive(str(dist / name), "zip", dist, app.name)
        return Path(made)
    made = shutil.make_archive(str(dist / name), "zip", bundle.parent, bundle.name)
    return Path(made)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output (default dist/)")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build", help="PyInstaller's work folder (build/)"
    )
    args = parser.parse_args(argv)
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level=WARN",
        "--distpath",
        str(args.dist),
        "--workpath",
        str(args.work),
        str(SPEC),
    ]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)
    bundle = args.dist / "dashboard"
    strip_symbols(bundle)
    trim_icu_data(bundle)
    if sys.platform == "linux":  # the menu entry and its installer travel in the archive
        for name in ("install.sh", "live-dashboard.desktop"):
            shutil.copy2(ROOT / "packaging" / "linux" / name, bundle / name)
    target = archive(bundle, args.dist)
    print(f"bundle:  {bundle} ({folder_size(bundle) / 2**20:.0f} MB unpacked)")
    print(f"archive: {target} ({target.stat().st_size / 2**20:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
