"""Field discovery: paths of nested payloads, changing payloads, limits, rates, last values."""

from __future__ import annotations

import gc
import weakref
from dataclasses import replace
from typing import Any

import pytest

from dashboard.core.events.fieldpath import MISSING, lookup
from dashboard.core.panels import fieldcatalog
from dashboard.core.panels.fieldcatalog import FieldCatalog, FieldInfo
from tests.unit.factories import make_event

METRICS = {"host": "web-1", "cpu": 41.5, "memory": 2048, "requests": 120, "errors": 1}
ORDER = {
    "order_id": "o-1",
    "amount": 99.5,
    "items": [{"sku": "A", "qty": 2}],
    "customer": {"id": "c-9", "tier": "gold"},
}


def _fields(catalog: FieldCatalog, event_type: str) -> dict[str, FieldInfo]:
    return {f.path: f for f in catalog.fields(event_type)}


def _fold(catalog: FieldCatalog, event_type: str, *payloads: Any, now: float = 100.0) -> bool:
    return catalog.fold([make_event(event_type, p) for p in payloads], now)


def test_nested_dicts_and_lists_are_found_by_path() -> None:
    catalog = FieldCatalog()
    assert catalog.fold(
        [make_event("metrics.update", METRICS), make_event("order.created", ORDER)], 1.0
    )

    assert catalog.types() == ["metrics.update", "order.created"]
    assert [f.path for f in catalog.fields("metrics.update")] == [
        "cpu",
        "errors",
        "host",
        "memory",
        "requests",
    ]
    order = _fields(catalog, "order.created")
    assert sorted(order) == [
        "amount",
        "customer",
        "customer.id",
        "customer.tier",
        "items",
        "items.0",
        "items.0.qty",
        "items.0.sku",
        "order_id",
    ]
    kinds = {path: f.kind for path, f in order.items()}
    assert kinds["customer"] == "object" and kinds["items"] == "list"
    assert kinds["items.0.qty"] == "number" and kinds["customer.tier"] == "text"
    assert order["customer"].last == "{2 keys}"
    assert order["items"].last == "[1 item]"
    assert order["items.0.sku"].last == "A"
    # Every path reads back with the lookup that cards and charts use.
    for path in order:
        assert lookup(ORDER, path) is not MISSING
    assert catalog.fields("no.such.type") == []


def test_only_the_first_list_elements_get_paths() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "t", {"xs": [10, 20, 30, 40, 50]})
    fields = _fields(catalog, "t")
    assert sorted(fields) == ["xs", "xs.0", "xs.1", "xs.2"]
    assert fields["xs"].last == "[5 items]"
    assert fields["xs.2"].last == 30


def test_every_kind() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "t", {"n": 1, "f": 1.5, "s": "x", "b": True, "o": {}, "l": [], "z": None})
    kinds = {f.path: f.kind for f in catalog.fields("t")}
    assert kinds == {
        "n": "number",
        "f": "number",
        "s": "text",
        "b": "boolean",
        "o": "object",
        "l": "list",
        "z": "null",
    }
    fields = _fields(catalog, "t")
    assert fields["b"].is_numeric is False  # a boolean is not a number
    assert fields["o"].last == "{0 keys}"


def test_a_field_that_appears_later_is_new() -> None:
    catalog = FieldCatalog()
    assert _fold(catalog, "metrics.update", METRICS)
    assert not _fold(catalog, "metrics.update", METRICS)  # nothing new
    assert _fold(catalog, "metrics.update", {**METRICS, "disk": 0.7})
    disk = _fields(catalog, "metrics.update")["disk"]
    assert (disk.seen, disk.sampled, disk.frequency) == (1, 3, pytest.approx(1 / 3))


def test_a_kind_change_keeps_every_kind_and_the_newest() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "t", {"v": 1})
    assert _fold(catalog, "t", {"v": "n/a"})  # a new kind is news
    field = _fields(catalog, "t")["v"]
    assert field.kind == "text"
    assert field.kinds == {"number", "text"}
    assert field.kinds_text == "number|text"
    assert field.last == "n/a"
    assert not _fold(catalog, "t", {"v": 2})  # back to a kind seen before: not news
    assert _fields(catalog, "t")["v"].kind == "number"


