"""Card display: value formatting per style, threshold levels, value mappings, their errors."""

from __future__ import annotations

import math
from typing import Any

import pytest

from dashboard.core.panels.cardformat import (
    STYLES,
    Thresholds,
    ValueMapping,
    format_value,
    map_value,
)

NAN = math.nan
INF = math.inf
KIB = 1024
GIB = 1024**3


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (0, "", None, "0"),
        (0.0, "", None, "0"),
        (-0.0, "", None, "0"),
        (41.5, "", None, "41.5"),
        (41.5, "%", None, "41.5 %"),
        (1234567, "", None, "1,234,567"),
        (1234567.0, "", None, "1,234,567"),
        (-1234567, "req", None, "-1,234,567 req"),
        (1234.5678, "", None, "1,234.57"),
        (0.123456, "", None, "0.12"),
        (0.0012345, "", None, "0.0012"),  # below 1: two significant digits
        (-0.0012345, "", None, "-0.0012"),
        (2.999, "", None, "3"),  # trailing zeros dropped after rounding
        (0.1 + 0.2, "", None, "0.3"),
        (2**70, "", None, "1,180,591,620,717,411,303,424"),  # ints stay exact
        (41.5, "", 0, "42"),
        (41.5, "", 3, "41.500"),
        (1234567, "", 2, "1,234,567.00"),
        (-0.001, "", 2, "0.00"),  # no "-0.00"
        (NAN, "%", None, "—"),
        (INF, "%", None, "∞"),
        (-INF, "", 2, "-∞"),
    ],
)
def test_number(value: float, unit: str, decimals: int | None, text: str) -> None:
    assert format_value(value, "number", unit, decimals) == text


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (0, "", None, "0"),
        (0, "s", None, "0 s"),
        (-0.0, "", None, "0"),
        (1, "", None, "1"),
        (999, "", None, "999"),
        (1000, "", None, "1 k"),
        (1500, "", None, "1.5 k"),
        (1234, "", None, "1.23 k"),
        (12345, "", None, "12.3 k"),
        (123456, "", None, "123 k"),
        (-1500, "", None, "-1.5 k"),
        (2_500_000, "req", None, "2.5 Mreq"),
        (3e9, "B", None, "3 GB"),
        (4e12, "", None, "4 T"),
        (5e15, "", None, "5 P"),
        (1.5e18, "", None, "1,500 P"),  # no prefix above P
        (0.5, "", None, "500 m"),
        (0.0021, "s", None, "2.1 ms"),
        (0.0000021, "s", None, "2.1 µs"),
        (0.0000000021, "s", None, "2.1 ns"),
        (1e-12, "", None, "0.001 n"),  # no prefix below n
        # Rounding up to a prefix's bound moves to the next prefix.
        (999.5, "", None, "1 k"),
        (999_999, "", None, "1 M"),
        (999_950, "", None, "1 M"),
        (999_499, "", None, "999 k"),
        (999_500, "", None, "1 M"),
        (999_999, "", 1, "1.0 M"),
        (999_940, "", 1, "999.9 k"),
        (0.00099999, "s", None, "1 ms"),
        (1500, "", 2, "1.50 k"),
        (3000, "", 1, "3.0 k"),
        (512, "", 1, "512.0"),
        (NAN, "s", None, "—"),
        (INF, "s", None, "∞"),
        (-INF, "s", None, "-∞"),
    ],
)
def test_si(value: float, unit: str, decimals: int | None, text: str) -> None:
    assert format_value(value, "si", unit, decimals) == text


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (0, "", None, "0 %"),
        (0.415, "", None, "41.5 %"),
        (0.07, "", None, "7 %"),  # 0.07 * 100 is 7.000000000000001
        (1, "", None, "100 %"),
        (1.5, "", None, "150 %"),
        (-0.25, "", None, "-25 %"),
        (0.123456, "", None, "12.35 %"),
        (0.123456, "", 1, "12.3 %"),
        (0.00001, "", None, "0.001 %"),
        (0.415, "ratio", None, "41.5 %"),  # the unit is ignored
        (NAN, "", None, "—"),
        (INF, "", None, "∞"),
        (-INF, "", None, "-∞"),
    ],
)
def test_percent(value: float, unit: str, decimals: int | None, text: str) -> None:
    assert format_value(value, "percent", unit, decimals) == text


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (0, "", None, "0 B"),
        (1, "", None, "1 B"),
        (512, "", None, "512 B"),
        (512, "", 2, "512 B"),  # whole bytes whatever the decimals
        (1023, "", None, "1023 B"),
        (1023.7, "", None, "1.0 KiB"),  # rounds to 1024 B
        (1024, "", None, "1.0 KiB"),
        (1536, "", None, "1.5 KiB"),
        (1536, "", 2, "1.50 KiB"),
        (1536, "", 0, "2 KiB"),
        (-1536, "", None, "-1.5 KiB"),
        (-0.2, "", None, "0 B"),
        (1024**2 - 1, "", None, "1.0 MiB"),  # 1023.999 KiB
        (1023.9 * KIB, "", None, "1023.9 KiB"),
        (3 * GIB, "", None, "3.0 GiB"),
        (3 * GIB, "bits", None, "3.0 GiB"),  # the unit is ignored
        (5 * 1024**4, "", None, "5.0 TiB"),
        (6 * 1024**5, "", None, "6.0 PiB"),
        (7 * 1024**6, "", None, "7.0 EiB"),
        (2000 * 1024**6, "", None, "2,000.0 EiB"),  # no prefix above EiB
        (NAN, "", None, "—"),
        (INF, "", None, "∞"),
        (-INF, "", None, "-∞"),
    ],
)
def test_bytes(value: float, unit: str, decimals: int | None, text: str) -> None:
    assert format_value(value, "bytes", unit, decimals) == text


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (0, "", None, "0 s"),
        (-0.0, "s", None, "0 s"),
        (1.5e-10, "", None, "0.15 ns"),
        (850e-6, "", None, "850 µs"),
        (0.25, "", None, "250 ms"),
        (0.0125, "", None, "12.5 ms"),
        (0.99996, "", None, "1 s"),  # 999.96 ms rounds to a second
        (1.234, "", None, "1.23 s"),
        (42, "", None, "42 s"),
        (42, "s", None, "42 s"),
        (59.4, "", None, "59.4 s"),
        (59.96, "", None, "1 min"),  # rounds to a minute, not "60 s"
        (60, "", None, "1 min"),
        (125, "", None, "2 min 5 s"),
        (125.6, "", None, "2 min 6 s"),
        (-125, "", None, "-2 min 5 s"),
        (3599.6, "", None, "1 h"),
        (3600, "", None, "1 h"),
        (3659, "", None, "1 h 1 min"),  # rounded to minutes, not cut
        (3725, "", None, "1 h 2 min"),
        (86399, "", None, "1 d"),
        (90061, "", None, "1 d 1 h"),
        (1e9, "", None, "11,574 d 2 h"),
        # The unit says what the value is in.
        (250, "ms", None, "250 ms"),
        (125_000, "ms", None, "2 min 5 s"),
        (850, "us", None, "850 µs"),
        (850, "µs", None, "850 µs"),
        (5, "ns", None, "5 ns"),
        (90, "min", None, "1 h 30 min"),
        (1.5, "h", None, "1 h 30 min"),
        (2, "d", None, "2 d"),
        # Decimals apply to the one-unit form only.
        (42, "", 1, "42.0 s"),
        (0.25, "", 2, "250.00 ms"),
        (125, "", 2, "2 min 5 s"),
        (59.96, "", 1, "1 min"),
        (NAN, "ms", None, "—"),
        (INF, "", None, "∞"),
        (-INF, "", None, "-∞"),
    ],
)
def test_duration(value: float, unit: str, decimals: int | None, text: str) -> None:
    assert format_value(value, "duration", unit, decimals) == text


