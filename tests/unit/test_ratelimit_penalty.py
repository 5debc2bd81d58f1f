"""FloodLimiter: a 429 holds every request until its penalty is over, then they go through."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.edge.ratelimit import PENALTY_MARGIN, FloodLimiter


@dataclass
class Clock:
    """Monotonic time the test moves by hand; sleeping only yields to other tasks."""

    now: float = 100.0
    advance_on_sleep: bool = False
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.advance_on_sleep:
            self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Server:
    """Answers requests, refusing the chosen ones with 429 a number of times."""

    clock: Clock
    refusals: dict[int, int] = field(default_factory=dict)
    calls: list[tuple[int, float]] = field(default_factory=list)

    async def send(self, chat_id: int) -> dict[str, Any]:
        self.calls.append((chat_id, self.clock.now))
        if self.refusals.get(chat_id, 0) > 0:
            self.refusals[chat_id] -= 1
            raise RetryAfter(timedelta(seconds=2))
        return {"chat_id": chat_id}


async def request(limiter: FloodLimiter, server: Server, chat_id: int) -> Any:
    return await limiter.process_request(
        server.send, (chat_id,), {}, "sendMessage", {"chat_id": chat_id}, None
    )


async def spin(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


async def test_a_429_holds_every_request_until_the_penalty_is_over() -> None:
    clock = Clock()
    server = Server(clock, refusals={1: 1})
    limiter = FloodLimiter(clock=clock, sleep=clock.sleep)
    first = asyncio.create_task(request(limiter, server, 1))
    await spin()
    assert server.calls == [(1, 100.0)]  # refused; the penalty runs until 102 + margin
    others = [asyncio.create_task(request(limiter, server, chat)) for chat in (2, 3, 4)]
    await spin()
    assert server.calls == [(1, 100.0)]
    clock.now = 102.0  # the server's window is over, but not the margin after it
    await spin()
    assert len(server.calls) == 1
    clock.now = 102.0 + PENALTY_MARGIN
    results = await asyncio.gather(first, *others)
    assert [r["chat_id"] for r in results] == [1, 2, 3, 4]
    assert sorted(chat for chat, _ in server.calls) == [1, 1, 2, 3, 4]
    assert all(at >= 102.0 + PENALTY_MARGIN for _, at in server.calls[1:])


async def test_a_request_refused_too_often_gives_the_429_to_its_caller() -> None:
    clock = Clock(advance_on_sleep=True)
    server = Server(clock, refusals={7: 10})
    limiter = FloodLimiter(max_retries=2, clock=clock, sleep=clock.sleep)
    with pytest.raises(RetryAfter):
        await request(limiter, server, 7)
    assert len(server.calls) == 3  # the first try and two retries
    assert clock.sleeps == [pytest.approx(2 + PENALTY_MARGIN)] * 2


async def test_retries_per_call_override_the_default() -> None:
    clock = Clock(advance_on_sleep=True)
    server = Server(clock, refusals={7: 1})
    limiter = FloodLimiter(max_retries=3, clock=clock, sleep=clock.sleep)
    with pytest.raises(RetryAfter):
        await limiter.process_request(
            server.send, (7,), {}, "sendMessage", {"chat_id": 7}, rate_limit_args=0
        )
    assert len(server.calls) == 1


async def test_requests_without_a_penalty_go_straight_through() -> None:
    clock = Clock()
    server = Server(clock)
    limiter = FloodLimiter(clock=clock, sleep=clock.sleep)
    results = await asyncio.gather(*(request(limiter, server, chat) for chat in (1, -5, -5)))
    assert [r["chat_id"] for r in results] == [1, -5, -5]
    assert clock.sleeps == []
