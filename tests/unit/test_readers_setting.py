"""How many reader processes: ``readers = N`` in a layout, ``--readers N`` on the command line."""

from __future__ import annotations

import pytest

from dashboard.cli import gui_parser
from dashboard.core.layouts.layoutfile import MAX_READERS, LayoutError, dumps, loads


def test_a_layout_says_how_many_readers_and_keeps_it_when_saved() -> None:
    layout = loads('version = 1\ntitle = "t"\nreaders = 3\n')
    assert layout.readers == 3
    assert loads(dumps(layout)).readers == 3
    assert loads("version = 1\n").readers is None  # unsaid: the default
    assert "readers" not in dumps(loads("version = 1\n"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", f"must be 1 to {MAX_READERS}, not 0"),
        (str(MAX_READERS + 1), f"must be 1 to {MAX_READERS}, not {MAX_READERS + 1}"),
        ('"two"', "expected a whole number"),
        ("true", "expected a whole number"),
        ("1.5", "expected a whole number"),
    ],
)
def test_a_wrong_number_of_readers_is_named_with_its_line(value: str, message: str) -> None:
    with pytest.raises(LayoutError) as caught:
        loads(f'version = 1\ntitle = "t"\nreaders = {value}\n', "x.toml")
    assert "line 3" in str(caught.value) and "readers" in str(caught.value)
    assert message in str(caught.value)


def test_the_command_line_takes_readers_within_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    parser = gui_parser()
    assert parser.parse_args(["--readers", "2"]).readers == 2
    assert parser.parse_args([]).readers is None
    for bad in ("0", "65", "x"):
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(["--readers", bad])
        assert exit_.value.code == 2
        assert "--readers" in capsys.readouterr().err
