"""Guards against known faults in the Qt binding that would crash a long-running window."""

from __future__ import annotations

import subprocess
import sys

EMIT_MANY = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    fired = Signal()

app = QCoreApplication([])
emitter = Emitter()
emitter.fired.connect(lambda: None)
before = sys.getrefcount(True)
for _ in range(200_000):
    emitter.fired.emit()
print(sys.getrefcount(True) - before)
"""


def test_signal_emits_do_not_leak_references_to_true() -> None:
    # PySide6 6.12.0 decrements True's refcount on each emit: the app dies within seconds
    # ("bool_dealloc: deallocating True or False"). Run it apart so a fault is a clear failure.
    result = subprocess.run(
        [sys.executable, "-c", EMIT_MANY], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-400:]
    assert result.stdout.strip() == "0"
