"""Pace Bot API requests under Telegram's flood limits, and honour a 429 for every request.

PTB's AIORateLimiter paces requests with leaky buckets (one overall, one per group chat), but
after a 429 only the refused request waits: the next request that finishes re-opens its gate,
so the rest of the bot keeps sending into the penalty window, which Telegram answers with more
429s. (`tests/benchmarks/bench_sustained.py --limit 20`, a server stricter than our pacing:
363 of its 388 refused requests were sent inside a penalty window.) This limiter paces the
same way and keeps one shared "resume at" instant: a 429 moves it forward, and every request
waits for it before taking a pacing slot and checks it again just before it is sent.
The overall pace defaults to 29/s, just under Telegram's 30: at exactly 30, network jitter
alone makes requests arrive faster than the server's window refills.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]

OVERALL_PER_SECOND = 29.0
GROUP_PER_MINUTE = 20.0
# Waiting a little past retry_after: the server's window started before its answer reached us.
PENALTY_MARGIN = 0.1
# Forget idle per-group buckets beyond this many groups.
MAX_GROUPS = 512


class FloodLimiter(BaseRateLimiter[int]):
    """Pace requests (overall and per group chat) and hold all of them during a 429 penalty."""

    def __init__(
        self,
        *,
        per_second: float = OVERALL_PER_SECOND,
        group_per_minute: float = GROUP_PER_MINUTE,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Allow `per_second` requests to chats, `group_per_minute` per group chat, and
        retry a refused request up to `max_retries` times after its penalty."""
        self._overall = AsyncLimiter(per_second, 1)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._clock = clock
        self._sleep = sleep
        self._resume_at = -float("inf")

    async def initialize(self) -> None:
        """Do nothing; the buckets need no set-up."""

    async def shutdown(self) -> None:
        """Do nothing; the buckets hold no resources."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,  # noqa: ARG002 - every endpoint is paced alike
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Send one request when its turn comes; after a 429, wait and retry it."""
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        overall: AbstractAsyncContextManager[Any] = (
            self._overall if chat_id is not None else contextlib.nullcontext()
        )
        group = self._group(chat_id)
        attempt = 0
        while True:
            await self._wait_for_penalty()
            async with group, overall:
                if self._clock() < self._resume_at:
                    # A 429 arrived while this request queued for its slot.
                    continue
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    self._penalise(exc)
                    if attempt >= retries:
                        raise
                    attempt += 1

    def _penalise(self, exc: RetryAfter) -> None:
        delay = exc.retry_after
        seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
        self._resume_at = max(self._resume_at, self._clock() + seconds + PENALTY_MARGIN)

    async def _wait_for_penalty(self) -> None:
        while (delay := self._resume_at - self._clock()) > 0:
            await self._sleep(delay)

    def _group(self, chat_id: object) -> AbstractAsyncContextManager[Any]:
        # Group chats have negative ids; channels may be addressed as "@name".
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[call-overload]
        if not (isinstance(chat_id, int) and chat_id < 0) and not isinstance(chat_id, str):
            return contextlib.nullcontext()
        limiter = self._groups.get(chat_id)
        if limiter is None:
            if len(self._groups) >= MAX_GROUPS:
                idle = [k for k, v in self._groups.items() if v.has_capacity(v.max_rate)]
                for key in idle:
                    del self._groups[key]
            limiter = self._groups[chat_id] = AsyncLimiter(self._group_per_minute, 60)
        return limiter
