"""The built-in dashboard: the seeds' CPU / memory / requests / errors metrics view."""

from __future__ import annotations

from dashboard.core.cards import CardSpec, Combine
from dashboard.core.series import ChartSpec

METRICS_TYPE = "metrics.update"

DEFAULT_CARDS = (
    CardSpec(
        "CPU",
        METRICS_TYPE,
        "cpu",
        unit="%",
        decimals=1,
        combine=Combine.MEAN,
        description="CPU use: the mean of each host's latest report",
    ),
    CardSpec(
        "Memory",
        METRICS_TYPE,
        "memory",
        unit="MB",
        decimals=0,
        combine=Combine.MEAN,
        description="Memory in use: the mean of each host's latest report",
    ),
    CardSpec(
        "Requests/s",
        METRICS_TYPE,
        "requests",
        decimals=0,
        combine=Combine.SUM,
        description="Requests per second: the sum of each host's latest report",
    ),
    CardSpec(
        "Errors",
        METRICS_TYPE,
        "errors",
        decimals=0,
        combine=Combine.TOTAL,
        description="Errors: the sum of every report's error count since the start",
    ),
)

DEFAULT_CHART = ChartSpec(
    "CPU % by host", METRICS_TYPE, "cpu", split_by="source", unit="%", window=300.0
)
