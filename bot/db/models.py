"""Database tables. Flat rows, explicit queries in repo/, timestamps always UTC-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Column, DateTime, Index, String, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from bot.db.crypto import SealedText

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always read back aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(**kwargs: object) -> object:
    return Field(sa_column=Column(UtcDateTime(), **kwargs))  # type: ignore[arg-type]


def _sealed(nullable: bool = True) -> object:
    return Field(default=None, sa_column=Column(SealedText(), nullable=nullable))


class User(SQLModel, table=True):
    """A person who consented to use the bot. The id is their Telegram user id."""

    __tablename__ = "users"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    consented_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    timezone: str | None = None
    prompt_time: str | None = None  # "HH:MM", local
    prompt_days: int = 127  # bitmask, bit 0 = Monday
    country: str | None = None
    themes: str = ""  # comma separated theme ids; empty means all
    prompts_enabled: bool = False
    next_prompt_at: datetime | None = _utc(nullable=True, index=True)  # type: ignore[assignment]
    paused_until: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    active: bool = True  # False once the user blocked the bot
    skills_paused: bool = False  # abuse screen: no relationship-skills advice
    prompt_cursor: int = 0  # position in the user's own order of prompts
    awaiting_prompt_id: str | None = None  # the prompt the next text message answers
    last_answer_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    last_seen_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    checkin_sent_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    reentry_sent_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]
    # The locale the bot writes in (content/locales/<language>): from Telegram's
    # language_code at /start, changed in /settings.
    language: str = Field(
        default="en", sa_column=Column(String(16), nullable=False, server_default="en")
    )


class FlowRun(SQLModel, table=True):
    """Where a user is in a scripted flow; one active run per user at most."""

    __tablename__ = "flow_runs"

    __table_args__ = (Index("ix_flow_runs_user_status", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    flow_id: str
    step_id: str
    state: str | None = _sealed()  # type: ignore[assignment]  # JSON of vars + attempts
    status: str = "active"  # active | done | cancelled | expired
    started_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    updated_at: datetime = _utc(nullable=False)  # type: ignore[assignment]


class Delivery(SQLModel, table=True):
    """One scheduled message claimed for one user on one local date; never twice."""

    __tablename__ = "deliveries"

    __table_args__ = (
        UniqueConstraint("user_id", "slot", "local_date", name="uq_delivery_user_slot_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    slot: str  # "prompt", "checkin", ...
    local_date: date
    due_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    claimed_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    status: str = "claimed"  # claimed | sent | failed | skipped | lost
    prompt_id: str | None = None
    message_id: int | None = None


class JournalEntry(SQLModel, table=True):
    """Something the user wrote: a prompt answer, a note, a lesson reflection."""

    __tablename__ = "journal_entries"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    kind: str  # prompt | note | lesson | flow
    ref: str | None = None  # prompt id, lesson id, flow id
    text: str = _sealed(nullable=False)  # type: ignore[assignment]
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]


class PracticeAttempt(SQLModel, table=True):
    """One draft checked by the statement coach."""

    __tablename__ = "practice_attempts"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    exercise: str
    scenario_id: str | None = None
    text: str = _sealed(nullable=False)  # type: ignore[assignment]
    verdict: str
    codes: str = ""  # comma separated issue codes
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]


class MoodEntry(SQLModel, table=True):
    """A mood check-in: a 1-5 rating, optional feeling words and note."""

    __tablename__ = "mood_entries"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    rating: int
    feelings: str = ""
    note: str | None = _sealed()  # type: ignore[assignment]
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]


class GroundingSession(SQLModel, table=True):
    """A grounding exercise with the intensity the user felt before and after (0-10)."""

    __tablename__ = "grounding_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    exercise: str
    before: int | None = None
    after: int | None = None
    status: str = "started"  # started | done | stopped
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]


class ScheduledTask(SQLModel, table=True):
    """Something to do for a user later: start a flow, remind of a prompt, check in."""

    __tablename__ = "scheduled_tasks"
    __table_args__ = (Index("ix_scheduled_tasks_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    kind: str  # flow | prompt_reminder | safety_followup
    ref: str = ""  # flow id or prompt id
    due_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    state: str | None = _sealed()  # type: ignore[assignment]  # JSON handed to the task
    # pending | claimed | sending | done | failed | skipped | lost | cancelled
    status: str = "pending"
    claimed_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]


class SafetyEvent(SQLModel, table=True):
    """That the safety screen fired (level and kind only, never the message)."""

    __tablename__ = "safety_events"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    level: str
    kind: str | None = None
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    followup_due_at: datetime | None = _utc(nullable=True, index=True)  # type: ignore[assignment]


class HeldMessage(SQLModel, table=True):
    """A message the user chose not to send yet (/hold); it comes back to them at `due_at`."""

    __tablename__ = "held_messages"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    text: str = _sealed(nullable=False)  # type: ignore[assignment]
    due_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    # waiting | returned | sent | edited | let_go
    status: str = "waiting"
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]
    returned_at: datetime | None = _utc(nullable=True)  # type: ignore[assignment]


class Bid(SQLModel, table=True):
    """A small moment of reaching out (/bids): whose it was and how it was met."""

    __tablename__ = "bids"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    by: str  # mine | theirs
    response: str  # toward | away | against
    note: str | None = _sealed()  # type: ignore[assignment]
    created_at: datetime = _utc(nullable=False)  # type: ignore[assignment]


# Every table that holds a user's rows, for export and delete. A test checks it is complete.
USER_TABLES: tuple[type[SQLModel], ...] = (
    FlowRun,
    Delivery,
    JournalEntry,
    PracticeAttempt,
    MoodEntry,
    GroundingSession,
    ScheduledTask,
    SafetyEvent,
    HeldMessage,
    Bid,
)
