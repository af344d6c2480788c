"""Series colours, the units a chart's series are drawn in, lines per connection, and
right-to-left text isolated in the JSON view's lines."""

from __future__ import annotations

import itertools

import pytest

from dashboard.core.layouts.layoutfile import dumps, loads
from dashboard.core.panels.bidi import FSI, PDI, isolated, strip_isolates
from dashboard.core.panels.palette import (
    DASHES,
    SERIES_ON_DARK,
    SERIES_ON_LIGHT,
    contrast,
    distance,
    series_style,
)
from dashboard.core.panels.prettyjson import pretty_lines
from dashboard.core.panels.series import ChartData, ChartSpec, SeriesSpec, unit_from_name
from tests.unit.factories import make_event

DARK_PLOT, LIGHT_PLOT = "#262a31", "#ffffff"  # the themes' plot backgrounds (ui.theme)


@pytest.mark.parametrize(
    ("colours", "plot"), [(SERIES_ON_DARK, DARK_PLOT), (SERIES_ON_LIGHT, LIGHT_PLOT)]
)
def test_twelve_distinct_series_colours_that_read_on_their_background(
    colours: tuple[str, ...], plot: str
) -> None:
    assert len(colours) == len(set(colours)) == 12
    assert min(contrast(c, plot) for c in colours) >= 3.0  # WCAG, lines and marks
    assert min(distance(a, b) for a, b in itertools.combinations(colours, 2)) >= 20.0


def test_past_twelve_lines_the_colours_come_round_with_another_dash() -> None:
    styles = [series_style(i) for i in range(48)]
    assert len(set(styles)) == 48
    assert styles[0] == (SERIES_ON_DARK[0], "solid")
    assert styles[12] == (SERIES_ON_DARK[0], "dash")
    assert series_style(13, on_dark=False) == (SERIES_ON_LIGHT[1], "dash")
    assert [series_style(12 * n)[1] for n in range(5)] == [*DASHES, "solid"]


def test_the_contrast_and_distance_arithmetic() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    assert distance("#ff0000", "#ff0000") == 0.0
    with pytest.raises(ValueError, match="'red' is not a #rrggbb colour"):
        contrast("red", "#ffffff")


@pytest.mark.parametrize(
    ("field", "unit"),
    [
        ("cpu", "%"),
        ("host.cpu_pct", "%"),
        ("latency_ms", "ms"),
        ("heap.used_bytes", "B"),
        ("memory_mb", "MB"),
        ("duration_seconds", "s"),
        ("memory", ""),
        ("requests", ""),
    ],
)
def test_a_fields_name_may_say_its_unit(field: str, unit: str) -> None:
    assert unit_from_name(field) == unit


def test_series_of_another_unit_go_on_the_second_axis() -> None:
    spec = ChartSpec(
        "CPU and memory",
        (
            SeriesSpec("metrics.update", "cpu"),
            SeriesSpec("metrics.update", "memory", unit="MB"),
            SeriesSpec("metrics.update", "load"),  # no unit of its own: the chart's
            SeriesSpec("", interval=10.0),
        ),
        unit="%",
    )
    assert [spec.unit_of(s) for s in spec.series] == ["%", "MB", "%", "per 10 s"]
    assert spec.units() == ["%", "MB", "per 10 s"]
    data = ChartData(spec)
    assert [data.axis_of(i) for i in range(4)] == [0, 1, 0, 1]


def test_two_feeds_with_the_same_sources_draw_a_line_each_unless_merged() -> None:
    def events() -> list:
        return [
            make_event(data={"cpu": 10}, source="web-1", time=1.0, connection="east"),
            make_event(data={"cpu": 90}, source="web-1", time=2.0, connection="west"),
            make_event(data={"cpu": 12}, source="web-1", time=3.0, connection="east"),
            make_event(data={"cpu": 88}, source="web-1", time=4.0, connection="west"),
        ]

    apart = ChartData(ChartSpec("c", (SeriesSpec("metrics.update", "cpu", split_by="source"),)))
    apart.fold(events())
    assert sorted(apart.lines) == [(0, "web-1"), (0, "web-1 · west")]
    assert list(apart.lines[(0, "web-1")].arrays()[1]) == [10.0, 12.0]  # no comb
    assert list(apart.lines[(0, "web-1 · west")].arrays()[1]) == [90.0, 88.0]
    assert apart.line_name((0, "web-1 · west")) == "web-1 · west"

    whole = ChartData(ChartSpec("c", (SeriesSpec("metrics.update", "cpu"),)))
    whole.fold(events())
    assert sorted(whole.lines) == [(0, ""), (0, "west")]
    assert whole.line_name((0, "west")) == "cpu · west"

    merged = ChartData(
        ChartSpec("c", (SeriesSpec("metrics.update", "cpu", "", "source", merge_connections=True),))
    )
    merged.fold(events())
    assert list(merged.lines) == [(0, "web-1")]
    assert list(merged.lines[(0, "web-1")].arrays()[1]) == [10.0, 90.0, 12.0, 88.0]


def test_the_layout_keys_unit_and_merge_connections_round_trip() -> None:
    text = """
[[charts]]
title = "CPU"
unit = "%"
[[charts.series]]
type = "metrics.update"
field = "memory"
unit = "MB"
merge_connections = true
"""
    layout = loads(text)
    (series,) = layout.charts[0].series
    assert (series.unit, series.merge_connections) == ("MB", True)
    assert loads(dumps(layout)).charts == layout.charts
    with pytest.raises(ValueError, match="merge_connections: expected true or false, got 'yes'"):
        loads(text.replace("merge_connections = true", "merge_connections = 'yes'"))


def test_right_to_left_strings_are_isolated_and_their_tokens_follow() -> None:
    lines = [isolated(line) for line in pretty_lines({"שם": "שלום עולם", "n": [1, "abc"]})]
    line = lines[1]
    assert line.text == f'  "{FSI}שם{PDI}": "{FSI}שלום עולם{PDI}",'
    assert [(line.text[t.start : t.start + t.length], t.kind) for t in line.tokens] == [
        (f'"{FSI}שם{PDI}"', "key"),
        (":", "punctuation"),
        (f'"{FSI}שלום עולם{PDI}"', "string"),
        (",", "punctuation"),
    ]
    plain = pretty_lines({"n": [1, "abc"]})
    assert [isolated(p) for p in plain] == plain  # left-to-right lines as they were
    assert strip_isolates(line.text) == '  "שם": "שלום עולם",'
