"""Daily reflection use cases outside the dispatcher: /prompt, the prompt buttons, answers,
/pause and /resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.content.texts import T
from bot.db.models import Delivery, ScheduledTask, User
from bot.db.repo import deliveries as delivery_repo
from bot.db.repo import journal as journal_repo
from bot.db.repo import users as user_repo
from bot.domain.dates import long_date, weekday_name
from bot.domain.prompts import prompt_at, user_themes
from bot.edge.context import Services
from bot.edge.outgoing import Outgoing
from bot.scheduling.plan import local_date, zone_of
from bot.services.dispatcher import PROMPT_SLOT
from bot.services.profile import schedule_next_prompt
from bot.services.prompting import render_prompt

FOLLOW_UP = "#follow"
REMIND_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PromptReply:
    """A prompt message to send, and the delivery to link its message id to."""

    message: Outgoing
    delivery_id: int | None


def _next_prompt(services: Services, user: User) -> tuple[str, Outgoing]:
    library = services.catalog.library
    themes = user_themes(library, user.themes.split(",") if user.themes else ())
    prompt = prompt_at(library, user_id=user.id, cursor=user.prompt_cursor, themes=themes)
    lead = services.catalog.texts.get(T.prompt_today_lead)
    return prompt.id, render_prompt(services.catalog, prompt, lead=lead)


async def prompt_now(services: Services, user_id: int) -> PromptReply:
    """Give today's prompt now: the one already delivered today, or the next one."""
    now = services.clock()
    texts = services.catalog.texts
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        if user is None or not user.timezone:
            return PromptReply(Outgoing(texts.get(T.prompt_needs_setup)), None)
        today = local_date(now, user.timezone)
        delivered = await delivery_repo.today_delivery(
            session, user_id=user_id, slot=PROMPT_SLOT, local=today
        )
        shown = delivered.prompt_id if delivered is not None else None
        prompt = services.catalog.library.prompts.get(shown) if shown else None
        if delivered is not None and prompt is not None:
            user.awaiting_prompt_id = prompt.id
            session.add(user)
            lead = texts.get(T.prompt_today_lead)
            return PromptReply(render_prompt(services.catalog, prompt, lead=lead), delivered.id)
        prompt_id, message = _next_prompt(services, user)
        delivery = Delivery(
            user_id=user_id,
            slot=PROMPT_SLOT,
            local_date=today,
            due_at=now,
            claimed_at=now,
            status="sent",
            prompt_id=prompt_id,
        )
        try:
            async with session.begin_nested():
                session.add(delivery)
        except IntegrityError:
            # The dispatcher claimed today a moment ago; its message is on the way.
            delivery.id = None
        user.prompt_cursor += 1
        user.awaiting_prompt_id = prompt_id
        # Today's question was given now (today is delivered), so the schedule moves on.
        await schedule_next_prompt(session, user=user, now=now)
        return PromptReply(message, delivery.id)


async def link_message(services: Services, delivery_id: int, message_id: int) -> None:
    """Remember which message carried a delivery, so replies to it count as answers."""
    async with services.db.session() as session:
        delivery = await session.get(Delivery, delivery_id)
        if delivery is not None:
            delivery.message_id = message_id
            session.add(delivery)


async def another_prompt(services: Services, user_id: int) -> Outgoing:
    """Swap the current prompt for the next one in the user's order."""
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        assert user is not None
        prompt_id, message = _next_prompt(services, user)
        user.prompt_cursor += 1
        user.awaiting_prompt_id = prompt_id
        session.add(user)
    return message


async def invite_answer(services: Services, user_id: int, prompt_id: str) -> Outgoing:
    """Make the next text message the answer to this prompt."""
    async with services.db.session() as session:
        await user_repo.update_user(session, user_id=user_id, awaiting_prompt_id=prompt_id)
    return Outgoing(services.catalog.texts.get(T.prompt_answer_invite))


async def skip_today(services: Services, user_id: int, prompt_id: str) -> Outgoing:
    """Let today's prompt go, without any guilt."""
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        if user is not None and user.awaiting_prompt_id == prompt_id:
            user.awaiting_prompt_id = None
            session.add(user)
    return Outgoing(services.catalog.texts.get(T.prompt_skipped, services.rng))


async def remind_later(services: Services, user_id: int, prompt_id: str) -> Outgoing:
    """Bring the prompt back in about an hour."""
    async with services.db.session() as session:
        session.add(
            ScheduledTask(
                user_id=user_id,
                kind="prompt_reminder",
                ref=prompt_id,
                due_at=services.clock() + REMIND_AFTER,
            )
        )
    return Outgoing(services.catalog.texts.get(T.prompt_remind_set))


async def capture_answer(
    services: Services, user_id: int, text: str, reply_to: int | None
) -> tuple[Outgoing, ...] | None:
    """Save text as the answer to the prompt it replies to or that awaits one; None if none."""
    now = services.clock()
    library = services.catalog.library
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        if user is None:
            return None
        ref = user.awaiting_prompt_id
        if reply_to is not None:
            delivery = await delivery_repo.by_message(
                session, user_id=user_id, message_id=reply_to
            )
            if delivery is not None and delivery.prompt_id:
                ref = delivery.prompt_id
        if ref is None:
            return None
        prompt_id = ref.removesuffix(FOLLOW_UP)
        await journal_repo.add_entry(
            session, user_id=user_id, kind="prompt", ref=ref, text=text, now=now
        )
        user.last_answer_at = now
        user.awaiting_prompt_id = None
        messages = [Outgoing(services.rng.choice(library.meta.acknowledgements))]
        prompt = library.prompts.get(prompt_id)
        if prompt is not None and prompt.follow_up and not ref.endswith(FOLLOW_UP):
            intro = services.catalog.texts.get(T.prompt_saved_followup)
            messages.append(Outgoing(f"{intro}\n\n{prompt.follow_up}"))
            user.awaiting_prompt_id = prompt_id + FOLLOW_UP
        session.add(user)
    return tuple(messages)


async def pause(services: Services, user_id: int, duration: timedelta | None) -> Outgoing:
    """Pause daily prompts, for a while or until /resume."""
    now = services.clock()
    texts = services.catalog.texts
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        assert user is not None
        if duration is None:
            user.prompts_enabled = False
            user.paused_until = None
            reply = texts.get(T.pause_forever)
        else:
            user.paused_until = now + duration
            zone = zone_of(user.timezone) if user.timezone else None
            until = user.paused_until.astimezone(zone) if zone else user.paused_until
            reply = texts.get(T.pause_until, until=long_date(texts, until.date()))
        await schedule_next_prompt(session, user=user, now=now)
    return Outgoing(reply)


async def resume(services: Services, user_id: int) -> Outgoing:
    """Resume daily prompts and say when the next one comes."""
    now = services.clock()
    texts = services.catalog.texts
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        assert user is not None
        was_paused = not user.prompts_enabled or (
            user.paused_until is not None and user.paused_until > now
        )
        if not (user.timezone and user.prompt_time):
            return Outgoing(texts.get(T.prompt_needs_setup))
        user.prompts_enabled = True
        user.paused_until = None
        await schedule_next_prompt(session, user=user, now=now)
        assert user.next_prompt_at is not None
        when = user.next_prompt_at.astimezone(zone_of(user.timezone))
        when_text = texts.get(
            T.when_at, day=weekday_name(texts, when.date()), time=when.strftime("%H:%M")
        )
    key = T.resume_done if was_paused else T.resume_not_paused
    return Outgoing(texts.raw(key, when=when_text))
