"""Test set-up shared by every test: offscreen Qt, no real settings, real loopback feeds."""

from __future__ import annotations

import os
import tempfile

# Before anything imports Qt: no display, and keep the user's real config out of tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_config_home = tempfile.mkdtemp(prefix="dashboard-test-config-")
os.environ["XDG_CONFIG_HOME"] = _config_home
os.environ["XDG_DATA_HOME"] = _config_home
