"""The user's own space through the real app: the journal (paging, writing, escaping), mood
check-ins, lessons, the weekly picture, and /export and /delete of everything stored."""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta
from typing import Any

from conftest import FakeClock
from helpers import onboard, text
from sqlmodel import SQLModel, col, select

from bot.app import build_application
from bot.content.texts import T
from bot.db.models import (
    USER_TABLES,
    GroundingSession,
    JournalEntry,
    MoodEntry,
    PracticeAttempt,
    User,
)
from bot.domain.catalog import Catalog
from bot.domain.lessons import flow_id as lesson_flow
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver, running_app
from bot.fakeapi.models import BotMessage
from bot.fakeapi.request import InProcessRequest
from bot.ops.config import Settings

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def rows(app: Any, model: type[Any]) -> list[Any]:
    async with app.bot_data["services"].db.session() as session:
        return list((await session.exec(select(model))).all())


async def add_rows(app: Any, *items: SQLModel) -> None:
    async with app.bot_data["services"].db.session() as session:
        for item in items:
            session.add(item)


def entry_texts(page: BotMessage) -> list[str]:
    """The entry texts on a journal page (each entry is a dated header line, then its text)."""
    blocks = page.plain_text.split("\n\n")[1:]
    return [block.split("\n", 1)[1] for block in blocks]


async def write_notes(chat: ChatDriver, clock: FakeClock, count: int) -> None:
    for number in range(1, count + 1):
        clock.advance(minutes=1)
        await chat.say(f"/journal note {number}")


# -- /journal --------------------------------------------------------------------------------


async def test_an_empty_journal_invites_a_first_note(chat: ChatDriver, catalog: Catalog) -> None:
    await onboard(chat)
    (page,) = await chat.say("/journal")
    assert page.plain_text == text(catalog, T.journal_empty)
    assert page.labels == [text(catalog, T.btn_write)]


async def test_answers_and_notes_show_newest_first_in_local_time(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)  # Berlin: UTC+1 in March
    await chat.say("/prompt")
    await chat.say("I go quiet when I feel hurt, too.")
    clock.advance(minutes=30)
    await chat.say("/journal a short note")
    (page,) = await chat.say("/journal")
    assert entry_texts(page) == ["a short note", "I go quiet when I feel hurt, too."]
    header = page.plain_text.split("\n\n")
    assert header[0] == text(catalog, T.journal_page, first=1, last=2, total=2)
    assert header[1].startswith("2 Mar 2026, 10:30 · " + text(catalog, T.journal_kind_note))
    assert header[2].startswith("2 Mar 2026, 10:00 · " + text(catalog, T.journal_kind_prompt))
    assert [e.kind for e in await rows(app, JournalEntry)] == ["prompt", "note"]


