"""The hot moment: hold a message instead of sending it, agree a time-out, log bids.

Flows in content/ (hold, timeout, timeout_return, timeout_wait_return, bids) ask the
questions; the actions here store what they decided and book the later moment as a
ScheduledTask, which the one dispatch job runs (bot/services/tasks.py). The bot only ever
writes to the user: "send it" gives them their words to copy, never sends anything itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.html import shorten
from bot.content.texts import T
from bot.db.models import HeldMessage, ScheduledTask
from bot.db.repo import hot as repo
from bot.db.repo import tasks as task_repo
from bot.db.repo import users as user_repo
from bot.domain.dates import moment_words
from bot.edge import callbacks
from bot.edge.context import Services
from bot.edge.outgoing import ButtonSpec, Outgoing
from bot.services.flow_runner import ActionContext, FlowRunner

HOLD_KIND = "hold"
TIMEOUT_KIND = "timeout"
HOLD_BUTTON = "h"
SEND, EDIT, LET_GO, NOW, GROUND = "send", "edit", "go", "now", "ground"
HOLD_FLOW = "hold"
TIMEOUT_FLOW = "timeout"
BIDS_FLOW = "bids"
EDIT_FLOW = "practice_check"
# The check-in flow at the end of a time-out, by whose pause it was.
RETURN_FLOWS = {"mine": "timeout_return", "theirs": "timeout_wait_return"}
# Used only if a flow reaches an action without a moment (a content slip): an hour from now.
FALLBACK_WAIT = timedelta(hours=1)
LIST_LIMIT = 8
PREVIEW_CHARS = 40
BY = ("mine", "theirs")
RESPONSES = ("toward", "away", "against")


def _due(ctx: ActionContext) -> datetime:
    value = ctx.vars.get("when_at", "")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return ctx.services.clock() + FALLBACK_WAIT


async def _zone(services: Services, user_id: int) -> ZoneInfo:
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
    return ZoneInfo(user.timezone if user is not None and user.timezone else "UTC")


def _when(services: Services, moment: datetime, zone: ZoneInfo) -> str:
    return moment_words(services.catalog.texts, moment.astimezone(zone), now=services.clock())


def _button(services: Services, key: T, *args: str | int, **values: object) -> ButtonSpec:
    label = services.catalog.texts.get(key, None, **values)
    return ButtonSpec(label, callbacks.encode(HOLD_BUTTON, *args))


# -- actions (named in flows) ------------------------------------------------------------------


async def hold_message(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Keep the draft (`{held}`) and book its return at `{when_at}`."""
    services = ctx.services
    due = _due(ctx)
    hold = await repo.add_hold(
        ctx.session,
        user_id=ctx.user_id,
        text=ctx.vars.get("held", ""),
        due_at=due,
        now=services.clock(),
    )
    assert hold.id is not None
    await task_repo.add_task(
        ctx.session, user_id=ctx.user_id, kind=HOLD_KIND, ref=str(hold.id), due_at=due
    )
    texts = services.catalog.texts
    when = ctx.vars.get("when_label") or _when(services, due, await _zone(services, ctx.user_id))
    return (
        Outgoing(
            texts.get(T.hold_saved, services.rng, when=when),
            ((_button(services, T.btn_hold_ground, GROUND),),),
        ),
    )


