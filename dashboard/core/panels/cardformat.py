"""How a metric card shows a figure: its text, its threshold level, its value mappings.

Pure and Qt-free. Colours are the UI theme's business: a level here is a name (``ok``,
``warning``, ``critical``, ``muted``); the only colour syntax this module knows is the
``#rgb`` / ``#rrggbb`` a mapping may give instead of a level, and it only validates it.

Every style shows NaN as ``—`` and infinities as ``∞`` / ``-∞`` (without the unit).
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from numbers import Real
from typing import Any

from dashboard.core.events.fieldpath import as_number

__all__ = [
    "LEVELS",
    "MAPPING_LEVELS",
    "NAN_TEXT",
    "STYLES",
    "Thresholds",
    "ValueMapping",
    "format_value",
    "map_value",
]

STYLES = ("number", "si", "percent", "bytes", "duration")
LEVELS = ("ok", "warning", "critical")  # what Thresholds.level returns, best first
MAPPING_LEVELS = (*LEVELS, "muted")  # the level names a mapping's colour may use

NAN_TEXT = "—"
_SI_PREFIXES = {-3: "n", -2: "µ", -1: "m", 0: "", 1: "k", 2: "M", 3: "G", 4: "T", 5: "P"}
_BINARY_PREFIXES = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
# What a duration's value is in, as seconds.
_DURATION_UNITS = {"": 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "μs": 1e-6}
_DURATION_UNITS |= {"ns": 1e-9, "min": 60.0, "h": 3600.0, "d": 86400.0}
_COMPOUND = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))  # largest first
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def format_value(
    value: float, style: str = "number", unit: str = "", decimals: int | None = None
) -> str:
    """*value* as a card shows it in *style* (one of `STYLES`).

    - ``number``: ``1,234,567``, ``41.5 %`` (unit after a space). By default integral values
      get no decimals and others up to 2, trailing zeros dropped (below 1, enough for two
      significant digits: ``0.0012``); *decimals* fixes the count.
    - ``si``: SI prefixes n µ m k M G T P, glued to the unit: ``1.5 k``, ``2.5 Mreq``,
      ``2.1 ms``. By default 3 significant digits, trailing zeros dropped.
    - ``percent``: *value* is a fraction (0.415 shows ``41.5 %``), formatted like ``number``;
      *unit* is ignored. A value already in percent is style ``number`` with unit ``%``.
    - ``bytes``: binary prefixes, ``512 B``, ``1.5 KiB``, ``3.0 GiB``: whole bytes, and 1
      decimal (or *decimals*) above. *unit* is ignored.
    - ``duration``: *unit* says what *value* is in (``s`` by default; ``ms``, ``us``/``µs``,
      ``ns``, ``min``, ``h``, ``d``). Below a minute one unit as in ``si`` (``850 µs``,
      ``250 ms``, ``42 s``); above, the two largest units in whole numbers, a zero second
      one dropped (``2 min 5 s``, ``1 h 2 min``, ``1 d 1 h``, ``1 h``). *decimals* applies
      to the one-unit form only.

    Rounding never shows a prefix's upper bound: 999,999 in ``si`` is ``1 M``, not ``1000 k``.
    Raises ValueError for an unknown style or duration unit or a negative *decimals*, and
    TypeError for a value that is not a number (booleans included).
    """
    if style not in STYLES:
        raise ValueError(f"unknown display style {style!r} (expected one of {', '.join(STYLES)})")
    if decimals is not None and (type(decimals) is not int or decimals < 0):
        raise ValueError(f"decimals: expected a whole number 0 or more, got {decimals!r}")
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"expected a number to format, got {type(value).__name__}")
    if style == "duration" and unit not in _DURATION_UNITS:
        units = ", ".join(u for u in _DURATION_UNITS if u)
        raise ValueError(f"duration: unknown unit {unit!r} (expected one of {units})")
    number = float(value)
    if math.isnan(number):
        return NAN_TEXT
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if style == "number":
        return _with_unit(_number(value, decimals), unit)
    if style == "percent":
        return _with_unit(_number(number * 100, decimals), "%")
    sign = "-" if number < 0 else ""
    magnitude = abs(number)
    if style == "si":
        text, prefix = _si(magnitude, decimals, max_exponent=5)
        body = _with_unit(text, prefix + unit)
    elif style == "bytes":
        body = _bytes(magnitude, decimals)
    else:
        body = _duration(magnitude * _DURATION_UNITS[unit], decimals)
    return sign + body if _has_nonzero_digit(body) else body


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def _has_nonzero_digit(text: str) -> bool:
    return any(c in "123456789" for c in text)


def _number(value: float, decimals: int | None) -> str:
    """Thousands separators; *decimals* places, or the automatic rule of ``number``."""
    if decimals is None and isinstance(value, int):
        return f"{value:,}"
    number = float(value)
    if decimals is not None:
        text = f"{number:,.{decimals}f}"
    elif number.is_integer():
        text = f"{number:,.0f}"
    else:
        # Up to 2 decimals; below 1, as many as two significant digits need.
        places = max(2, 1 - math.floor(math.log10(abs(number))))
        text = f"{number:,.{places}f}".rstrip("0").rstrip(".")
    if text.startswith("-") and not _has_nonzero_digit(text):
        text = text[1:]  # -0.001 rounded to "0.00", not "-0.00"
    return text


def _significant(magnitude: float, decimals: int | None) -> str:
    """*magnitude* (>= 0) with *decimals* places, or 3 significant digits without zeros."""
    if decimals is not None:
        return f"{magnitude:.{decimals}f}"
    if magnitude == 0:
        return "0"
    places = max(0, 2 - math.floor(math.log10(magnitude)))
    text = f"{magnitude:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _si(magnitude: float, decimals: int | None, max_exponent: int) -> tuple[str, str]:
    """(number text, SI prefix) for *magnitude* >= 0, the prefix at most 1000**max_exponent."""
    if magnitude == 0:
        return _significant(0.0, decimals), ""
    exponent = min(max(math.floor(math.log10(magnitude) / 3), -3), max_exponent)
    scaled = _scale(magnitude, exponent)
    text = _significant(scaled, decimals)
    if float(text) >= 1000 and exponent < max_exponent:
        # Rounded up to the next prefix's 1: 999,999 is "1 M", not "1000 k".
        exponent += 1
        text = _significant(float(text) / 1000, decimals)
    if float(text) >= 1000:
        text = f"{float(text):,.{len(text.partition('.')[2])}f}"  # above P: 1,500 P
    return text, _SI_PREFIXES[exponent]


def _scale(magnitude: float, exponent: int) -> float:
    # One rounding step with an exact power of ten (10.0**15 and 10.0**9 are exact).
    if exponent >= 0:
        return magnitude / 10.0 ** (3 * exponent)
    return magnitude * 10.0 ** (-3 * exponent)


def _bytes(magnitude: float, decimals: int | None) -> str:
    places = 1 if decimals is None else decimals
    index = 0
    while magnitude >= 1024 and index < len(_BINARY_PREFIXES) - 1:
        magnitude /= 1024  # exact: a power of two
        index += 1
    text = f"{magnitude:.{places if index else 0}f}"
    if float(text) >= 1024 and index < len(_BINARY_PREFIXES) - 1:
        index += 1  # 1023.96 KiB rounds to 1.0 MiB
        text = f"{float(text) / 1024:.{places}f}"
    if index == len(_BINARY_PREFIXES) - 1 and float(text) >= 1000:
        text = f"{float(text):,.{places}f}"  # above EiB: 2,000.0 EiB
    return f"{text} {_BINARY_PREFIXES[index]}"


def _duration(seconds: float, decimals: int | None) -> str:
    if seconds < 60:
        text, prefix = _si(seconds, decimals, max_exponent=0)
        if prefix or float(text) < 60:
            return f"{text} {prefix}s"
        seconds = 60.0  # 59.999 s rounds to a minute
    for (major, major_size), (minor, minor_size) in itertools.pairwise(_COMPOUND):
        count = round(seconds / minor_size)
        if count * minor_size >= major_size:
            whole, rest = divmod(count, major_size // minor_size)
            return f"{whole:,} {major} {rest} {minor}" if rest else f"{whole:,} {major}"
    raise AssertionError("unreachable: seconds >= 60 is at least a minute")


def _check_number(value: object, what: str, *, allow_inf: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{what}: expected a number, got {value!r}")
    if math.isnan(value):
        raise ValueError(f"{what}: expected a number, got nan")
    if math.isinf(value) and not allow_inf:
        raise ValueError(f"{what}: expected a finite number, got {value!r}")


def _check_keys(table: object, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        raise ValueError(f"{where}: expected a table, got {table!r}")
    for key in table:
        if key not in allowed:
            raise ValueError(f"{where}: unknown key {key!r} (expected {', '.join(allowed)})")
    return table


@dataclass(frozen=True)
class Thresholds:
    """Where a card's figure turns ``warning`` and ``critical``; each is reached *at* its value.

    Higher values are worse, unless ``below`` is true, or (``below`` left None) both levels
    are given with critical < warning (free disk: warning 20, critical 10). *where* names
    the thresholds in validation errors (``cards[2].thresholds.warning: ...``).
    """

    warning: float | None = None
    critical: float | None = None
    below: bool | None = None
    where: InitVar[str] = "thresholds"

    def __post_init__(self, where: str) -> None:
        for name in ("warning", "critical"):
            if getattr(self, name) is not None:
                _check_number(getattr(self, name), f"{where}.{name}")
        if self.below is not None and not isinstance(self.below, bool):
            raise ValueError(f"{where}.below: expected true or false, got {self.below!r}")
        warning, critical = self.warning, self.critical
        if warning is None or critical is None or self.below is None:
            return
        if self.below and critical > warning:
            raise ValueError(
                f"{where}: critical ({critical}) is above warning ({warning}), "
                "but below = true says lower values are worse"
            )
        if not self.below and critical < warning:
            raise ValueError(
                f"{where}: critical ({critical}) is below warning ({warning}), "
                "but below = false says higher values are worse"
            )

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "thresholds") -> Thresholds:
        """Thresholds from a layout's TOML table (keys ``warning``, ``critical``, ``below``)."""
        table = _check_keys(table, where, ("warning", "critical", "below"))
        return cls(table.get("warning"), table.get("critical"), table.get("below"), where)

    @property
    def lower_is_worse(self) -> bool:
        """The direction: ``below`` if given, else whether critical < warning."""
        if self.below is not None:
            return self.below
        return (
            self.warning is not None and self.critical is not None and self.critical < self.warning
        )

    def level(self, value: float | None) -> str:
        """``ok``, ``warning`` or ``critical`` for *value*; None and NaN are ``ok``."""
        if value is None:
            return "ok"
        worse = operator.le if self.lower_is_worse else operator.ge
        if self.critical is not None and worse(value, self.critical):
            return "critical"
        if self.warning is not None and worse(value, self.warning):
            return "warning"
        return "ok"


