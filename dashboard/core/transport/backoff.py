"""Reconnection delays: exponential growth with jitter, from a base the server may set."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    """Delays ``base * factor**n`` capped at *cap*, each shortened by up to *jitter* of itself.

    The jitter spreads the reconnects of many clients after a server restart. The SSE
    ``retry:`` field sets *base* (the spec's "reconnection time").
    """

    base: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.3
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self) -> float:
        """The delay before the next attempt, in seconds; each call grows the next one."""
        ceiling = max(self.cap, self.base)
        delay = min(ceiling, self.base * self.factor**self.attempt)
        self.attempt += 1
        return delay * (1.0 - self.jitter * self.rng.random())

    def reset(self) -> None:
        """Start again from *base* (after a connection that worked)."""
        self.attempt = 0