def test_default_style_is_number() -> None:
    assert format_value(1234.5) == "1,234.5"


@pytest.mark.parametrize("style", STYLES)
def test_every_style_takes_ints_floats_and_special_values(style: str) -> None:
    assert format_value(NAN, style) == "—"
    assert format_value(INF, style) == "∞"
    assert format_value(-INF, style) == "-∞"
    assert format_value(3, style) == format_value(3.0, style)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: format_value(1, "money"),
            ValueError,
            r"unknown display style 'money' \(expected one of number, si, percent, bytes, "
            r"duration\)",
        ),
        (
            lambda: format_value(1, "duration", "years"),
            ValueError,
            r"duration: unknown unit 'years' \(expected one of s, ms, us, ",
        ),
        (lambda: format_value(1, "number", "", -1), ValueError, "decimals: .* got -1"),
        (lambda: format_value(1, "number", "", 1.5), ValueError, "decimals: .* got 1.5"),
        (lambda: format_value(1, "number", "", True), ValueError, "decimals: .* got True"),
        (lambda: format_value("12"), TypeError, "expected a number to format, got str"),
        (lambda: format_value(True), TypeError, "expected a number to format, got bool"),
    ],
)
def test_format_errors(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


# Thresholds


@pytest.mark.parametrize(
    ("thresholds", "value", "level"),
    [
        # Higher is worse; each level is reached at its value.
        (Thresholds(warning=70, critical=90), 0, "ok"),
        (Thresholds(warning=70, critical=90), 69.9, "ok"),
        (Thresholds(warning=70, critical=90), 70, "warning"),
        (Thresholds(warning=70, critical=90), 89.9, "warning"),
        (Thresholds(warning=70, critical=90), 90, "critical"),
        (Thresholds(warning=70, critical=90), 1e9, "critical"),
        (Thresholds(warning=70, critical=90), -5, "ok"),
        # critical < warning: lower is worse (free disk).
        (Thresholds(warning=20, critical=10), 50, "ok"),
        (Thresholds(warning=20, critical=10), 20.1, "ok"),
        (Thresholds(warning=20, critical=10), 20, "warning"),
        (Thresholds(warning=20, critical=10), 10.5, "warning"),
        (Thresholds(warning=20, critical=10), 10, "critical"),
        (Thresholds(warning=20, critical=10), -1, "critical"),
        # Equal: higher is worse, and critical wins.
        (Thresholds(warning=50, critical=50), 50, "critical"),
        (Thresholds(warning=50, critical=50), 49, "ok"),
        # One-sided: higher is worse unless below is set.
        (Thresholds(warning=70), 69, "ok"),
        (Thresholds(warning=70), 70, "warning"),
        (Thresholds(warning=70), 1000, "warning"),
        (Thresholds(critical=90), 89, "ok"),
        (Thresholds(critical=90), 95, "critical"),
        (Thresholds(warning=20, below=True), 25, "ok"),
        (Thresholds(warning=20, below=True), 20, "warning"),
        (Thresholds(warning=20, below=True), 0, "warning"),
        (Thresholds(critical=5, below=True), 3, "critical"),
        (Thresholds(critical=5, below=True), 6, "ok"),
        # Explicit direction that agrees with the order.
        (Thresholds(warning=70, critical=90, below=False), 80, "warning"),
        (Thresholds(warning=20, critical=10, below=True), 5, "critical"),
        # Nothing set, nothing to show, nothing known.
        (Thresholds(), 1e9, "ok"),
        (Thresholds(warning=70, critical=90), None, "ok"),
        (Thresholds(warning=70, critical=90), NAN, "ok"),
        (Thresholds(warning=20, critical=10), NAN, "ok"),
        (Thresholds(warning=70, critical=90), INF, "critical"),
        (Thresholds(warning=20, critical=10), -INF, "critical"),
    ],
)
def test_threshold_level(thresholds: Thresholds, value: float | None, level: str) -> None:
    assert thresholds.level(value) == level


@pytest.mark.parametrize(
    ("thresholds", "lower_is_worse"),
    [
        (Thresholds(), False),
        (Thresholds(warning=70, critical=90), False),
        (Thresholds(warning=20, critical=10), True),
        (Thresholds(warning=20), False),
        (Thresholds(warning=20, below=True), True),
        (Thresholds(critical=10, below=False), False),
    ],
)
def test_threshold_direction(thresholds: Thresholds, lower_is_worse: bool) -> None:
    assert thresholds.lower_is_worse is lower_is_worse


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({}, Thresholds()),
        ({"warning": 70, "critical": 90}, Thresholds(70, 90)),
        ({"warning": 20.5, "critical": 10}, Thresholds(20.5, 10)),
        ({"critical": 5, "below": True}, Thresholds(critical=5, below=True)),
    ],
)
def test_thresholds_from_table(table: dict[str, Any], expected: Thresholds) -> None:
    assert Thresholds.from_table(table) == expected


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"warning": "high"}, r"^thresholds\.warning: expected a number, got 'high'$"),
        ({"critical": True}, r"^thresholds\.critical: expected a number, got True$"),
        ({"critical": NAN}, r"^thresholds\.critical: expected a number, got nan$"),
        ({"warning": INF}, r"^thresholds\.warning: expected a finite number, got inf$"),
        (
            {"warn": 70},
            r"^thresholds: unknown key 'warn' \(expected warning, critical, below\)$",
        ),
        ({"below": "yes"}, r"^thresholds\.below: expected true or false, got 'yes'$"),
        ([70, 90], r"^thresholds: expected a table, got \[70, 90\]$"),
        (
            {"warning": 20, "critical": 10, "below": False},
            r"^thresholds: critical \(10\) is below warning \(20\), but below = false",
        ),
        (
            {"warning": 70, "critical": 90, "below": True},
            r"^thresholds: critical \(90\) is above warning \(70\), but below = true",
        ),
    ],
)
def test_thresholds_table_errors(table: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Thresholds.from_table(table)


def test_thresholds_errors_name_where_they_are() -> None:
    with pytest.raises(ValueError, match=r"^cards\[2\]\.thresholds\.warning: expected a number"):
        Thresholds.from_table({"warning": "x"}, "cards[2].thresholds")
    with pytest.raises(ValueError, match=r"^thresholds\.warning: expected a number"):
        Thresholds(warning="x")  # type: ignore[arg-type]


# Value mappings


@pytest.mark.parametrize(
    ("mapping", "value", "matches"),
    [
        # A number matches numerically, numeric strings included, booleans not.
        (ValueMapping("OK", value=200), 200, True),
        (ValueMapping("OK", value=200), 200.0, True),
        (ValueMapping("OK", value=200), "200", True),
        (ValueMapping("OK", value=200), "200.0", True),
        (ValueMapping("OK", value=200), 201, False),
        (ValueMapping("OK", value=200), "OK", False),
        (ValueMapping("on", value=1), True, False),
        (ValueMapping("half", value=0.5), "0.5", True),
        # A string matches as text.
        (ValueMapping("Up", value="up"), "up", True),
        (ValueMapping("Up", value="up"), "UP", False),
        (ValueMapping("Up", value="up"), "up ", False),
        (ValueMapping("OK", value="200"), 200, True),
        (ValueMapping("OK", value="200"), 200.0, True),
        (ValueMapping("yes", value="true"), True, True),
        # A boolean matches only that boolean.
        (ValueMapping("on", value=True), True, True),
        (ValueMapping("on", value=True), False, False),
        (ValueMapping("on", value=True), 1, False),
        (ValueMapping("on", value=True), "true", False),
        (ValueMapping("off", value=False), False, True),
        (ValueMapping("off", value=False), 0, False),
        # A range is inclusive, numeric strings included.
        (ValueMapping("low", range=(0, 10)), 0, True),
        (ValueMapping("low", range=(0, 10)), 10, True),
        (ValueMapping("low", range=(0, 10)), 5.5, True),
        (ValueMapping("low", range=(0, 10)), "7", True),
        (ValueMapping("low", range=(0, 10)), 10.01, False),
        (ValueMapping("low", range=(0, 10)), -0.01, False),
        (ValueMapping("low", range=(0, 10)), "seven", False),
        (ValueMapping("low", range=(0, 10)), True, False),
        (ValueMapping("low", range=(0, 10)), NAN, False),
        (ValueMapping("neg", range=(-INF, 0)), -1e300, True),
        (ValueMapping("one", range=(1, 1)), 1, True),
        # A pattern is searched in the value as text.
        (ValueMapping("5xx", pattern=r"^5\d\d$"), 503, True),
        (ValueMapping("5xx", pattern=r"^5\d\d$"), 503.0, True),
        (ValueMapping("5xx", pattern=r"^5\d\d$"), "503", True),
        (ValueMapping("5xx", pattern=r"^5\d\d$"), 200, False),
        (ValueMapping("err", pattern="err"), "disk error", True),
        (ValueMapping("err", pattern="err"), "fine", False),
        (ValueMapping("half", pattern=r"^0\.5$"), 0.5, True),
        (ValueMapping("on", pattern="^true$"), True, True),
        # A missing value matches nothing.
        (ValueMapping("none", pattern=""), None, False),
        (ValueMapping("none", value="None"), None, False),
    ],
)
def test_mapping_matches(mapping: ValueMapping, value: object, matches: bool) -> None:
    assert mapping.matches(value) is matches


def test_first_matching_mapping_wins() -> None:
    mappings = [
        ValueMapping("OK", colour="ok", value=200),
        ValueMapping("Client error", colour="warning", range=(400, 499)),
        ValueMapping("Not found", colour="muted", value=404),  # shadowed by the range
        ValueMapping("Server error", colour="critical", pattern=r"^5"),
    ]
    assert map_value(mappings, 200) is mappings[0]
    assert map_value(mappings, 404) is mappings[1]
    assert map_value(mappings, "503") is mappings[3]
    assert map_value(mappings, 302) is None
    assert map_value(mappings, None) is None
    assert map_value([], 200) is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [("", "41.5 %"), ("Busy", "Busy"), ("{value} (busy)", "41.5 % (busy)")],
)
def test_mapping_display_text(text: str, shown: str) -> None:
    assert ValueMapping(text, value=1).display_text("41.5 %") == shown


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"text": "Up", "value": "up"}, ValueMapping("Up", value="up")),
        ({"value": 0, "colour": "critical"}, ValueMapping("", colour="critical", value=0)),
        ({"text": "low", "range": [0, 10]}, ValueMapping("low", range=(0.0, 10.0))),
        ({"text": "x", "range": [-INF, 0]}, ValueMapping("x", range=(-INF, 0.0))),
        ({"text": "5xx", "pattern": "^5", "colour": "#f00"}, None),
        ({"text": "5xx", "pattern": "^5", "colour": "#FF8800"}, None),
        ({"text": "off", "value": False, "colour": "muted"}, None),
    ],
)
def test_mapping_from_table(table: dict[str, Any], expected: ValueMapping | None) -> None:
    mapping = ValueMapping.from_table(table, "mappings[1]")
    if expected is not None:
        assert mapping == expected
    for key, value in table.items():
        assert getattr(mapping, key) == (tuple(value) if key == "range" else value)


