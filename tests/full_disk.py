"""A disk that is really full, for the tests of what recording does then.

Two kinds, both a real ENOSPC from the kernel: a 64 KiB tmpfs mounted for the test (needs
root on Linux: a file there fills up after a few hundred events, and what it keeps can be
read back), and ``/dev/full``, where every write fails (nothing is kept to look at).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

DEV_FULL = Path("/dev/full")


@contextmanager
def small_disk(folder: Path) -> Iterator[Path | None]:
    """*folder* with a 64 KiB tmpfs mounted on it while the block runs; None when no
    tmpfs can be mounted here (not root, not Linux, or the sandbox forbids it)."""
    mount = shutil.which("mount")
    if sys.platform != "linux" or os.geteuid() != 0 or mount is None:
        yield None
        return
    folder.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def dev_full_or_skip() -> Path:
    """``/dev/full``, or skip the test saying why."""
    if not (DEV_FULL.exists() and os.access(DEV_FULL, os.W_OK)):
        pytest.skip("no full disk to write to: /dev/full is missing here")
    return DEV_FULL


@contextmanager
def full_disk(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """Where to record so that the disk fills: a file on a small tmpfs when one can be
    mounted (True: what it keeps can be read back), else /dev/full (False); skips the test
    when neither is there."""
    with small_disk(tmp_path / "small-disk") as small:
        if small is not None:
            yield small / "rec.jsonl", True
        else:
            yield dev_full_or_skip(), False
