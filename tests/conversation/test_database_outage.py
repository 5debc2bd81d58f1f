"""The database goes away: users get a short "try again in a moment", nothing is half-written,
/healthz says 503 until the database answers again, and then everything works as before.

The outage is injected at the database driver (every statement fails with the
OperationalError a refused or dropped connection gives) through an engine event, so it works
the same on SQLite and PostgreSQL (TEST_DATABASE=postgres) without stopping a server. That
tests what the bot does with a failing database; the driver's own reconnecting is not under
test here (pool_pre_ping on PostgreSQL handles connections that died during the outage).
"""

from __future__ import annotations

from typing import Any

import httpx
from helpers import onboard, text
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.content.texts import T
from bot.db.models import FlowRun, PracticeAttempt
from bot.domain.catalog import Catalog
from bot.fakeapi.driver import ChatDriver
from bot.ops.config import Settings
from bot.webhook import create_asgi_app


class Outage:
    """Makes statements fail while `down` (all of them, or those containing `only`)."""

    def __init__(self, app: Any) -> None:
        self.down = False
        self.only = ""
        self.refused = 0
        engine = app.bot_data["services"].db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._check)

    def _check(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.down and self.only in statement:
            self.refused += 1
            raise OperationalError(statement, {}, ConnectionRefusedError("database unavailable"))


async def rows(app: Any, model: type[Any]) -> list[Any]:
    async with app.bot_data["services"].db.session() as session:
        return list((await session.exec(select(model))).all())


async def health(app: Any, settings: Settings) -> int:
    transport = httpx.ASGITransport(app=create_asgi_app(app, settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        return (await client.get("/healthz")).status_code


async def test_an_outage_gets_a_kind_try_again_and_nothing_is_half_written(
    chat: ChatDriver, app: Any, catalog: Catalog, settings: Settings
) -> None:
    await onboard(chat)
    await chat.say("/practice")
    await chat.tap("Check a draft")
    (run,) = [r for r in await rows(app, FlowRun) if r.status == "active"]
    outage = Outage(app)
    chat.strict = False  # the errors below are the point: the error handler answers them
    assert await health(app, settings) == 200

    # Down for everything: every kind of update gets the short answer, not silence.
    outage.down = True
    assert await health(app, settings) == 503
    for reply in (await chat.say("You never listen to me"), await chat.say("/journal a note")):
        assert [m.plain_text for m in reply] == [text(catalog, T.error_storage)]

    # Down only for the last write of the update: the flow's step was already moved in the
    # same transaction, and is rolled back with it.
    outage.only = "INSERT INTO practice_attempts"
    reply = await chat.say("You never listen to me")
    assert [m.plain_text for m in reply] == [text(catalog, T.error_storage)]
    outage.down = False
    assert await health(app, settings) == 200
    (after,) = [r for r in await rows(app, FlowRun) if r.status == "active"]
    assert (after.id, after.step_id, after.state) == (run.id, run.step_id, run.state)
    assert await rows(app, PracticeAttempt) == []

    # Back: the same message works, once.
    reply = await chat.say("You never listen to me")
    assert "never" in reply[0].plain_text and len(reply) == 1
    assert len(await rows(app, PracticeAttempt)) == 1
    assert outage.refused >= 3