def test_mapping_range_is_a_hashable_tuple() -> None:
    mapping = ValueMapping.from_table({"range": [1, 2]}, "mappings[1]")
    assert mapping.range == (1.0, 2.0)
    assert hash(mapping) == hash(ValueMapping("", range=(1, 2)))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"text": "x"}, r"^mappings\[2\]: give exactly one of value, range or pattern$"),
        (
            {"text": "x", "value": 1, "pattern": "a"},
            r"^mappings\[2\]: give exactly one of value, range or pattern "
            r"\(got value and pattern\)$",
        ),
        (
            {"text": "x", "value": 1, "range": [1, 2], "pattern": "a"},
            r"\(got value and range and pattern\)$",
        ),
        (
            {"text": "x", "pattern": "("},
            r"^mappings\[2\]\.pattern: invalid regular expression '\(': missing \), "
            r"unterminated subpattern",
        ),
        ({"text": "x", "pattern": 5}, r"^mappings\[2\]\.pattern: expected a string, got 5$"),
        ({"text": "x", "range": [5, 1]}, r"^mappings\[2\]\.range: low \(5\) is above high \(1\)$"),
        ({"text": "x", "range": [1]}, r"^mappings\[2\]\.range: expected \[low, high\], got \[1\]$"),
        ({"text": "x", "range": "1-2"}, r"^mappings\[2\]\.range: expected \[low, high\]"),
        ({"text": "x", "range": [1, "9"]}, r"^mappings\[2\]\.range: expected a number, got '9'$"),
        ({"text": "x", "range": [NAN, 1]}, r"^mappings\[2\]\.range: expected a number, got nan$"),
        (
            {"text": "x", "value": [1]},
            r"^mappings\[2\]\.value: expected a string, number or boolean, got \[1\]$",
        ),
        ({"text": "x", "value": NAN}, r"^mappings\[2\]\.value: expected a number, got nan$"),
        ({"text": 3, "value": 1}, r"^mappings\[2\]\.text: expected a string, got 3$"),
        (
            {"text": "x", "value": 1, "colour": "red"},
            r"^mappings\[2\]\.colour: expected ok, warning, critical, muted or a #rrggbb "
            r"colour, got 'red'$",
        ),
        ({"text": "x", "value": 1, "colour": "#12345"}, r"colour, got '#12345'$"),
        ({"text": "x", "value": 1, "colour": "#ggg"}, r"colour, got '#ggg'$"),
        (
            {"text": "x", "value": 1, "color": "ok"},
            r"^mappings\[2\]: unknown key 'color' "
            r"\(expected text, colour, value, range, pattern\)$",
        ),
        ("up", r"^mappings\[2\]: expected a table, got 'up'$"),
    ],
)
def test_mapping_table_errors(table: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ValueMapping.from_table(table, "mappings[2]")


def test_mapping_constructor_validates_too() -> None:
    with pytest.raises(ValueError, match=r"^mapping: give exactly one of value, range or pattern"):
        ValueMapping("x")
    with pytest.raises(ValueError, match=r"^mapping\.pattern: invalid regular expression"):
        ValueMapping("x", pattern="[")
