"""Journal and mood use cases: notes, check-ins, and the paged journal view."""

from __future__ import annotations

import html

from bot.content.texts import T
from bot.db.repo import journal as journal_repo
from bot.db.repo import mood as mood_repo
from bot.db.repo import users as user_repo
from bot.domain.dates import date_time
from bot.edge import callbacks
from bot.edge.context import Services
from bot.edge.outgoing import ButtonSpec, Outgoing
from bot.scheduling.plan import zone_of
from bot.services.flow_runner import ActionContext

JOURNAL_BUTTON = "j"
OLDER, WRITE = "o", "w"
PAGE_SIZE = 5
PREVIEW_CHARS = 400
KIND_KEYS = {
    "prompt": T.journal_kind_prompt,
    "note": T.journal_kind_note,
    "lesson": T.journal_kind_lesson,
}


async def save_note(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Save a note written in the journal_note flow."""
    note = ctx.vars.get("note", "").strip()
    if note:
        await journal_repo.add_entry(
            ctx.session, user_id=ctx.user_id, kind="note", ref=None, text=note,
            now=ctx.services.clock(),
        )  # fmt: skip
    return ()


async def save_mood(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Save a mood check-in from the mood_checkin flow."""
    rating = ctx.vars.get("rating", "")
    if rating.isdigit() and 1 <= int(rating) <= 5:
        await mood_repo.add_mood(
            ctx.session,
            user_id=ctx.user_id,
            rating=int(rating),
            feelings=ctx.vars.get("feeling", ""),
            note=ctx.vars.get("note") or None,
            now=ctx.services.clock(),
        )
    return ()


async def write_note(services: Services, user_id: int, text: str) -> Outgoing:
    """Save "/journal <text>" straight away."""
    async with services.db.session() as session:
        await journal_repo.add_entry(
            session, user_id=user_id, kind="note", ref=None, text=text, now=services.clock()
        )
    return Outgoing(services.catalog.texts.get(T.journal_saved))


async def journal_page(services: Services, user_id: int, offset: int) -> Outgoing:
    """One page of the journal, newest first, with paging and a Write button."""
    texts = services.catalog.texts
    async with services.db.session() as session:
        entries = await journal_repo.recent_entries(
            session, user_id=user_id, limit=PAGE_SIZE + 1, offset=offset
        )
        total = await journal_repo.count_entries(session, user_id=user_id)
        user = await user_repo.get_user(session, user_id=user_id)
    write = ButtonSpec(texts.get(T.btn_write), callbacks.encode(JOURNAL_BUTTON, WRITE))
    if not entries and offset > 0:
        # An old Older button after entries were deleted: show the newest page instead.
        return await journal_page(services, user_id, 0)
    if not entries:
        return Outgoing(texts.get(T.journal_empty), ((write,),))
    zone = zone_of(user.timezone) if user is not None and user.timezone else None
    shown = entries[:PAGE_SIZE]
    blocks = [texts.get(T.journal_page, first=offset + 1, last=offset + len(shown), total=total)]
    for entry in shown:
        when = entry.created_at.astimezone(zone) if zone else entry.created_at
        text = entry.text
        if len(text) > PREVIEW_CHARS:
            text = text[:PREVIEW_CHARS] + "…"
        kind = texts.get(KIND_KEYS.get(entry.kind, T.journal_kind_flow))
        blocks.append(
            texts.raw(
                T.journal_entry,
                when=date_time(texts, when),
                kind=html.escape(kind, quote=False),
                text=html.escape(text, quote=False),
            )
        )
    nav: list[ButtonSpec] = []
    if offset > 0:
        newer = max(0, offset - PAGE_SIZE)
        data = callbacks.encode(JOURNAL_BUTTON, OLDER, newer)
        nav.append(ButtonSpec(texts.get(T.btn_newer), data))
    if len(entries) > PAGE_SIZE:
        older = offset + PAGE_SIZE
        data = callbacks.encode(JOURNAL_BUTTON, OLDER, older)
        nav.append(ButtonSpec(texts.get(T.btn_older), data))
    rows = (tuple(nav), (write,)) if nav else ((write,),)
    return Outgoing("\n\n".join(blocks), rows)