def test_frequency_of_a_field_in_half_the_events() -> None:
    catalog = FieldCatalog()
    payloads = [{"a": 1, "b": 2} if i % 2 else {"a": 1} for i in range(20)]
    for pair in zip(payloads[::2], payloads[1::2], strict=True):  # tick by tick
        _fold(catalog, "t", *pair)
    fields = _fields(catalog, "t")
    assert fields["a"].frequency == 1.0
    assert fields["b"].frequency == 0.5
    assert (fields["b"].seen, fields["b"].sampled) == (10, 20)


def test_numeric_strings_stay_text_but_are_numeric() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "t", {"v": "41.5", "w": "7", "name": "web-1"})
    fields = _fields(catalog, "t")
    assert fields["v"].kind == "text" and fields["v"].is_numeric
    assert fields["name"].kind == "text" and not fields["name"].is_numeric
    _fold(catalog, "t", {"v": "n/a", "w": 8})
    fields = _fields(catalog, "t")
    assert not fields["v"].is_numeric  # one value that is not a number is enough
    assert fields["w"].is_numeric and fields["w"].kinds_text == "number|text"


def test_last_value_is_the_newest_and_long_text_is_cut() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "metrics.update", {"cpu": 1.0}, {"cpu": 2.0}, {"cpu": 3.5})
    assert _fields(catalog, "metrics.update")["cpu"].last == 3.5
    _fold(catalog, "metrics.update", {"cpu": 4.0})
    assert _fields(catalog, "metrics.update")["cpu"].last == 4.0
    _fold(catalog, "t", {"s": "x" * 100_000})
    last = _fields(catalog, "t")["s"].last
    assert len(last) == fieldcatalog.TEXT_LIMIT + 1 and last.endswith("…")


def test_counts_every_event_but_samples_only_the_newest() -> None:
    catalog = FieldCatalog()
    events = [make_event("t", {"i": i}) for i in range(10_000)]
    events.append(make_event("t", {"i": 10_000, "late": True}, time=2_000.0))
    catalog.fold(events, 100.0)
    info = catalog.type_info("t")
    assert info is not None
    assert info.total == 10_001
    assert info.sampled == fieldcatalog.SAMPLE_PER_TYPE
    assert info.last_seen == 2_000.0
    fields = _fields(catalog, "t")
    assert fields["i"].last == 10_000
    assert fields["late"].seen == 1


def test_rate_over_a_sliding_window() -> None:
    catalog = FieldCatalog()
    for second in range(20):  # 50 events a second for 20 s
        catalog.fold([make_event("t", {"v": 1}) for _ in range(50)], 1_000.0 + second)
    info = catalog.type_info("t")
    assert info is not None and info.total == 1_000
    assert info.rate == pytest.approx(50.0)
    # A type seen for only a moment is not diluted over the whole window.
    catalog.fold([make_event("u", {"v": 1}) for _ in range(30)], 1_019.0)
    assert catalog.type_info("u").rate == pytest.approx(30.0)  # type: ignore[union-attr]
    # When nothing comes, the rate falls to zero, asked at a later now.
    assert catalog.type_info("t", 1_024.5).rate == pytest.approx(25.0)  # type: ignore[union-attr]
    assert catalog.type_info("t", 1_040.0).rate == 0.0  # type: ignore[union-attr]


def test_depth_is_bounded() -> None:
    deep: Any = {"leaf": 1}
    for _ in range(20):
        deep = {"d": deep}
    catalog = FieldCatalog()
    _fold(catalog, "t", deep)
    paths = [f.path for f in catalog.fields("t")]
    assert max(len(p.split(".")) for p in paths) == fieldcatalog.MAX_DEPTH
    assert len(paths) == fieldcatalog.MAX_DEPTH
    assert catalog.type_info("t").truncated  # type: ignore[union-attr]


def test_paths_per_type_are_bounded() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "t", {f"k{i}": i for i in range(5_000)})
    assert len(catalog.fields("t")) == fieldcatalog.MAX_PATHS
    info = catalog.type_info("t")
    assert info is not None and info.truncated and info.field_count == fieldcatalog.MAX_PATHS
    # Known paths still update once the type is full.
    _fold(catalog, "t", {"k0": -1})
    assert _fields(catalog, "t")["k0"].last == -1


