"""Layout files: save -> load gives the same dashboard; mistakes are named, with where."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core.events.decode import EnvelopeKeys
from dashboard.core.layouts import layoutfile as layouts
from dashboard.core.layouts.layoutfile import Layout, LayoutError, LogSettings, builtin, loads
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.panels.cardformat import Thresholds, ValueMapping
from dashboard.core.panels.cards import CardSpec
from dashboard.core.panels.series import ChartSpec, SeriesSpec
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.resources import resource
from dashboard.sources.registry import KINDS


def full_layout() -> Layout:
    return Layout(
        title="Payments, night shift",
        connections=[
            ConnectionSpec(
                "https://feed.example.com/events",
                "payments",
                headers={"Authorization": "Bearer ${PAY_TOKEN}"},
                verify=False,
                heartbeat_timeout=20.0,
                keys=EnvelopeKeys(type=("kind",)),
            ),
            ConnectionSpec("redis://localhost:6379/0?stream=orders", "orders"),
        ],
        cards=[
            CardSpec(
                "CPU",
                "metrics.update",
                "cpu",
                show="mean",
                unit="%",
                decimals=1,
                thresholds=Thresholds(warning=70, critical=90),
            ),
            CardSpec("Failed", "payment.failed", show="count", window=300.0, stale_after=None),
            CardSpec(
                "Status",
                "health",
                "status",
                mappings=(
                    ValueMapping("OK", "ok", value="up"),
                    ValueMapping("Degraded", "warning", pattern="^degr"),
                    ValueMapping("{value} ms", "critical", range=(500.0, 1e9)),
                ),
            ),
            CardSpec(
                "Traffic",
                "metrics.update",
                "bytes_in",
                show="rate",
                style="bytes",
                query="source:web-*",
                description="inbound",
            ),
        ],
        charts=[
            ChartSpec(
                "CPU by host",
                (SeriesSpec("metrics.update", "cpu", split_by="source"),),
                unit="%",
                window=900.0,
                markers="type:deploy",
            ),
            ChartSpec(
                "Errors per 10 s",
                (
                    SeriesSpec(query="severity>=error", label="errors"),
                    SeriesSpec("order.placed", interval=60.0),
                ),
            ),
        ],
        rules=[
            {
                "name": "High CPU",
                "when": "type:metrics.update",
                "condition": "cpu > 90",
                "for": "30s",
                "severity": "critical",
                "group_by": "source",
                "message": "CPU on {source} at {data.cpu}%",
            }
        ],
        alerts=AlertConventions(types=("alarm.*",), min_severity="error", connection_down=60.0),
        log=LogSettings("type:payment.* amount>100", ("data.amount", "data.order_id")),
        arrangement="AAAA/wAAAAD9AAAAAQ==",
    )


def test_save_then_load_gives_the_same_layout(tmp_path: Path) -> None:
    layout = full_layout()
    path = tmp_path / "night.toml"
    layouts.save(layout, path, kinds=KINDS)
    again = layouts.load(path, kinds=KINDS)
    assert again == layout
    assert layouts.dumps(again, kinds=KINDS) == path.read_text(encoding="utf-8")


def test_an_empty_file_is_an_empty_layout() -> None:
    assert loads("", kinds=KINDS) == Layout()


def test_the_shipped_layouts_load() -> None:
    demo = builtin("demo")
    assert [c.title for c in demo.cards][:4] == ["CPU", "Memory", "Requests/s", "Errors"]
    assert [c.title for c in demo.charts] == ["CPU % by host", "Events per second by type"]
    assert [r["name"] for r in demo.rules] == ["High CPU", "Payment failures"]
    for path in sorted(resource("layouts").glob("*.toml")):
        layouts.load(path, kinds=KINDS)  # every example in resources/layouts is valid


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = 'ok'\nb = = 2\n", r"<layout>: line 2, column 5: not valid TOML: Invalid value"),
        (
            "[[cards]]\ntitle = 'CPU'\nfeild = 'cpu'\n",
            r"line 3: cards\[1\] \('CPU'\): unknown key 'feild' \(known: title, type, field",
        ),
        (
            "[[cards]]\ntitle = 'A'\nfield = 'a'\n\n[[cards]]\ntitle = 'CPU'\nfield = 'cpu'\n"
            "show = 'avergae'\n",
            r"line 5: cards\[2\] \('CPU'\): show: 'avergae' is not one of",
        ),
        (
            "[[cards]]\ntitle = 'C'\nshow = 'mean'\n",
            r"cards\[1\] \('C'\): show = 'mean' needs a field",
        ),
        ("[[cards]]\nfield = 'cpu'\nquery = 'cpu>'\n", r"cards\[1\]: query: .*column"),
        ("[[cards]]\nfield = 'cpu'\nwindow = 'soon'\n", r"window: expected a duration"),
        ("[[cards]]\nfield = 'cpu'\ndecimals = 1.5\n", r"decimals: expected a whole number"),
        (
            "[[cards]]\nfield = 'cpu'\nthresholds = { warn = 3 }\n",
            r"thresholds: unknown key 'warn'",
        ),
        ("[[charts]]\ntitle = 'T'\n", r"line 1: charts\[1\] \('T'\): series: expected one or more"),
        (
            "[[charts]]\nwindow = '10s'\n[[charts.series]]\nfield = 'cpu'\n",
            r"line 1: charts\[1\]: window: '10s' is out of range \(30s to 1d\)",
        ),
        (
            "[[charts]]\n[[charts.series]]\nfield = 'cpu'\ncolour = 'red'\n",
            r"charts\[1\].series\[1\]: unknown key 'colour'",
        ),
        ("[[connections]]\nurl = 'ftp://x/y'\n", r"connections\[1\]: url: expected http"),
        (
            "[[connections]]\nurl = 'http://x/y'\ninsecure = 'yes'\n",
            r"insecure: expected true or false",
        ),
        (
            "[[rules]]\nname = 'R'\ncondition = 'cpu > 90'\nseverity = 'loud'\n",
            r"line 4: rules\[1\] \('R'\): .*'loud' is not a severity",  # the key's line
        ),
        ("[alerts]\nmin_severity = 'meh'\n", r"line 1: \[alerts\]: min_severity: 'meh'"),
        ("[log]\nfilter = 'amount>'\n", r"\[log\]: filter: "),
        ("version = 7\n", r"line 1: version: this app reads layout version 1, the file is 7"),
        ("colour = 'dark'\n", r"line 1: the file: unknown key 'colour'"),
        ("cards = 3\n", r"line 1: cards: expected \[\[cards\]\] tables"),
    ],
)
def test_mistakes_say_where_and_what(text: str, message: str) -> None:
    with pytest.raises(LayoutError, match=message):
        loads(text, kinds=KINDS)


def test_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match=r"nope\.toml: cannot read it"):
        layouts.load(tmp_path / "nope.toml", kinds=KINDS)


def test_a_failed_save_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    layouts.save(Layout(title="old"), path, kinds=KINDS)
    (tmp_path / "a.toml.part").mkdir()  # the temporary file cannot be written
    with pytest.raises(OSError):
        layouts.save(Layout(title="new"), path, kinds=KINDS)
    assert layouts.load(path, kinds=KINDS).title == "old"


def test_a_save_that_fails_mid_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.toml"
    layouts.save(Layout(title="old"), path, kinds=KINDS)

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(layouts.os, "chmod", disk_full)
    with pytest.raises(OSError, match="No space left"):
        layouts.save(Layout(title="new"), path, private=True, kinds=KINDS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml"]
    assert layouts.load(path, kinds=KINDS).title == "old"


def test_a_private_save_is_the_owner_s_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text("title = 'was shared'\n")
    path.chmod(0o644)
    layouts.save(Layout(title="mine"), path, private=True, kinds=KINDS)
    assert path.stat().st_mode & 0o777 == 0o600 and layouts.load(path, kinds=KINDS).title == "mine"


def test_credentials_written_out_stay_out_of_the_file() -> None:
    layout = Layout(
        connections=[
            ConnectionSpec(
                "https://feed.example.com/events",
                "pay",
                headers={"Authorization": "Bearer s3cr3t", "X-Api-Key": "${KEY}", "X-Team": "ops"},
            ),
            ConnectionSpec("redis://ops:hunter2@redis.example.com:6379/0?stream=e", "r"),
            ConnectionSpec("redis://ops:${REDIS_PASSWORD}@redis.example.com/0?stream=e", "r2"),
        ]
    )
    text = layouts.dumps(layout, kinds=KINDS)
    assert "s3cr3t" not in text and "hunter2" not in text
    again = loads(text, kinds=KINDS)
    assert again.connections[0].headers == {"X-Api-Key": "${KEY}", "X-Team": "ops"}
    assert again.connections[1].url == "redis://ops@redis.example.com:6379/0?stream=e"
    assert again.connections[2].url == layout.connections[2].url
    assert layouts.left_out(layout, kinds=KINDS) == [
        "pay: header Authorization",
        "r: the password in the URL",
    ]