async def test_older_and_newer_page_through_one_message_in_place(
    chat: ChatDriver, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await write_notes(chat, clock, 12)
    (page,) = await chat.say("/journal")
    sent = len(chat.messages)
    older, newer = text(catalog, T.btn_older), text(catalog, T.btn_newer)
    write = text(catalog, T.btn_write)
    assert entry_texts(page) == [f"note {n}" for n in (12, 11, 10, 9, 8)]
    assert page.labels == [older, write]

    (second,) = await chat.tap(older)
    assert second.message_id == page.message_id and second.edited == 1
    assert entry_texts(second) == [f"note {n}" for n in (7, 6, 5, 4, 3)]
    assert second.plain_text.startswith(text(catalog, T.journal_page, first=6, last=10, total=12))
    assert second.labels == [newer, older, write]

    (third,) = await chat.tap(older)
    assert entry_texts(third) == ["note 2", "note 1"]
    assert third.labels == [newer, write]

    (back,) = await chat.tap(newer)
    assert entry_texts(back) == [f"note {n}" for n in (7, 6, 5, 4, 3)]
    assert back.message_id == page.message_id
    assert len(chat.messages) == sent  # paging never added a message


async def test_write_a_note_through_the_button(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/journal")
    (ask,) = await chat.tap(text(catalog, T.btn_write))
    assert ask.plain_text == catalog.flows["journal_note"].steps[0].ask  # type: ignore[union-attr]
    (done,) = await chat.say("Today I asked for a hug and got one.")
    assert done.plain_text == "Saved to your journal. 🌱"
    (entry,) = await rows(app, JournalEntry)
    assert (entry.kind, entry.ref, entry.text) == (
        "note",
        None,
        "Today I asked for a hug and got one.",
    )
    (page,) = await chat.say("/journal")
    assert entry_texts(page) == ["Today I asked for a hug and got one."]


async def test_journal_with_text_saves_it_at_once_keeping_its_lines(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    (reply,) = await chat.say("/journal First line\n\n  second   line")
    assert reply.plain_text == text(catalog, T.journal_saved)
    (entry,) = await rows(app, JournalEntry)
    assert (entry.kind, entry.text) == ("note", "First line\n\n  second   line")


async def test_html_in_a_note_is_shown_as_written(chat: ChatDriver, app: Any) -> None:
    await onboard(chat)
    await chat.say("/journal <b>hi</b> & you")
    (entry,) = await rows(app, JournalEntry)
    assert entry.text == "<b>hi</b> & you"
    (page,) = await chat.say("/journal")
    assert "&lt;b&gt;hi&lt;/b&gt; &amp; you" in page.text
    assert "<b>hi</b>" not in page.text
    assert entry_texts(page) == ["<b>hi</b> & you"]


# -- /mood -----------------------------------------------------------------------------------


async def test_mood_rating_feeling_and_note_are_saved(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    (ask,) = await chat.say("/mood")
    assert ask.labels[:5] == ["1 · very low", "2 · low", "3 · okay", "4 · good", "5 · very good"]
    (words,) = await chat.tap("2 · low")
    assert "lonely" in words.labels and "Skip" in words.labels
    (note,) = await chat.tap("lonely")
    assert note.labels == ["No, that's all"]
    (done,) = await chat.say("A long, quiet evening.")
    assert done.plain_text.startswith("Thank you for checking in.")
    (mood,) = await rows(app, MoodEntry)
    assert (mood.rating, mood.feelings, mood.note) == (2, "lonely", "A long, quiet evening.")
    assert mood.user_id == 1001


async def test_mood_with_every_optional_step_skipped(chat: ChatDriver, app: Any) -> None:
    await onboard(chat)
    await chat.say("/mood")
    (words,) = await chat.tap("5 · very good")
    assert "grateful" in words.labels  # the words for a good day
    await chat.tap("Skip")
    (done,) = await chat.tap("No, that's all")
    assert done.plain_text.startswith("Thank you for checking in.")
    (mood,) = await rows(app, MoodEntry)
    assert (mood.rating, mood.feelings, mood.note) == (5, "", None)


async def test_mood_accepts_a_feeling_word_of_ones_own(chat: ChatDriver, app: Any) -> None:
    await onboard(chat)
    await chat.say("/mood")
    (words,) = await chat.tap("3 · okay")
    assert "unsettled" in words.labels
    await chat.say("wistful")
    await chat.tap("No, that's all")
    (mood,) = await rows(app, MoodEntry)
    assert (mood.rating, mood.feelings, mood.note) == (3, "wistful", None)


# -- /learn ----------------------------------------------------------------------------------


async def read_first_lesson(chat: ChatDriver, catalog: Catalog) -> tuple[str, BotMessage]:
    lessons = sorted(catalog.library.lessons, key=lambda lesson: lesson.order)
    (menu,) = await chat.say("/learn")
    assert menu.plain_text == text(catalog, T.learn_menu)
    assert menu.labels == [lesson.title for lesson in lessons]
    lesson = lessons[0]
    shown = await chat.tap(lesson.title)
    for page in lesson.pages[1:]:
        assert shown[-1].labels == [text(catalog, T.btn_next)], chat.transcript()
        shown = await chat.tap(text(catalog, T.btn_next))
        assert page.heading in shown[-1].plain_text, chat.transcript()
    shown = await chat.tap(text(catalog, T.btn_next))
    reflection = shown[-1]
    assert lesson.reflection in reflection.plain_text, chat.transcript()
    assert reflection.labels == [text(catalog, T.btn_not_now)]
    return lesson.id, reflection


async def test_a_lesson_pages_to_its_reflection_and_the_answer_is_kept(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    lesson_id, _ = await read_first_lesson(chat, catalog)
    (done,) = await chat.say("That the distance is how they cope, not a verdict on me.")
    assert done.plain_text == text(catalog, T.lesson_done)
    (entry,) = await rows(app, JournalEntry)
    assert (entry.kind, entry.ref) == ("lesson", lesson_flow(lesson_id))
    assert entry.text == "That the distance is how they cope, not a verdict on me."


async def test_not_now_ends_a_lesson_without_saving(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    await read_first_lesson(chat, catalog)
    (done,) = await chat.tap(text(catalog, T.btn_not_now))
    assert done.plain_text == text(catalog, T.lesson_done)
    assert await rows(app, JournalEntry) == []


# -- /insights -------------------------------------------------------------------------------


async def test_insights_without_data_says_there_is_nothing_yet(
    chat: ChatDriver, fake: FakeTelegram, catalog: Catalog
) -> None:
    await onboard(chat)
    (reply,) = await chat.say("/insights")
    assert reply.plain_text == text(catalog, T.insights_empty)
    assert fake.calls_to("sendPhoto") == []


async def test_insights_sends_a_png_chart_with_a_short_caption(
    chat: ChatDriver, app: Any, fake: FakeTelegram, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    now = clock.now
    moods = [
        MoodEntry(user_id=1001, rating=2 if day > 6 else 4, created_at=now - timedelta(days=day))
        for day in range(14)
    ]
    grounding = [
        GroundingSession(user_id=1001, exercise="box_breathing", before=8, after=4,
                         status="done", created_at=now - timedelta(days=day))
        for day in (1, 9)
    ]  # fmt: skip
    attempts = [
        PracticeAttempt(user_id=1001, exercise="practice_check", text="draft",
                        verdict=verdict, created_at=now - timedelta(days=day))
        for day, verdict in ((2, "ready"), (3, "try_again"), (10, "ready"))
    ]  # fmt: skip
    old = MoodEntry(user_id=1001, rating=1, created_at=now - timedelta(days=60))
    await add_rows(app, *moods, *grounding, *attempts, old)
    await chat.say("/journal a note this week")

    (photo,) = await chat.say("/insights")
    assert photo.kind == "photo" and photo.file is not None
    assert photo.file.content is not None and photo.file.content.startswith(PNG_MAGIC)
    (call,) = fake.calls_to("sendPhoto")
    assert call.params["chat_id"] == 1001
    title, *lines = photo.plain_text.split("\n\n")
    assert title == text(catalog, T.insights_caption)
    assert lines == [
        text(catalog, T.insights_mood_up),
        text(catalog, T.insights_writing, count=1),
        text(catalog, T.insights_grounding, before="8", after="4", count=2),
    ]
    sentences = re.findall(r"[.!?](?:\s|$)", "\n".join(lines))
    assert 2 <= len(sentences) <= 3, photo.plain_text


# -- /export and /delete ---------------------------------------------------------------------


async def test_export_sends_json_and_markdown_with_the_users_words(
    chat: ChatDriver, fake: FakeTelegram, catalog: Catalog
) -> None:
    await onboard(chat)
    note = 'I said "I miss you" <and> meant it & more'
    await chat.say(f"/journal {note}")
    await chat.say("/mood")
    await chat.tap("4 · good")
    await chat.tap("connected")
    await chat.say("A slow Sunday together.")
    await chat.say("/export")
    json_file, markdown_file = fake.documents_to(1001)
    assert json_file.filename == "secure-base-2026-03-02.json"
    assert markdown_file.filename == "secure-base-2026-03-02.md"
    assert json_file.caption == text(catalog, T.export_caption)
    assert json_file.content is not None and markdown_file.content is not None
    document = json.loads(json_file.content)
    assert document["format"] == "secure-base-export"
    assert [e["text"] for e in document["tables"]["journal_entries"]] == [note]
    (mood,) = document["tables"]["mood_entries"]
    assert (mood["rating"], mood["feelings"], mood["note"]) == (
        4,
        "connected",
        "A slow Sunday together.",
    )
    assert document["tables"]["users"][0]["timezone"] == "Europe/Berlin"
    markdown = markdown_file.content.decode()
    assert f"> {note}" in markdown
    assert "> A slow Sunday together." in markdown
    assert markdown.startswith("# " + text(catalog, T.export_title))


async def all_rows_of(app: Any, user_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with app.bot_data["services"].db.session() as session:
        tables: tuple[type[Any], ...] = (*USER_TABLES, User)
        for table in tables:
            column = User.id if table is User else table.user_id
            found = (await session.exec(select(table).where(col(column) == user_id))).all()
            counts[str(table.__tablename__)] = len(found)
    return counts


async def fill_every_kind_of_row(chat: ChatDriver, app: Any, clock: FakeClock) -> None:
    await chat.say("/prompt")
    await chat.say("An answer to today's question.")
    await chat.say("/journal a note")
    await chat.say("/mood")
    await chat.tap("3 · okay")
    await chat.tap("Skip")
    await chat.tap("No, that's all")
    await add_rows(
        app,
        GroundingSession(user_id=1001, exercise="box_breathing", before=7, after=3,
                         created_at=clock.now),
        PracticeAttempt(user_id=1001, exercise="practice_check", text="a draft",
                        verdict="ready", created_at=clock.now),
    )  # fmt: skip


async def test_delete_asks_first_and_no_keeps_everything(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await fill_every_kind_of_row(chat, app, clock)
    before = await all_rows_of(app, 1001)
    (confirm,) = await chat.say("/delete")
    assert confirm.plain_text == text(catalog, T.delete_confirm)
    assert confirm.labels == [text(catalog, T.btn_delete_yes), text(catalog, T.btn_delete_no)]
    (kept,) = await chat.tap(text(catalog, T.btn_delete_no))
    assert kept.plain_text == text(catalog, T.delete_kept)
    assert await all_rows_of(app, 1001) == before
    assert before["journal_entries"] == 2 and before["mood_entries"] == 1


async def test_delete_yes_erases_every_row_and_consent_is_asked_again(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await fill_every_kind_of_row(chat, app, clock)
    other = ChatDriver(app, chat.fake, user_id=2002, first_name="Bo")
    await onboard(other)
    await other.say("/journal someone else's note")
    filled = await all_rows_of(app, 1001)
    assert all(
        filled[name]
        for name in ("users", "flow_runs", "deliveries", "journal_entries", "mood_entries",
                     "grounding_sessions", "practice_attempts")
    )  # fmt: skip

    await chat.say("/delete")
    (done,) = await chat.tap(text(catalog, T.btn_delete_yes))
    assert done.plain_text == text(catalog, T.delete_done)
    assert set((await all_rows_of(app, 1001)).values()) == {0}
    others = await all_rows_of(app, 2002)
    assert others["users"] == 1 and others["journal_entries"] == 1

    (reply,) = await chat.say("/journal")
    assert reply.plain_text == text(catalog, T.consent_needed)
    (reply,) = await chat.say("/export")
    assert reply.plain_text == text(catalog, T.consent_needed)
    await onboard(chat)
    (page,) = await chat.say("/journal")
    assert page.plain_text == text(catalog, T.journal_empty)


# -- RETENTION_DAYS --------------------------------------------------------------------------


async def test_the_dispatch_job_ages_out_old_entries_with_retention_days(
    settings: Settings, catalog: Catalog, fake: FakeTelegram, clock: FakeClock
) -> None:
    application = build_application(
        settings.model_copy(update={"retention_days": 30}),
        request=InProcessRequest(fake), get_updates_request=InProcessRequest(fake),
        catalog=catalog, clock=clock, rng=random.Random(3), rate_limit=False,
    )  # fmt: skip
    async with running_app(application) as app:
        chat = ChatDriver(app, fake, user_id=1001)
        await onboard(chat)
        await chat.say("/journal from the first day")
        clock.advance(days=20)
        await chat.say("/journal twenty days later")
        await chat.run_jobs("dispatch_prompts")
        assert len(await rows(app, JournalEntry)) == 2
        clock.advance(days=11)
        await chat.run_jobs("dispatch_prompts")
        assert [e.text for e in await rows(app, JournalEntry)] == ["twenty days later"]
        (page,) = await chat.say("/journal")
        assert entry_texts(page) == ["twenty days later"]
        assert len(await rows(app, User)) == 1  # settings and consent are kept


async def test_without_retention_days_nothing_is_aged_out(
    chat: ChatDriver, app: Any, clock: FakeClock
) -> None:
    await onboard(chat)
    await chat.say("/journal an old note")
    clock.advance(days=3000)
    await chat.run_jobs("dispatch_prompts")
    assert [e.text for e in await rows(app, JournalEntry)] == ["an old note"]
