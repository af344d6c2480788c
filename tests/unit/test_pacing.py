"""Refreshes taking turns on the frame tick."""

from __future__ import annotations

from dashboard.core.panels.pacing import Pacer


class Refresh:
    """Records the frames it ran in; *work* says whether it has something to do."""

    def __init__(self, every: float, work: bool = True) -> None:
        self.every = every
        self.work = work
        self.ran: list[float] = []
        self.now = 0.0

    def __call__(self) -> float | None:
        if not self.work:
            return None
        self.ran.append(self.now)
        return self.every


def frames(pacer: Pacer, refreshes: list[Refresh], times: list[float]) -> list[int | None]:
    """Which refresh (its index) did something in each frame."""
    taken = []
    for now in times:
        for refresh in refreshes:
            refresh.now = now
        done = pacer.frame(now)
        taken.append(None if done is None else refreshes.index(done))  # type: ignore[arg-type]
    return taken


def test_one_refresh_per_frame_the_longest_waiting_first() -> None:
    pacer = Pacer()
    log, chart, status = Refresh(0.1), Refresh(0.1), Refresh(0.5)
    for refresh in (log, chart, status):
        pacer.add(refresh)
    ticks = [round(0.033 * n, 3) for n in range(12)]
    taken = frames(pacer, [log, chart, status], ticks)
    assert taken == [0, 1, 2, None, 0, 1, None, None, 0, 1, None, None]
    # each waits its interval from its last turn, to the next tick after it
    assert log.ran == [0.0, 0.132, 0.264]
    assert chart.ran == [0.033, 0.165, 0.297]
    assert status.ran == [0.066]


def test_a_refresh_with_nothing_to_do_passes_its_turn() -> None:
    pacer = Pacer()
    idle, chart = Refresh(0.1, work=False), Refresh(0.1)
    pacer.add(idle)
    pacer.add(chart)
    assert frames(pacer, [idle, chart], [0.0, 0.033, 0.066]) == [1, None, None]
    idle.work = True  # it stayed due: it goes first as soon as it has work
    assert frames(pacer, [idle, chart], [0.1, 0.133]) == [0, 1]


def test_a_removed_refresh_takes_no_more_turns() -> None:
    pacer = Pacer()
    first, second = Refresh(0.0), Refresh(0.0)
    pacer.add(first)
    pacer.add(second)
    pacer.add(first)  # taken in once
    pacer.remove(first)
    assert frames(pacer, [first, second], [0.0, 1.0]) == [1, 1]
    pacer.clear()
    assert frames(pacer, [first, second], [2.0]) == [None]


def test_a_refresh_may_remove_itself_in_its_turn() -> None:
    pacer = Pacer()

    def once() -> float:
        pacer.remove(once)
        return 0.0

    pacer.add(once)
    assert pacer.frame(0.0) is once
    assert pacer.frame(1.0) is None