async def book_timeout(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Book the check-in at the end of a time-out (`{who}`: mine or theirs)."""
    flow = RETURN_FLOWS.get(ctx.vars.get("who", ""), RETURN_FLOWS["mine"])
    keep = {k: v for k, v in ctx.vars.items() if k in ("who", "when_label")}
    await task_repo.add_task(
        ctx.session,
        user_id=ctx.user_id,
        kind=TIMEOUT_KIND,
        ref=flow,
        due_at=_due(ctx),
        state=json.dumps(keep),
    )
    return ()


async def offer_grounding(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """A button that opens the grounding menu (for the time while a pause lasts)."""
    services = ctx.services
    return (
        Outgoing(
            services.catalog.texts.get(T.ground_pick, services.rng),
            ((_button(services, T.btn_hold_ground, GROUND),),),
        ),
    )


async def save_bid(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Log a bid: `{bid_by}` (mine/theirs), `{bid_response}` (toward/away/against), note."""
    by = ctx.vars.get("bid_by", "")
    response = ctx.vars.get("bid_response", "")
    if by not in BY or response not in RESPONSES:
        return ()
    await repo.add_bid(
        ctx.session,
        user_id=ctx.user_id,
        by=by,
        response=response,
        note=ctx.vars.get("bid_note") or None,
        now=ctx.services.clock(),
    )
    return ()


# -- held messages coming back -----------------------------------------------------------------


async def return_hold(services: Services, task: ScheduledTask) -> tuple[Outgoing, ...]:
    """A hold's time has come: give the words back with the three choices (once)."""
    now = services.clock()
    late = now - task.due_at > services.settings.prompt_grace
    async with services.db.session() as session:
        hold = await repo.get_hold(session, user_id=task.user_id, hold_id=int(task.ref))
        if hold is None or not await repo.move_hold(
            session, hold_id=int(task.ref), from_status=("waiting",), to_status="returned", now=now
        ):
            return ()
    return (_returned(services, hold, late=late),)


def _returned(services: Services, hold: HeldMessage, *, late: bool) -> Outgoing:
    assert hold.id is not None
    texts = services.catalog.texts
    key = T.hold_back_late if late else T.hold_back
    buttons = (
        (_button(services, T.btn_hold_send, SEND, hold.id),),
        (_button(services, T.btn_hold_edit, EDIT, hold.id),),
        (_button(services, T.btn_hold_let_go, LET_GO, hold.id),),
    )
    return Outgoing(texts.get(key, services.rng, text=hold.text), buttons)


async def holds_list(services: Services, user_id: int) -> Outgoing | None:
    """The messages still on hold, each with a button to bring it back now."""
    async with services.db.session() as session:
        holds = list(await repo.waiting_holds(session, user_id=user_id))
    if not holds:
        return None
    texts = services.catalog.texts
    zone = await _zone(services, user_id)
    lines = [texts.get(T.hold_list_title, count=len(holds))]
    buttons = []
    for hold in holds[:LIST_LIMIT]:
        assert hold.id is not None
        when = _when(services, hold.due_at, zone)
        preview = shorten(hold.text, PREVIEW_CHARS)
        lines.append(texts.get(T.hold_list_item, when=when, preview=preview))
        buttons.append((_button(services, T.btn_hold_now, NOW, hold.id, when=when),))
    return Outgoing("\n".join(lines), tuple(buttons))


@dataclass(frozen=True, slots=True)
class HoldChoice:
    """What a tap on a held message's button led to."""

    messages: tuple[Outgoing, ...]
    grounding: bool = False  # the handler adds the grounding menu


async def on_hold_button(
    services: Services, runner: FlowRunner, user_id: int, action: str, hold_id: int | None
) -> HoldChoice:
    """Send as it is, edit, let go, or bring back now; each happens once."""
    texts = services.catalog.texts
    if action == GROUND:
        return HoldChoice((), grounding=True)
    gone = HoldChoice((Outgoing(texts.get(T.hold_gone)),))
    if hold_id is None:
        return gone
    now = services.clock()
    async with services.db.session() as session:
        hold = await repo.get_hold(session, user_id=user_id, hold_id=hold_id)
        if hold is None:
            return gone
        if action == NOW:
            moved = await repo.move_hold(
                session, hold_id=hold_id, from_status=("waiting",), to_status="returned", now=now
            )
            if moved:
                await task_repo.cancel_ref(
                    session, user_id=user_id, kind=HOLD_KIND, ref=str(hold_id)
                )
            return HoldChoice((_returned(services, hold, late=False),)) if moved else gone
        target = {SEND: "sent", EDIT: "edited", LET_GO: "let_go"}.get(action)
        if target is None:
            return gone
        # Only a returned message can be sent or edited; letting go also works before.
        allowed = ("returned", "waiting") if action == LET_GO else ("returned",)
        if not await repo.move_hold(
            session, hold_id=hold_id, from_status=allowed, to_status=target
        ):
            return gone
        await task_repo.cancel_ref(session, user_id=user_id, kind=HOLD_KIND, ref=str(hold_id))
    if action == SEND:
        return HoldChoice((Outgoing(texts.get(T.hold_send, services.rng, text=hold.text)),))
    if action == LET_GO:
        return HoldChoice((Outgoing(texts.get(T.hold_let_go, services.rng)),))
    intro = Outgoing(texts.get(T.hold_edit, text=hold.text))
    return HoldChoice((intro, *await runner.start(user_id, EDIT_FLOW)))


# -- bids in the weekly picture ----------------------------------------------------------------


async def bid_counts(services: Services, user_id: int, *, days: int = 7) -> dict[str, int]:
    """How the user's bids of the last `days` days were met: toward, away, against."""
    since = services.clock() - timedelta(days=days)
    async with services.db.session() as session:
        rows = await repo.bids_since(session, user_id=user_id, since=since)
    counts = dict.fromkeys(RESPONSES, 0)
    for _when_at, _by, response in rows:
        if response in counts:
            counts[response] += 1
    return counts
