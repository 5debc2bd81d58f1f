"""Fault injection for the fake Bot API: a global flood limit and one-shot scripted failures.

The flood limit is a token bucket on the injected clock: ``per_second`` requests refill each
second, with a burst of ``max(1, per_second)``. A request that finds the bucket empty gets a 429
with ``retry_after`` (whole seconds, as Telegram sends it) and opens a penalty window; every
further request inside that window is refused too and counted, so a test can prove the bot
honoured ``retry_after`` by asserting the count stays zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InjectedFailure:
    """One scripted error answer for the next call of a method."""

    status: int
    description: str
    retry_after: int | None = None


@dataclass(frozen=True, slots=True)
class Throttle:
    """The limiter's verdict on a request that must be refused."""

    retry_after: int
    during_penalty: bool


class RateLimiter:
    """A global token-bucket flood limit measured on an injectable clock."""

    def __init__(
        self, per_second: float, clock: Callable[[], float], burst: float | None = None
    ) -> None:
        """Allow ``per_second`` requests per second (bursts up to ``burst``, by default
        ``max(1, per_second)``)."""
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.per_second = per_second
        self._clock = clock
        self._capacity = max(1.0, per_second) if burst is None else max(1.0, burst)
        self._tokens = self._capacity
        self._last = clock()
        self._penalty_until = -math.inf

    def check(self) -> Throttle | None:
        """Take one token, or return why the request must be refused."""
        now = self._clock()
        if now < self._penalty_until:
            return Throttle(max(1, math.ceil(self._penalty_until - now)), during_penalty=True)
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self.per_second)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        retry_after = max(1, math.ceil((1.0 - self._tokens) / self.per_second))
        self._penalty_until = now + retry_after
        return Throttle(retry_after, during_penalty=False)
