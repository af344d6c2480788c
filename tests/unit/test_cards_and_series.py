"""Card figures and chart series folded from events."""

from __future__ import annotations

import random

import numpy as np
import pytest

from dashboard.core.events.event import Event, Severity
from dashboard.core.events.fieldpath import MISSING, as_number, lookup
from dashboard.core.panels.cardformat import Thresholds, ValueMapping
from dashboard.core.panels.cards import CardSpec, CardState
from dashboard.core.panels.series import ChartData, ChartSpec, RingSeries, SeriesSpec
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
    ("show", "value", "text", "caption"),
    [
        ("last", 50.0, "50.0 %", "latest of 2 sources"),
        ("mean", 40.0, "40.0 %", "mean of 2 sources"),
        ("sum", 80.0, "80.0 %", "sum of 2 sources"),
        ("total", 90.0, "90.0 %", "total of 3 reports"),
        ("avg", 30.0, "30.0 %", "average, last 1 min"),
        ("min", 10.0, "10.0 %", "lowest, last 1 min"),
        ("max", 50.0, "50.0 %", "highest, last 1 min"),
    ],
)
def test_card_combines_values(show: str, value: float, text: str, caption: str) -> None:
    card = CardState(CardSpec("CPU", "metrics.update", "cpu", show, unit="%", decimals=1))
    assert card.text(5.0) == "—" and card.caption(5.0) == "waiting for metrics.update"
    assert card.fold(reports())
    assert card.value(5.0) == value
    assert card.text(5.0) == text
    assert card.caption(5.0) == caption
    assert card.updated == 3.0


@pytest.mark.parametrize("show", ["last", "mean", "sum"])
@pytest.mark.parametrize(
    "values",
    [
        [("web-1", 10), ("web-2", 30), ("web-1", "NaN"), ("web-2", "n/a"), ("web-1", None)],
        [("web-1", 10), ("web-1", {"v": 1}), ("web-2", "inf"), ("web-2", 20), ("web-2", [])],
        [("web-1", "starting"), ("web-2", 5), ("web-1", "ready")],  # text, then numbers
        [("web-1", "starting"), ("web-2", "ready")],  # text only: a last card shows it
    ],
)
def test_newest_value_cards_do_not_depend_on_how_events_fall_into_ticks(
    show: str, values: list
) -> None:
    events = [make_event(data={"cpu": v}, source=who, time=float(t)) for t, (who, v) in
              enumerate(values, 1)]  # fmt: skip
    one_tick = CardState(CardSpec("CPU", "metrics.update", "cpu", show))
    one_tick.fold(events)
    event_by_event = CardState(CardSpec("CPU", "metrics.update", "cpu", show))
    for event in events:
        event_by_event.fold([event])
    now = float(len(values))
    assert one_tick.text(now) == event_by_event.text(now)
    assert one_tick.value(now) == event_by_event.value(now)
    assert one_tick.caption(now) == event_by_event.caption(now)


def test_card_ignores_batches_without_its_events() -> None:
    card = CardState(CardSpec("E", "metrics.update", "errors"))
    assert not card.fold([make_event("order.placed", {"errors": 5})])
    assert card.value(0.0) is None


def test_thousands_separator_and_no_unit() -> None:
    card = CardState(CardSpec("Mem", "metrics.update", "mem", decimals=0))
    card.fold([make_event(data={"mem": 12345.6})])
    assert card.text(1_000.0) == "12,346"


def test_count_per_window_forgets_old_events() -> None:
    spec = CardSpec("Failed", "payment.failed", show="count", window=60.0, query="amount>50")
    card = CardState(spec)
    card.fold(
        [
            make_event("payment.failed", {"amount": a}, time=t)
            for t, a in ((0.0, 99), (10.0, 20), (30.0, 70), (59.0, 51))
        ]
    )
    assert card.value(59.5) == 3.0  # the 20 does not match the query
    assert card.value(75.0) == 2.0  # the one at 0 s has left the minute
    assert card.value(200.0) == 0.0
    assert card.caption(200.0) == "in the last 1 min" and not card.is_stale(200.0)


def test_window_aggregates_drop_old_values() -> None:
    card = CardState(CardSpec("Peak", "metrics.update", "cpu", show="max", window=60.0))
    card.fold([make_event(data={"cpu": 95}, time=0.0), make_event(data={"cpu": 40}, time=50.0)])
    assert card.value(55.0) == 95.0
    assert card.value(100.0) == 40.0
    assert card.value(500.0) is None


def test_rate_of_a_counter_per_second_with_a_reset() -> None:
    card = CardState(CardSpec("Req/s", "metrics.update", "total", show="rate", window=60.0))
    events = [
        make_event(data={"total": v}, source="web-1", time=t)
        for t, v in ((0.0, 100), (10.0, 150), (20.0, 20))
    ]  # reset: 20 counts as increase
    events += [
        make_event(data={"total": v}, source="web-2", time=t) for t, v in ((0.0, 0), (20.0, 40))
    ]
    card.fold(events)
    assert card.value(20.0) == pytest.approx(70 / 20 + 40 / 20)
    assert card.text(20.0) == "5.5"


