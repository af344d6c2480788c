"""Events per second from running totals, over a short sliding window."""

from __future__ import annotations

from collections import deque


class RateMeter:
    """Feed it ``(now, total)`` samples; it answers the rate over the last *window* seconds."""

    def __init__(self, window: float = 2.0) -> None:
        self.window = window
        self._samples: deque[tuple[float, int]] = deque()

    def update(self, now: float, total: int) -> float:
        samples = self._samples
        samples.append((now, total))
        while len(samples) > 2 and now - samples[1][0] >= self.window:
            samples.popleft()
        return self.rate

    @property
    def rate(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0
