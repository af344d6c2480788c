"""The PyInstaller bundle, built and started the way an operator gets it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from dashboard import __version__

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = re.compile(r"^events=(\d+) rejected=(\d+) connections=(\d+)$", re.MULTILINE)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the Linux archive is what CI checks")
def test_the_frozen_bundle_starts_on_the_demo_feed(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(dist),
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    archive = dist / f"dashboard-{__version__}-linux-{os.uname().machine}.tar.gz"
    assert f"archive: {archive}" in build.stdout
    assert re.search(r"^ICU data: libicudata\.so\.\d+ 3\d -> [5-9] MB$", build.stdout, re.M)
    unpacked = re.search(r"^bundle: .* \((\d+) MB unpacked\)$", build.stdout, re.M)
    assert unpacked and int(unpacked.group(1)) <= 150, build.stdout  # the goal
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    top = archive.name.removesuffix(".tar.gz")
    for inside in (
        "dashboard",
        "install.sh",
        "live-dashboard.desktop",
        "_internal/resources/icons/dashboard.svg",
        "_internal/resources/icons/dashboard.png",
        "_internal/resources/layouts/demo.toml",  # what --demo opens
        "_internal/resources/layouts/orders.toml",
    ):
        assert f"{top}/{inside}" in names, inside
    # what the spec leaves out: GTK's libraries (pulled in by Qt's GTK theme, which is left
    # out) and image formats the app never reads
    for left_out in (
        "libcairo.so.2",
        "libpango-1.0.so.0",
        "libatk-1.0.so.0",
        "libqtiff.so",
        "_generator.cpython-311-x86_64-linux-gnu.so",  # numpy.random
    ):
        assert not any(name.endswith(f"/{left_out}") for name in names), left_out

    frozen = dist / "dashboard" / "dashboard"
    version = subprocess.run(
        [str(frozen), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (version.returncode, version.stdout) == (0, f"dashboard {__version__}\n")

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        [str(frozen), "--demo", "--exit-after", "5", "-v"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,  # nothing of the checkout within reach
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    match = SUMMARY.search(run.stdout)
    assert match, run.stdout
    events, rejected, connections = map(int, match.groups())
    assert events > 0 and rejected == 0 and connections == 1
    assert "window shown" in run.stderr
    assert "cannot load" not in run.stderr and "Traceback" not in run.stderr, run.stderr
