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

Two more things every request gets here, since every Bot API call passes through:
- One chat is paced too (Telegram allows about one message a second to a chat, with short
  bursts): a reply of several messages goes out as a burst of up to CHAT_BURST, then one a
  second, instead of collecting 429s for the rest.
- A request that certainly did not take effect (Telegram or its proxy answered 5xx, or the
  connection was never made) is sent again, up to SERVER_RETRIES times with a doubling
  backoff, logged once. A request that may have arrived (a read timeout, a connection lost
  after sending) is never repeated here: saying something twice is worse than an error the
  caller handles (see `never_arrived`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]

OVERALL_PER_SECOND = 29.0
GROUP_PER_MINUTE = 20.0
# Waiting a little past retry_after: the server's window started before its answer reached us.
PENALTY_MARGIN = 0.1
# Forget idle per-group buckets beyond this many groups.
MAX_GROUPS = 512
# One chat: a burst of this many messages, then this many a second (just under Telegram's one
# a second, for the same reason as the overall pace: jitter alone would cross it at 1.0).
CHAT_BURST = 3
CHAT_PER_SECOND = 0.9
MAX_CHATS = 4096
# Requests that certainly did not arrive: retried this often, after 0.5 s, 1 s, 2 s.
SERVER_RETRIES = 3
BACKOFF_SECONDS = 0.5


def never_arrived(exc: BaseException) -> bool:
    """Whether a failed request certainly took no effect, so sending it again cannot say
    anything twice: a 5xx answer (PTB raises a bare NetworkError for it), or a connection
    that was never made. A read timeout or a connection lost mid-request may have reached
    Telegram: False."""
    if isinstance(exc, BadRequest | RetryAfter) or not isinstance(exc, NetworkError):
        return False
    cause = exc.__cause__
    if isinstance(exc, TimedOut):
        return isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout)
    return cause is None or isinstance(cause, httpx.ConnectError)


def describe(exc: BaseException) -> str:
    """A short name for a failure, for logs (never a URL: PTB's URLs contain the token)."""
    cause = exc.__cause__
    if cause is not None:
        return f"{exc.__class__.__name__} ({cause.__class__.__name__})"
    return f"{exc.__class__.__name__}: {str(exc)[:80]}"


class FloodLimiter(BaseRateLimiter[int]):
    """Pace requests (overall and per group chat) and hold all of them during a 429 penalty."""

    def __init__(
        self,
        *,
        per_second: float = OVERALL_PER_SECOND,
        group_per_minute: float = GROUP_PER_MINUTE,
        max_retries: int = 3,
        chat_burst: int = CHAT_BURST,
        chat_per_second: float = CHAT_PER_SECOND,
        server_retries: int = SERVER_RETRIES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Allow `per_second` requests to chats, `group_per_minute` per group chat and a
        burst of `chat_burst` then `chat_per_second` to one private chat; retry a refused
        request up to `max_retries` times after its penalty, and one that never arrived up
        to `server_retries` times."""
        self._overall = AsyncLimiter(per_second, 1)
        self._chat_burst = float(chat_burst)
        self._chat_rate = chat_per_second
        self._chats: dict[int, tuple[float, float]] = {}
        self._server_retries = server_retries
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
        endpoint: str,
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
        private = _private_chat(chat_id)
        attempt = 0
        failures = 0
        while True:
            if private is not None:
                await self._pace_chat(private)
            await self._wait_for_penalty()
            async with group, overall:
                if self._clock() < self._resume_at:
                    # A 429 arrived while this request queued for its slot.
                    continue
                try:
                    result = await callback(*args, **kwargs)
                except RetryAfter as exc:
                    self._penalise(exc)
                    if attempt >= retries:
                        raise
                    attempt += 1
                    continue
                except NetworkError as exc:
                    if not never_arrived(exc) or failures >= self._server_retries:
                        raise
                    failures += 1
                    if failures == 1:
                        log.warning(
                            "%s failed (%s); sending it again, at most %d times",
                            endpoint,
                            describe(exc),
                            self._server_retries,
                        )
                else:
                    return result
            # Outside the pacing slots: waiting here holds nobody else up.
            await self._sleep(BACKOFF_SECONDS * 2 ** (failures - 1))

    async def _pace_chat(self, chat_id: int) -> None:
        """Take a slot in one chat's bucket (a burst, then a steady pace), waiting if empty."""
        while True:
            now = self._clock()
            tokens, last = self._chats.get(chat_id, (self._chat_burst, now))
            tokens = min(self._chat_burst, tokens + (now - last) * self._chat_rate)
            if tokens >= 1.0:
                self._chats[chat_id] = (tokens - 1.0, now)
                if len(self._chats) > MAX_CHATS:
                    self._forget_idle_chats(now)
                return
            self._chats[chat_id] = (tokens, now)
            await self._sleep((1.0 - tokens) / self._chat_rate)

    def _forget_idle_chats(self, now: float) -> None:
        full = self._chat_burst / self._chat_rate
        for key in [k for k, (_, last) in self._chats.items() if now - last >= full]:
            del self._chats[key]

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


def _private_chat(chat_id: object) -> int | None:
    """The id of a private chat (a positive number), or None for groups, channels, none."""
    if isinstance(chat_id, int) and chat_id > 0:
        return chat_id
    if isinstance(chat_id, str) and chat_id.isdigit():
        return int(chat_id)
    return None