def test_text_field_with_mappings_and_thresholds_colour_the_card() -> None:
    spec = CardSpec(
        "Status",
        "health",
        "status",
        mappings=(
            ValueMapping("All good", "ok", value="up"),
            ValueMapping("", "critical", pattern="^down"),
        ),
    )
    card = CardState(spec)
    card.fold([make_event("health", {"status": "up"})])
    assert (card.text(0.0), card.level(0.0)) == ("All good", "ok")
    card.fold([make_event("health", {"status": "down: disk"})])
    assert (card.text(0.0), card.level(0.0)) == ("down: disk", "critical")
    hot = CardState(CardSpec("CPU", "m", "cpu", thresholds=Thresholds(warning=70, critical=90)))
    for cpu, level in ((50, "ok"), (75, "warning"), (95, "critical")):
        hot.fold([make_event("m", {"cpu": cpu})])
        assert hot.level(0.0) == level


def test_stale_trend_and_sparkline() -> None:
    card = CardState(CardSpec("CPU", "m", "cpu", stale_after=30.0))
    card.fold([make_event("m", {"cpu": 40}, time=100.0)])
    card.sample(100.0)
    card.fold([make_event("m", {"cpu": 55}, time=110.0)])
    card.sample(110.0)
    card.sample(110.5)  # at most one sample a second
    assert card.history == type(card.history)([(100.0, 40.0), (110.0, 55.0)])
    assert card.trend() == 15.0
    assert not card.is_stale(139.0)
    assert card.is_stale(141.0) and card.caption(141.0) == "stale: nothing for 31 s"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"show": "median", "field": "x"}, "show: 'median' is not one of"),
        ({"show": "avg"}, "show = 'avg' needs a field"),
        ({"field": "x", "style": "roman"}, "roman"),
        ({"field": "x", "window": 0}, "window must be longer than 0"),
    ],
)
def test_card_specs_that_cannot_work(spec: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CardSpec("x", **spec)


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
    [(1, 1.0), (2.5, 2.5), ("3", 3.0), ("x", None), (True, None), (None, None), ([1], None),
     (np.int64(7), 7.0), (np.float32(0.5), 0.5), (np.bool_(True), None)],
)  # fmt: skip
def test_as_number(value: object, number: float | None) -> None:
    assert as_number(value) == number


def test_ring_series_wraps_and_keeps_time_order() -> None:
    ring = RingSeries(limit=4, initial=2)  # grows to 4, then wraps
    for i in range(6):
        ring.append(float(i), float(i * 10))
    t, v = ring.arrays()
    assert t.tolist() == [2.0, 3.0, 4.0, 5.0]
    assert v.tolist() == [20.0, 30.0, 40.0, 50.0]
    assert ring.first_time() == 2.0
    t, v = ring.arrays(since=4.0)
    assert t.tolist() == [4.0, 5.0] and isinstance(v, np.ndarray)


def test_chart_data_splits_by_source() -> None:
    chart = ChartData(ChartSpec("CPU", (SeriesSpec("metrics.update", "cpu", split_by="source"),)))
    grown = chart.fold(reports())
    assert grown == {(0, "web-1"), (0, "web-2")}
    assert chart.lines[(0, "web-1")].arrays()[1].tolist() == [10.0, 50.0]
    assert chart.lines[(0, "web-2")].arrays()[0].tolist() == [2.0]
    assert chart.line_name((0, "web-1")) == "web-1"


def test_count_series_per_interval_with_quiet_intervals_at_zero() -> None:
    spec = ChartSpec(
        "Orders",
        (
            SeriesSpec("order.placed", interval=10.0),
            SeriesSpec(query="severity>=warning", split_by="type"),
        ),
        markers="type:deploy",
    )
    chart = ChartData(spec)
    events = [make_event("order.placed", {}, time=t) for t in (1.0, 4.0, 12.0, 41.0)]
    events.append(make_event("payment.failed", {}, time=5.0, severity=Severity.WARNING))
    events.append(make_event("deploy", {"version": "1.2"}, time=20.0))
    chart.fold(events)
    t, v = chart.lines[(0, "")].arrays()
    assert t.tolist() == [0.0, 10.0, 20.0, 30.0, 40.0] and v.tolist() == [2, 1, 0, 0, 1]
    t, v = chart.arrays((0, ""), since=0.0, now=75.0)  # nothing since 41 s: down to zero
    assert t.tolist()[-2:] == [50.0, 70.0] and v.tolist()[-2:] == [0.0, 0.0]
    assert chart.lines[(1, "payment.failed")].arrays()[1].tolist() == [1.0]
    assert chart.line_name((0, "")) == "order.placed per 10 s"
    assert chart.line_name((1, "payment.failed")) == "severity>=warning per 10 s payment.failed"
    assert chart.markers == [(20.0, "deploy")]


