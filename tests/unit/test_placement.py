"""A first window sized from the screen; a remembered place brought back onto a screen."""

from __future__ import annotations

from dashboard.core.layouts.placement import first_place, on_screen

SMALL = (0, 0, 1366, 740)  # 1366x768 less a 28 px panel
FULL_HD = (0, 0, 1920, 1050)


def test_a_first_window_fits_a_small_screen_and_uses_a_big_one() -> None:
    assert first_place(SMALL) == (68, 37, 1229, 666)
    assert first_place(FULL_HD) == (96, 52, 1728, 945)
    assert first_place((0, 0, 3840, 2100)) == (1020, 500, 1800, 1100)  # not a wall of pixels
    assert first_place((1920, 0, 1366, 740)) == (1988, 37, 1229, 666)  # a second screen


def test_a_place_that_is_still_on_a_screen_stays() -> None:
    assert on_screen((100, 50, 1200, 650), [SMALL]) == (100, 50, 1200, 650)
    assert on_screen((2000, 50, 1200, 650), [FULL_HD, (1920, 0, 1366, 740)]) == (
        2000, 50, 1200, 650
    )  # fmt: skip


def test_a_place_on_a_screen_that_is_gone_comes_back() -> None:
    # on a second screen, to the right, that is no longer plugged in
    assert on_screen((2100, 80, 1500, 900), [SMALL]) == (0, 0, 1366, 740)
    assert on_screen((2100, 80, 1000, 600), [SMALL]) == (366, 80, 1000, 600)
    # a window from a big screen on a small one: shrunk to fit, kept where it overlaps
    assert on_screen((50, 40, 1800, 1000), [SMALL]) == (0, 0, 1366, 740)
    # its title bar above the top of the screen: it could not be grabbed
    assert on_screen((100, -200, 800, 500), [SMALL]) == (100, 0, 800, 500)
    assert on_screen((100, 50, 800, 500), []) == (100, 50, 800, 500)
