"""The monitor: alerting without Qt (rules, the alert book, connection health and the
alert events), run alike by the window, headless ``dashboard record``, replay and
``dashboard check-rules``."""

from dashboard.core.monitor.headless import run_through
from dashboard.core.monitor.monitor import OWN_CONNECTION, AlertChange, Monitor

__all__ = ["OWN_CONNECTION", "AlertChange", "Monitor", "run_through"]