def test_a_split_with_too_many_values_is_capped() -> None:
    chart = ChartData(ChartSpec("x", (SeriesSpec("m", "v", split_by="data.id"),)))
    chart.fold([make_event("m", {"v": 1, "id": i}) for i in range(100)])
    assert len(chart.lines) == 64 and len(chart.dropped_lines) == 36
    assert chart.not_drawn() == (
        "36 lines not drawn (at most 64 per series: split by a field with fewer values)"
    )


def test_events_too_late_for_their_count_are_counted_apart() -> None:
    def at(t: float) -> Event:
        return make_event("m", time=t)

    chart = ChartData(ChartSpec("x", (SeriesSpec("m", interval=1.0),), window=3600.0))
    chart.fold([at(float(t)) for t in range(100)])  # one per second for 100 s
    assert chart.not_drawn() == ""
    chart.fold([at(50.5), at(10.5), at(10.2)])  # 50 intervals back: added; 90 back: not
    _, counts = chart.lines[(0, "")].arrays()
    assert counts[50] == 2 and counts[10] == 1
    assert chart.late_dropped == 2
    assert chart.not_drawn() == "2 events too late to count (over 64 intervals behind their line)"
    chart.fold([at(-4000.0)])  # off the chart's window anyway: not worth a word
    assert chart.late_dropped == 2


def test_values_that_are_not_finite_or_from_the_future_are_kept_in_check() -> None:
    chart = ChartData(ChartSpec("x", (SeriesSpec("m", "v"), SeriesSpec("m", interval=10.0))))
    ahead = make_event("m", {"v": 1}, time=5_000.0)
    ahead.received = 1_000.0  # a producer an hour and more ahead of us
    chart.fold([make_event("m", {"v": "NaN"}), make_event("m", {"v": "inf"}), ahead])
    t, v = chart.lines[(0, "")].arrays()
    assert t.tolist() == [1_005.0] and v.tolist() == [1.0]  # drawn when it arrived (+5 s)
    chart.fold([make_event("m", {"v": 3}, time=1_012.0)])
    chart.fold([make_event("m", {"v": 2}, time=1_003.0)])  # late: counts where it belongs
    t, v = chart.lines[(1, "")].arrays()
    assert t.tolist() == [1_000.0, 1_010.0] and v.tolist() == [4, 1]  # every event counted


@pytest.mark.parametrize(("limit", "initial"), [(8, 2), (8, 8), (100, 4), (5, 5)])
def test_extending_a_ring_is_appending_point_by_point(limit: int, initial: int) -> None:
    rng = random.Random(limit * 31 + initial)
    one_by_one, at_once = RingSeries(limit, initial), RingSeries(limit, initial)
    counter = 0
    for _ in range(40):
        n = rng.choice([0, 1, 2, 3, limit - 1, limit, limit + 3, 2 * limit + 1])
        t = [float(counter + i) for i in range(n)]
        v = [x * 10 for x in t]
        counter += n
        for point in zip(t, v, strict=True):
            one_by_one.append(*point)
        at_once.extend(t, v)
        assert len(at_once) == len(one_by_one) and at_once.capacity == one_by_one.capacity
        for mine, theirs in zip(at_once.arrays(), one_by_one.arrays(), strict=True):
            assert mine.tolist() == theirs.tolist()


def test_a_point_that_arrives_out_of_time_order_is_put_in_its_place() -> None:
    ring = RingSeries(limit=4, initial=2)
    for t, v in ((1.0, 10.0), (3.0, 30.0), (2.0, 20.0), (4.0, 40.0), (2.5, 25.0)):
        ring.append(t, v)  # the ring now holds the newest four: 3, 2, 4, 2.5
    t, v = ring.arrays()
    assert t.tolist() == [2.0, 2.5, 3.0, 4.0] and v.tolist() == [20.0, 25.0, 30.0, 40.0]
    t, v = ring.arrays(since=2.5)
    assert t.tolist() == [2.5, 3.0, 4.0] and v.tolist() == [25.0, 30.0, 40.0]


@pytest.mark.parametrize("show", ["mean", "rate"])
def test_a_card_keeps_at_most_max_sources_the_least_recent_forgotten(
    show: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.core.panels import cards

    monkeypatch.setattr(cards, "MAX_SOURCES", 2)
    card = CardState(CardSpec("Load", "metrics.update", "load", show))

    def report(source: str, value: float, at: float) -> Event:
        return make_event("metrics.update", {"load": value}, source=source, time=at)

    card.fold([report("a", 10, 1.0), report("b", 20, 1.0)])
    card.fold([report("a", 11, 2.0)])  # a heard from again: b is the least recent now
    card.fold([report("c", 40, 3.0)])
    kept = card.latest if show == "mean" else card._counters
    assert [source for _conn, source in kept] == ["a", "c"]
    if show == "mean":
        assert card.value(3.0) == (11 + 40) / 2
    for n in range(500):  # a feed inventing sources: the card stays at its bound
        card.fold([report(f"host-{n}", n, 4.0 + n)])
    assert len(kept) == 2
