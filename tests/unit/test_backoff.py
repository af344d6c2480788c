"""Reconnection delays."""

from __future__ import annotations

import random

import pytest

from dashboard.core.transport.backoff import Backoff


def test_grows_exponentially_up_to_the_cap_without_jitter() -> None:
    backoff = Backoff(base=1.0, factor=2.0, cap=10.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(6)] == [1, 2, 4, 8, 10, 10]


def test_reset_starts_again_from_the_base() -> None:
    backoff = Backoff(base=0.5, jitter=0.0)
    backoff.next_delay()
    backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_jitter_only_shortens_and_stays_within_its_share() -> None:
    backoff = Backoff(base=4.0, factor=1.0, jitter=0.25, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(200)]
    assert all(3.0 <= d <= 4.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 150  # really spread out


def test_a_server_base_above_the_cap_is_still_honoured() -> None:
    backoff = Backoff(base=60.0, cap=30.0, jitter=0.0)
    assert backoff.next_delay() == 60.0
    assert backoff.next_delay() == pytest.approx(60.0)
