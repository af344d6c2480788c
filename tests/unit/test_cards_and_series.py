"""Card figures and chart series folded from events."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.core.cards import CardSpec, CardState, Combine
from dashboard.core.fields import MISSING, as_number, lookup
from dashboard.core.series import ChartData, ChartSpec, RingSeries
from tests.unit.factories import make_event


def reports() -> list:
    return [
        make_event(data={"cpu": 10, "errors": 1}, source="web-1", time=1.0),
        make_event(data={"cpu": 30, "errors": 0}, source="web-2", time=2.0),
        make_event(data={"cpu": "50", "errors": 2}, source="web-1", time=3.0),
        make_event("order.placed", {"cpu": 99}, source="web-1", time=4.0),  # other type
        make_event(data={"cpu": "n/a"}, source="web-3", time=5.0),  # not a number
    ]


@pytest.mark.parametrize(
    ("combine", "value", "text", "caption"),
    [
        (Combine.LAST, 50.0, "50.0 %", "latest of 2 sources"),
        (Combine.MEAN, 40.0, "40.0 %", "mean of 2 sources"),
        (Combine.SUM, 80.0, "80.0 %", "sum of 2 sources"),
        (Combine.TOTAL, 90.0, "90.0 %", "total of 3 reports"),
    ],
)
def test_card_combines_values(combine: Combine, value: float, text: str, caption: str) -> None:
    card = CardState(CardSpec("CPU", "metrics.update", "cpu", "%", 1, combine))
    assert card.text() == "—" and card.caption() == "waiting for metrics.update"
    assert card.fold(reports())
    assert card.value == value
    assert card.text() == text
    assert card.caption() == caption
    assert card.updated == 3.0


def test_card_ignores_batches_without_its_events() -> None:
    card = CardState(CardSpec("E", "metrics.update", "errors"))
    assert not card.fold([make_event("order.placed", {"errors": 5})])
    assert card.value is None


def test_thousands_separator_and_no_unit() -> None:
    card = CardState(CardSpec("Mem", "metrics.update", "mem", decimals=0))
    card.fold([make_event(data={"mem": 12345.6})])
    assert card.text() == "12,346"


def test_lookup_paths() -> None:
    data = {"a": {"b": [10, {"c": 3}]}, "x": None}
    assert lookup(data, "a.b.0") == 10
    assert lookup(data, "a.b.1.c") == 3
    assert lookup(data, "a.b.-1.c") == 3
    assert lookup(data, "x") is None
    assert lookup(data, "a.b.5") is MISSING
    assert lookup(data, "a.z") is MISSING
    assert lookup("text", "a") is MISSING


@pytest.mark.parametrize(
    ("value", "number"),
    [(1, 1.0), (2.5, 2.5), ("3", 3.0), ("x", None), (True, None), (None, None), ([1], None)],
)
def test_as_number(value: object, number: float | None) -> None:
    assert as_number(value) == number


def test_ring_series_wraps_and_keeps_time_order() -> None:
    ring = RingSeries(capacity=4)
    for i in range(6):
        ring.append(float(i), float(i * 10))
    t, v = ring.arrays()
    assert t.tolist() == [2.0, 3.0, 4.0, 5.0]
    assert v.tolist() == [20.0, 30.0, 40.0, 50.0]
    assert ring.first_time() == 2.0
    t, v = ring.arrays(since=4.0)
    assert t.tolist() == [4.0, 5.0] and isinstance(v, np.ndarray)


def test_chart_data_splits_by_source() -> None:
    chart = ChartData(ChartSpec("CPU", "metrics.update", "cpu"))
    grown = chart.fold(reports())
    assert grown == {"web-1", "web-2"}
    assert chart.series["web-1"].arrays()[1].tolist() == [10.0, 50.0]
    assert chart.series["web-2"].arrays()[0].tolist() == [2.0]
