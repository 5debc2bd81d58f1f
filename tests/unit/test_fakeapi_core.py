"""FakeTelegram on its own: Bot API answers, update queue, user side, faults, observations."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.fakeapi import FakeTelegram, UploadedFile, find_spec, load_validator
from bot.fakeapi.core import BLOCKED, CHAT_NOT_FOUND, CONFLICT_POLL, CONFLICT_WEBHOOK, NOT_MODIFIED

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = load_validator(find_spec(REPO_ROOT))


class Clock:
    """A hand-driven clock for dates and flood limits."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> FakeTelegram:
    return FakeTelegram(clock=clock)


async def ok(fake: FakeTelegram, method: str, **params: Any) -> Any:
    status, body = await fake.handle(method, params)
    assert status == 200, body
    assert body["ok"] is True
    return body["result"]


async def error(fake: FakeTelegram, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    status, body = await fake.handle(method, params)
    assert body["ok"] is False
    assert body["error_code"] == status
    return status, body


async def test_get_me_is_a_bot_user_shaped_like_telegram(fake: FakeTelegram) -> None:
    me = await ok(fake, "getMe")
    assert me["id"] == 123456
    assert me["is_bot"] is True
    assert me["username"] == fake.bot_username


async def test_method_names_are_case_insensitive(fake: FakeTelegram) -> None:
    assert (await ok(fake, "GETME"))["is_bot"] is True
    assert fake.calls[-1].method == "getMe"


async def test_unknown_method_is_404_not_found(fake: FakeTelegram) -> None:
    status, body = await error(fake, "sendTelepathy", chat_id=1)
    assert (status, body["description"]) == (404, "Not Found")


async def test_get_updates_confirms_everything_below_offset(fake: FakeTelegram) -> None:
    first = fake.send_text(1, "one")
    second = fake.send_text(1, "two")
    got = await ok(fake, "getUpdates")
    assert [u["update_id"] for u in got] == [first["update_id"], second["update_id"]]
    # Without a higher offset the same updates come again, as on Telegram.
    assert len(await ok(fake, "getUpdates")) == 2
    assert [u["update_id"] for u in await ok(fake, "getUpdates", offset=second["update_id"])] == [
        second["update_id"]
    ]
    assert await ok(fake, "getUpdates", offset=second["update_id"] + 1) == []
    assert fake.pending_updates == []


async def test_get_updates_limit_and_negative_offset(fake: FakeTelegram) -> None:
    updates = [fake.send_text(1, str(i)) for i in range(5)]
    assert len(await ok(fake, "getUpdates", limit=2)) == 2
    last_two = await ok(fake, "getUpdates", offset=-2)
    assert [u["update_id"] for u in last_two] == [u["update_id"] for u in updates[-2:]]


async def test_form_encoded_numbers_are_understood(fake: FakeTelegram) -> None:
    fake.send_text(1, "one")
    update = fake.send_text(1, "two")
    got = await ok(fake, "getUpdates", offset=str(update["update_id"]), limit="5")
    assert [u["update_id"] for u in got] == [update["update_id"]]


async def test_long_poll_returns_as_soon_as_an_update_arrives(fake: FakeTelegram) -> None:
    poll = asyncio.create_task(fake.handle("getUpdates", {"timeout": 30}))
    await asyncio.sleep(0)
    assert not poll.done()
    update = fake.send_text(7, "hello")
    status, body = await asyncio.wait_for(poll, timeout=5)
    assert status == 200
    assert body["result"][0]["update_id"] == update["update_id"]


async def test_a_newer_poll_terminates_the_older_one_with_409(fake: FakeTelegram) -> None:
    older = asyncio.create_task(fake.handle("getUpdates", {"timeout": 30}))
    await asyncio.sleep(0)
    assert await ok(fake, "getUpdates", timeout=0) == []
    status, body = await asyncio.wait_for(older, timeout=5)
    assert (status, body["description"]) == (409, CONFLICT_POLL)


async def test_release_pollers_ends_waiting_long_polls(fake: FakeTelegram) -> None:
    poll = asyncio.create_task(fake.handle("getUpdates", {"timeout": 30}))
    await asyncio.sleep(0)
    fake.release_pollers()
    assert await asyncio.wait_for(poll, timeout=5) == (200, {"ok": True, "result": []})


async def test_get_updates_is_refused_while_a_webhook_is_set(fake: FakeTelegram) -> None:
    await ok(fake, "setWebhook", url="http://127.0.0.1:9/hook")
    status, body = await error(fake, "getUpdates")
    assert (status, body["description"]) == (409, CONFLICT_WEBHOOK)
    await ok(fake, "deleteWebhook")
    assert await ok(fake, "getUpdates") == []


async def test_opt_in_update_kinds_are_dropped_unless_allowed(fake: FakeTelegram) -> None:
    fake.send_text(1, "hi")
    fake.block(1)
    got = await ok(fake, "getUpdates", allowed_updates='["my_chat_member"]')
    assert [next(k for k in u if k != "update_id") for u in got] == ["my_chat_member"]


async def test_send_message_records_state_as_the_user_sees_it(fake: FakeTelegram) -> None:
    fake.add_user(5, "Ann")
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
    sent = await ok(
        fake, "sendMessage", chat_id="5", text="<b>Hi</b> &amp; hello", parse_mode="HTML",
        reply_markup=markup,
    )  # fmt: skip
    # Telegram returns the parsed text and echoes inline keyboards.
    assert sent["text"] == "Hi & hello"
    assert sent["reply_markup"] == markup
    assert sent["from"]["is_bot"] is True
    assert isinstance(sent["date"], int)
    [message] = fake.messages_to(5)
    assert message.text == "<b>Hi</b> &amp; hello"
    assert message.plain_text == "Hi & hello"
    assert message.buttons == [[("Yes", "y")]]
    assert fake.calls[-1].params["reply_markup"] == markup


async def test_sending_to_an_unknown_chat_is_chat_not_found(fake: FakeTelegram) -> None:
    status, body = await error(fake, "sendMessage", chat_id=404, text="hi")
    assert (status, body["description"]) == (400, CHAT_NOT_FOUND)


async def test_edit_replaces_text_and_drops_keyboard_when_omitted(fake: FakeTelegram) -> None:
    fake.add_user(5)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    sent = await ok(fake, "sendMessage", chat_id=5, text="Ready?", reply_markup=markup)
    edited = await ok(fake, "editMessageText", chat_id=5, message_id=sent["message_id"], text="Ok")
    assert edited["text"] == "Ok"
    assert "reply_markup" not in edited
    [message] = fake.messages_to(5)
    assert (message.text, message.buttons, message.edited) == ("Ok", [], 1)


async def test_identical_edit_is_message_is_not_modified(fake: FakeTelegram) -> None:
    fake.add_user(5)
    sent = await ok(fake, "sendMessage", chat_id=5, text="Same")
    status, body = await error(
        fake, "editMessageText", chat_id=5, message_id=sent["message_id"], text="Same"
    )
    assert (status, body["description"]) == (400, NOT_MODIFIED)


async def test_edit_reply_markup_changes_only_buttons(fake: FakeTelegram) -> None:
    fake.add_user(5)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    sent = await ok(fake, "sendMessage", chat_id=5, text="Pick", reply_markup=markup)
    await ok(fake, "editMessageReplyMarkup", chat_id=5, message_id=sent["message_id"])
    [message] = fake.messages_to(5)
    assert (message.text, message.buttons) == ("Pick", [])


@pytest.mark.parametrize(
    ("method", "extra", "description"),
    [
        ("editMessageText", {"text": "x"}, "Bad Request: message to edit not found"),
        ("deleteMessage", {}, "Bad Request: message to delete not found"),
    ],
)
async def test_missing_messages_are_reported_like_telegram(
    fake: FakeTelegram, method: str, extra: dict[str, Any], description: str
) -> None:
    fake.add_user(5)
    status, body = await error(fake, method, chat_id=5, message_id=99, **extra)
    assert (status, body["description"]) == (400, description)


async def test_delete_marks_the_message_deleted(fake: FakeTelegram) -> None:
    fake.add_user(5)
    sent = await ok(fake, "sendMessage", chat_id=5, text="bye")
    assert await ok(fake, "deleteMessage", chat_id=5, message_id=sent["message_id"]) is True
    assert fake.messages_to(5)[0].deleted is True


async def test_callback_query_is_answerable_once(fake: FakeTelegram) -> None:
    fake.add_user(5)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    sent = await ok(fake, "sendMessage", chat_id=5, text="Ready?", reply_markup=markup)
    update = fake.tap(5, sent["message_id"], "go")
    query = update["callback_query"]
    assert query["chat_instance"]
    assert query["message"]["message_id"] == sent["message_id"]
    assert fake.unanswered_callback_queries == [query["id"]]
    assert await ok(fake, "answerCallbackQuery", callback_query_id=query["id"], text="Done")
    assert fake.callback_answers[query["id"]].text == "Done"
    assert fake.unanswered_callback_queries == []
    status, _ = await error(fake, "answerCallbackQuery", callback_query_id=query["id"])
    assert status == 400


async def test_tapping_a_deleted_or_unknown_message_is_refused(fake: FakeTelegram) -> None:
    fake.add_user(5)
    sent = await ok(fake, "sendMessage", chat_id=5, text="x")
    await ok(fake, "deleteMessage", chat_id=5, message_id=sent["message_id"])
    with pytest.raises(ValueError, match="deleted"):
        fake.tap(5, sent["message_id"], "go")
    with pytest.raises(ValueError, match="no message 77"):
        fake.tap(5, 77, "go")


async def test_blocked_user_gets_403_and_my_chat_member_updates(fake: FakeTelegram) -> None:
    fake.add_user(5)
    blocked = fake.block(5)
    member = blocked["my_chat_member"]
    assert (member["old_chat_member"]["status"], member["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )
    status, body = await error(fake, "sendMessage", chat_id=5, text="hello?")
    assert (status, body["description"]) == (403, BLOCKED)
    status, _ = await error(fake, "sendChatAction", chat_id=5, action="typing")
    assert status == 403
    fake.unblock(5)
    await ok(fake, "sendMessage", chat_id=5, text="welcome back")


async def test_group_removal_makes_sends_forbidden(fake: FakeTelegram) -> None:
    fake.add_bot_to_group(5, -42, title="Friends")
    assert await ok(fake, "sendMessage", chat_id=-42, text="hi all")
    fake.remove_bot_from_group(5, -42)
    status, _ = await error(fake, "sendMessage", chat_id=-42, text="still here?")
    assert status == 403


def test_commands_from_users_carry_a_bot_command_entity(fake: FakeTelegram) -> None:
    message = fake.send_text(1, "/start now")["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert "entities" not in fake.send_text(1, "plain")["message"]
    assert fake.send_command(1, "help")["message"]["text"] == "/help"


def test_user_edits_and_replies(fake: FakeTelegram) -> None:
    first = fake.send_text(1, "frist")["message"]
    edited = fake.send_text(1, "first", edited=True)["edited_message"]
    assert (edited["message_id"], edited["text"]) == (first["message_id"], "first")
    assert "edit_date" in edited
    reply = fake.send_text(1, "and more", reply_to=first["message_id"])["message"]
    assert reply["reply_to_message"]["message_id"] == first["message_id"]


def test_group_supergroup_and_channel_messages(fake: FakeTelegram) -> None:
    group = fake.send_text(3, "hi", chat_type="group")["message"]["chat"]
    supergroup = fake.send_text(3, "hi", chat_type="supergroup")["message"]["chat"]
    post = fake.send_channel_post(-1009, "news")["channel_post"]
    assert (group["type"], group["id"] < 0) == ("group", True)
    assert supergroup["type"] == "supergroup"
    assert (post["chat"]["type"], post["sender_chat"]["id"]) == ("channel", -1009)


async def test_documents_and_photos_keep_their_bytes(fake: FakeTelegram) -> None:
    fake.add_user(5)
    upload = UploadedFile("export.json", b'{"a": 1}', "application/json")
    sent = await ok(fake, "sendDocument", chat_id=5, document=upload, caption="Your data")
    assert sent["document"]["file_name"] == "export.json"
    [document] = fake.documents_to(5)
    assert (document.filename, document.size, document.content) == ("export.json", 8, b'{"a": 1}')
    assert document.caption == "Your data"
    photo = await ok(fake, "sendPhoto", chat_id=5, photo=UploadedFile("c.png", b"png"))
    assert photo["photo"][0]["width"] > 0
    info = await ok(fake, "getFile", file_id=sent["document"]["file_id"])
    assert fake.file_content(info["file_path"]) == b'{"a": 1}'


def test_user_media_updates(fake: FakeTelegram) -> None:
    assert fake.send_location(1, 52.52, 13.4)["message"]["location"]["latitude"] == 52.52
    assert fake.send_sticker(1)["message"]["sticker"]["type"] == "regular"
    assert fake.send_photo(1)["message"]["photo"]
    assert fake.send_voice(1)["message"]["voice"]["duration"] == 3
    assert fake.send_document(1, "a.txt", b"abc")["message"]["document"]["file_size"] == 3


async def test_commands_are_stored_per_scope_and_language(fake: FakeTelegram) -> None:
    commands = [{"command": "start", "description": "Begin"}]
    await ok(fake, "setMyCommands", commands=commands)
    await ok(fake, "setMyCommands", commands=[], language_code="de")
    assert await ok(fake, "getMyCommands") == commands
    assert fake.commands() == commands
    assert await ok(fake, "getMyCommands", language_code="de") == []
    await ok(fake, "deleteMyCommands")
    assert await ok(fake, "getMyCommands") == []


async def test_webhook_info_reflects_the_queue(fake: FakeTelegram) -> None:
    fake.send_text(1, "hi")
    await ok(fake, "setWebhook", url="https://example.invalid/hook", secret_token="s3cr-et_")
    info = await ok(fake, "getWebhookInfo")
    assert (info["url"], info["pending_update_count"]) == ("https://example.invalid/hook", 1)
    status, _ = await error(fake, "setWebhook", url="https://x.invalid", secret_token="no spaces")
    assert status == 400
    await ok(fake, "setWebhook", url="", drop_pending_updates=True)
    assert (await ok(fake, "getWebhookInfo"))["url"] == ""
    assert fake.pending_updates == []


async def test_get_chat_answers_full_info(fake: FakeTelegram) -> None:
    fake.add_user(5, "Ann", username="ann")
    chat = await ok(fake, "getChat", chat_id="@ann")
    assert (chat["id"], chat["type"], chat["first_name"]) == (5, "private", "Ann")


async def test_rate_limit_answers_429_and_counts_requests_in_the_penalty(
    fake: FakeTelegram, clock: Clock
) -> None:
    fake.add_user(5)
    fake.rate_limit(1.0)
    await ok(fake, "sendMessage", chat_id=5, text="1")
    status, body = await error(fake, "sendMessage", chat_id=5, text="2")
    assert status == 429
    assert body["parameters"] == {"retry_after": 1}
    assert body["description"] == "Too Many Requests: retry after 1"
    assert fake.requests_during_penalty == 0
    clock.now += 0.5
    status, _ = await error(fake, "sendMessage", chat_id=5, text="3")
    assert (status, fake.requests_during_penalty) == (429, 1)
    # Polling is not flood-limited.
    await ok(fake, "getUpdates")
    clock.now += 0.6
    await ok(fake, "sendMessage", chat_id=5, text="4")
    fake.rate_limit(None)
    for n in range(5):
        await ok(fake, "sendMessage", chat_id=5, text=str(n))


async def test_fail_next_fails_exactly_once(fake: FakeTelegram) -> None:
    fake.add_user(5)
    fake.fail_next("sendmessage", 502, "Bad Gateway")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    status, _ = await error(fake, "sendMessage", chat_id=5, text="a")
    assert status == 502
    status, body = await error(fake, "sendMessage", chat_id=5, text="b")
    assert (status, body["parameters"]["retry_after"]) == (429, 7)
    await ok(fake, "sendMessage", chat_id=5, text="c")
    assert [call.status for call in fake.calls_to("sendMessage")] == [502, 429, 200]


async def test_delay_holds_answers_back_until_others_ran(fake: FakeTelegram) -> None:
    fake.delay(0.01)
    slow = asyncio.create_task(fake.handle("getMe", {}))
    await asyncio.sleep(0)
    assert not slow.done()
    fake.delay(0)
    assert (await ok(fake, "getMe"))["is_bot"] is True
    assert (await slow)[0] == 200


async def test_calls_carry_the_injected_clock(fake: FakeTelegram, clock: Clock) -> None:
    clock.now = 1_800_000_000.25
    await ok(fake, "getMe")
    assert fake.calls[-1].timestamp == 1_800_000_000.25


async def test_unmodelled_real_methods_say_so(fake: FakeTelegram) -> None:
    fake.add_user(5)
    status, body = await error(fake, "sendDice", chat_id=5)
    if VALIDATOR is None:
        assert status == 404  # without the spec the fake cannot tell it is a real method
    else:
        fake.validator = VALIDATOR
        status, body = await error(fake, "sendDice", chat_id=5)
        assert status == 501
        assert "sendDice" in body["description"]


async def test_without_the_spec_builtin_rules_still_apply(fake: FakeTelegram) -> None:
    fake.add_user(5)
    status, body = await error(fake, "sendMessage", chat_id=5, text="<b>open", parse_mode="HTML")
    assert status == 400
    assert "never closed" in body["description"]
    assert fake.spec_violations


@pytest.mark.skipif(VALIDATOR is None, reason="api.json not found next to the repo")
def test_every_update_the_fake_makes_matches_the_spec(fake: FakeTelegram) -> None:
    assert VALIDATOR is not None
    fake.add_user(5, "Ann", last_name="Lee", username="ann")
    first = fake.send_text(5, "/start")
    fake.send_text(5, "hi", reply_to=first["message"]["message_id"])
    fake.send_text(5, "hi!", edited=True)
    fake.send_location(5, 1.5, 2.5)
    fake.send_sticker(5)
    fake.send_photo(5, caption="look")
    fake.send_voice(5)
    fake.send_document(5, caption="file")
    fake.tap(5, first["message"]["message_id"], "data")
    fake.block(5)
    fake.unblock(5)
    fake.add_bot_to_group(5, -77, chat_type="supergroup", title="Team")
    fake.send_text(5, "/help@bot", chat_type="supergroup", chat_id=-77)
    fake.remove_bot_from_group(5, -77)
    fake.send_channel_post(-100123, "news")
    problems = [p for u in fake.updates for p in VALIDATOR.type_problems("Update", u)]
    assert problems == []
    assert len(fake.updates) == 15