def test_types_are_bounded_and_the_rest_counted() -> None:
    catalog = FieldCatalog()
    events = [make_event(f"type.{i}", {"v": i}) for i in range(fieldcatalog.MAX_TYPES + 17)]
    catalog.fold(events, 1.0)
    assert len(catalog.types()) == fieldcatalog.MAX_TYPES
    assert catalog.dropped_types == 17
    catalog.fold(events, 2.0)  # the same ones again are not counted twice
    assert catalog.dropped_types == 17


def test_keys_no_path_can_name_are_left_out() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "t", {"a.b": 1, "": 2, "ok": 3, "k" * 1_000: 4})
    assert [f.path for f in catalog.fields("t")] == ["ok"]
    assert catalog.type_info("t").truncated  # type: ignore[union-attr]


def test_payloads_that_are_not_objects() -> None:
    catalog = FieldCatalog()
    catalog.fold([make_event("text", "just text"), make_event("list", [1, {"a": 2}])], 1.0)
    assert catalog.fields("text") == []
    assert catalog.type_info("text").total == 1  # type: ignore[union-attr]
    assert sorted(_fields(catalog, "list")) == ["0", "1", "1.a"]


def test_clear() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "t", {"v": 1})
    catalog.clear()
    assert catalog.types() == [] and catalog.type_info("t") is None
    assert _fold(catalog, "t", {"v": 1})  # new again


def test_a_full_type_counts_the_paths_of_its_newest_event() -> None:
    """50,000 distinct keys: 300 tracked, and the 50,000 counted, not kept."""
    catalog = FieldCatalog()
    _fold(catalog, "order.placed", {f"k{i}": i for i in range(50_000)}, now=100.0)
    info = catalog.type_info("order.placed")
    assert info is not None
    assert (info.field_count, info.newest_paths, info.truncated, info.full) == (
        fieldcatalog.MAX_PATHS, 50_000, True, True,
    )  # fmt: skip
    # Counted again at most every COUNT_EVERY_S: the newest sampled event's paths.
    nested = {f"n{i}": {"a": 1, "b": [1, 2, 3, 4]} for i in range(1_000)}  # 6 paths each
    _fold(catalog, "order.placed", nested, now=100.0 + fieldcatalog.COUNT_EVERY_S / 2)
    assert catalog.type_info("order.placed").newest_paths == 50_000  # type: ignore[union-attr]
    _fold(catalog, "order.placed", {"x": 1}, nested, now=100.0 + fieldcatalog.COUNT_EVERY_S)
    assert catalog.type_info("order.placed").newest_paths == 6_000  # type: ignore[union-attr]
    assert len(catalog.fields("order.placed")) == fieldcatalog.MAX_PATHS


def test_a_type_under_the_cap_is_not_counted() -> None:
    catalog = FieldCatalog()
    _fold(catalog, "t", {"a": 1, "a.b": 2})
    info = catalog.type_info("t")
    assert info is not None and info.truncated and not info.full and info.newest_paths == 0


def test_counting_paths_follows_the_rules_of_the_walk_and_saturates() -> None:
    payload = {"ok": {"x": 1}, "a.b": 1, "": 2, "k" * 1_000: 3, "l": [1, {"a": [1, 2, 3, 4]}, 3, 4]}
    # ok, ok.x, l, l.0, l.1, l.1.a, l.1.a.0..2, l.2
    assert fieldcatalog.count_paths(payload) == 10
    assert fieldcatalog.count_paths({f"k{i}": i for i in range(5_000)}, limit=1_000) == 1_000
    deep: Any = {"leaf": 1}
    for _ in range(20):
        deep = {"d": deep}
    assert fieldcatalog.count_paths(deep) == fieldcatalog.MAX_DEPTH


class _Value:
    """A payload value a test can hold a weak reference to (shown as text)."""

    def __str__(self) -> str:
        return "value"


def test_folding_keeps_no_payload_value_alive() -> None:
    """Once a fold returns, nothing of the payloads is held but the shown values' text (the
    walk was a closure that called itself: a reference cycle that kept every walked value
    until the next full garbage collection)."""
    catalog = FieldCatalog()
    value = _Value()
    ref = weakref.ref(value)
    events = [replace(make_event("t"), data={"v": value, "n": {"deep": [value]}})]
    del value
    gc.disable()
    try:
        catalog.fold(events, 1.0)
        del events
        assert ref() is None
    finally:
        gc.enable()
    assert _fields(catalog, "t")["v"].last == "value"