@dataclass(frozen=True)
class ValueMapping:
    """What a card shows instead of a value that matches: a text, a colour, or both.

    Exactly one of ``value`` (exact match: numerically for a number, numeric strings
    included; as text for a string; a boolean matches only that boolean), ``range``
    (inclusive ``(low, high)``, infinities allowed) or ``pattern`` (a regular expression
    searched in the value as text) says what matches. A missing value (None) matches
    nothing. ``text`` may be empty (keep showing the value) or hold ``{value}``, replaced by
    the formatted value (`display_text`). ``colour`` is a level name (`MAPPING_LEVELS`) or
    ``#rgb`` / ``#rrggbb``. *where* names the mapping in validation errors.
    """

    text: str
    colour: str | None = None
    value: str | float | bool | None = None
    range: tuple[float, float] | None = None
    pattern: str | None = None
    where: InitVar[str] = "mapping"
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self, where: str) -> None:
        given = [name for name in ("value", "range", "pattern") if getattr(self, name) is not None]
        if len(given) != 1:
            got = f" (got {' and '.join(given)})" if given else ""
            raise ValueError(f"{where}: give exactly one of value, range or pattern{got}")
        if not isinstance(self.text, str):
            raise ValueError(f"{where}.text: expected a string, got {self.text!r}")
        colour = self.colour
        if colour is not None and not (
            colour in MAPPING_LEVELS or (isinstance(colour, str) and _HEX_COLOUR.fullmatch(colour))
        ):
            raise ValueError(
                f"{where}.colour: expected {', '.join(MAPPING_LEVELS)} or a #rrggbb colour, "
                f"got {colour!r}"
            )
        if self.value is not None and not isinstance(self.value, str | bool | Real):
            raise ValueError(
                f"{where}.value: expected a string, number or boolean, got {self.value!r}"
            )
        if isinstance(self.value, Real) and not isinstance(self.value, bool):
            _check_number(self.value, f"{where}.value", allow_inf=True)
        if self.range is not None:
            object.__setattr__(self, "range", _checked_range(self.range, f"{where}.range"))
        if self.pattern is not None:
            if not isinstance(self.pattern, str):
                raise ValueError(f"{where}.pattern: expected a string, got {self.pattern!r}")
            try:
                regex = re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"{where}.pattern: invalid regular expression {self.pattern!r}: {exc}"
                ) from None
            object.__setattr__(self, "_regex", regex)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str) -> ValueMapping:
        """A mapping from a layout's TOML table; ``text`` may be left out (keep the value)."""
        table = _check_keys(table, where, ("text", "colour", "value", "range", "pattern"))
        return cls(
            text=table.get("text", ""),
            colour=table.get("colour"),
            value=table.get("value"),
            range=table.get("range"),
            pattern=table.get("pattern"),
            where=where,
        )

    def matches(self, value: object) -> bool:
        """Whether *value* (a number, string, boolean, or None) is one this mapping maps."""
        if value is None:
            return False
        if self._regex is not None:
            return self._regex.search(_as_text(value)) is not None
        if self.range is not None:
            number = as_number(value)
            return number is not None and self.range[0] <= number <= self.range[1]
        expected = self.value
        if isinstance(expected, bool):
            return isinstance(value, bool) and value == expected
        if isinstance(expected, str):
            return _as_text(value) == expected
        number = as_number(value)
        return number is not None and number == expected

    def display_text(self, formatted: str) -> str:
        """What the card shows for a matched value already formatted as *formatted*."""
        return self.text.replace("{value}", formatted) if self.text else formatted


def map_value(mappings: Sequence[ValueMapping], value: object) -> ValueMapping | None:
    """The first of *mappings* that matches *value*, or None."""
    return next((m for m in mappings if m.matches(value)), None)


def _checked_range(pair: object, what: str) -> tuple[float, float]:
    if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
        raise ValueError(f"{what}: expected [low, high], got {pair!r}")
    low, high = pair
    _check_number(low, what, allow_inf=True)
    _check_number(high, what, allow_inf=True)
    if low > high:
        raise ValueError(f"{what}: low ({low}) is above high ({high})")
    return float(low), float(high)


def _as_text(value: object) -> str:
    """*value* as a pattern or a string ``value`` sees it: JSON-like, ``200`` for 200.0."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
