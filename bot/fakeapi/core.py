"""An in-memory model of the Telegram Bot API server, independent of any transport.

``FakeTelegram.handle(method, params)`` answers one Bot API request with the HTTP status and
JSON body Telegram would send, shaped so python-telegram-bot parses it (User has ``is_bot``,
dates are Unix seconds, errors carry ``error_code``/``description``/``parameters``). The user
side (``send_text``, ``tap``, ``block``...) enqueues updates the way a Telegram client would
cause them; they are fetched with ``getUpdates`` (offset confirmation and async long polling),
pushed with ``deliver_webhooks``, or handed straight to an Application by ``ChatDriver``.
Every bot call is recorded in ``calls``; ``messages_to`` shows what the user now sees.
Faults (flood limits, scripted errors, latency) and spec validation are opt-in.

Longer than our usual ~400 lines on purpose: it is one model of one server, and each Bot API
method the bot uses is a short handler over the same shared state (chats, messages, files,
webhook); split across modules, every method would need the others' private state.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from bot.fakeapi.faults import InjectedFailure, RateLimiter
from bot.fakeapi.models import (
    ApiCall,
    BotMessage,
    Button,
    CallbackAnswer,
    FakeUser,
    MessageKind,
    SentFile,
    UploadedFile,
    WebhookDelivery,
)
from bot.fakeapi.spec import SpecValidator, builtin_problems
from bot.fakeapi.text import plain_text
from bot.fakeapi.wire import decode_params

JSON = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]
Clock = Callable[[], float]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
BLOCKED = "Forbidden: bot was blocked by the user"
KICKED = "Forbidden: bot was kicked from the group chat"
CHAT_NOT_FOUND = "Bad Request: chat not found"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a content and reply markup of the current message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# Telegram leaves these out of getUpdates unless allowed_updates names them.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Flood limits apply to what the bot sends, not to polling or reads.
_LIMITED_PREFIXES = ("send", "edit", "copy", "forward")
# Setters the fake accepts and records without modelling their effect.
_ACCEPTED = (
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
    "logOut",
    "close",
)
_TINY_JPEG = bytes.fromhex("ffd8ffe000104a464946000101000001000100000000ffd9")
_TINY_OGG = b"OggS" + bytes(28)


class ApiError(Exception):
    """An error answer: raised inside a method handler, turned into an ok:false body."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        """Describe the error exactly as Telegram would."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        """Return the JSON error body."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(slots=True)
class _Chat:
    id: int
    type: ChatType
    title: str | None = None
    user: FakeUser | None = None
    username: str | None = None
    blocked: bool = False
    bot_is_member: bool = True
    next_message_id: int = 1

    def to_dict(self) -> JSON:
        if self.type == "private" and self.user is not None:
            data: JSON = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title or str(self.id)}
        if self.username:
            data["username"] = self.username
        return data


@dataclass(slots=True)
class _Stored:
    chat_id: int
    message_id: int
    message: JSON
    from_bot: bool
    kind: MessageKind = "text"
    text: str = ""
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    edited: int = 0
    deleted: bool = False
    file: SentFile | None = None


@dataclass(slots=True)
class _File:
    file_id: str
    file_unique_id: str
    file_path: str
    size: int
    content: bytes | None
    filename: str | None = None
    mime_type: str | None = None


@dataclass(slots=True)
class _Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] = field(default_factory=list)
    last_error_date: int | None = None
    last_error_message: str | None = None


Handler = Callable[[JSON], Awaitable[Any]]


class FakeTelegram:
    """Play Telegram's servers and its users, in memory, for one bot."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",  # noqa: S107 (a fake, not a credential)
        bot_username: str = "secure_base_test_bot",
        bot_first_name: str = "Secure Base",
        validator: SpecValidator | None = None,
        clock: Clock = time.time,
    ) -> None:
        """Create an empty fake; the bot's id is the numeric prefix of the token."""
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.validator = validator
        self.calls: list[ApiCall] = []
        self.spec_violations: list[str] = []
        self.updates: list[JSON] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.requests_during_penalty = 0
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._clock = clock
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._messages: dict[tuple[int, int], _Stored] = {}
        self._files: dict[str, _File] = {}
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._next_query_id = 1
        self._open_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._webhook = _Webhook()
        self._allowed_updates: list[str] = []
        self._event = asyncio.Event()
        self._poll_generation = 0
        self._release_epoch = 0
        self._limiter: RateLimiter | None = None
        self._failures: dict[str, deque[InjectedFailure]] = {}
        self._outages: dict[str, InjectedFailure] = {}
        self._late_answers: dict[str, deque[float]] = {}
        self._chat_limit: float | None = None
        self._chat_burst = 1.0
        self._chat_limiters: dict[object, RateLimiter] = {}
        self._delay = 0.0
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getChat": self._get_chat,
            "getFile": self._get_file,
        }
        for name in _ACCEPTED:
            self._handlers[name] = self._accept
        self._by_lower = {name.lower(): name for name in self._handlers}

    # ------------------------------------------------------------------ server side

    async def handle(self, method: str, params: Mapping[str, object]) -> tuple[int, JSON]:
        """Answer one Bot API request: return the HTTP status and the JSON body."""
        received = self._clock()
        name = self._canonical(method)
        decoded = decode_params(params)
        try:
            if name is None:
                if self.validator is not None:
                    self.spec_violations.extend(self.validator.problems(method, params))
                raise ApiError(404, "Not Found")
            if self._delay:
                await asyncio.sleep(self._delay)
            self._apply_faults(name, decoded)
            if self.validator is not None:
                problems = self.validator.problems(name, params)
            else:
                problems = builtin_problems(name, decoded)
            if problems:
                self.spec_violations.extend(problems)
                raise ApiError(400, "Bad Request: " + "; ".join(problems))
            handler = self._handlers.get(name)
            if handler is None:
                raise ApiError(501, f"Not Implemented: the fake Bot API does not model {name}")
            result = await handler(decoded)
            late = self._late_answers.get(name)
            if late:
                await asyncio.sleep(late.popleft())
        except ApiError as error:
            self.calls.append(
                ApiCall(name or method, decoded, received, error.status, None, error.description)
            )
            return error.status, error.body()
        self.calls.append(ApiCall(name, decoded, received, 200, result))
        return 200, {"ok": True, "result": result}

    def check_token(self, token: str) -> bool:
        """Return True when a request path's token is this bot's token."""
        return token == self.token

    def file_content(self, file_path: str) -> bytes | None:
        """Return the bytes behind a getFile path, or None when unknown."""
        for stored in self._files.values():
            if stored.file_path == file_path:
                return stored.content
        return None

    def release_pollers(self) -> None:
        """Make every waiting long poll return at once (used when a server shuts down)."""
        self._release_epoch += 1
        self._wake()

    # ------------------------------------------------------------------ fault injection

    def rate_limit(self, per_second: float | None) -> None:
        """Refuse send/edit requests beyond ``per_second`` with 429 (None switches it off)."""
        self._limiter = None if per_second is None else RateLimiter(per_second, self._clock)

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of ``method`` fail with this status and description."""
        name = self._canonical(method) or method
        self._failures.setdefault(name, deque()).append(
            InjectedFailure(status, description, retry_after)
        )

    def fail_every(self, method: str, status: int, description: str) -> None:
        """Make every call of ``method`` fail this way until ``recover(method)``."""
        name = self._canonical(method) or method
        self._outages[name] = InjectedFailure(status, description)

    def recover(self, method: str) -> None:
        """End an outage started with ``fail_every``."""
        self._outages.pop(self._canonical(method) or method, None)

    def answer_late(self, method: str, seconds: float) -> None:
        """Carry out the next call of ``method`` (the message is sent), but hold the answer
        back this long (real time): past the client's read timeout, it looks like a
        connection lost after Telegram received the request."""
        name = self._canonical(method) or method
        self._late_answers.setdefault(name, deque()).append(seconds)

    def rate_limit_chat(self, per_second: float | None, burst: float = 1.0) -> None:
        """Refuse send/edit requests to one chat beyond ``per_second``, after a burst of
        ``burst``, with 429; None switches it off."""
        self._chat_limit = per_second
        self._chat_burst = burst
        self._chat_limiters.clear()

    def delay(self, seconds: float) -> None:
        """Wait this long (real time) before answering every request; 0 switches it off."""
        self._delay = seconds

    # ------------------------------------------------------------------ observations

    def messages_to(self, chat_id: int) -> list[BotMessage]:
        """Return the bot's messages in a chat, oldest first, as they look now."""
        stored = [s for s in self._messages.values() if s.chat_id == chat_id and s.from_bot]
        return [self._snapshot(s) for s in sorted(stored, key=lambda s: s.message_id)]

    def message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """Return one bot message as it looks now, or None."""
        stored = self._messages.get((chat_id, message_id))
        return None if stored is None or not stored.from_bot else self._snapshot(stored)

    def documents_to(self, chat_id: int) -> list[SentFile]:
        """Return the documents the bot sent to a chat, oldest first."""
        return [
            m.file
            for m in self.messages_to(chat_id)
            if m.kind == "document" and m.file is not None
        ]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Return the recorded calls of one method."""
        name = self._canonical(method) or method
        return [call for call in self.calls if call.method == name]

    @property
    def unanswered_callback_queries(self) -> list[str]:
        """Return ids of callback queries the bot has not answered (spinners still turning)."""
        return sorted(self._open_queries)

    @property
    def pending_updates(self) -> list[JSON]:
        """Return the updates not yet confirmed by getUpdates or delivered by webhook."""
        return list(self._pending)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Return the commands registered for a scope and language."""
        return list(self._commands.get((_scope_key(scope), language_code), []))

    @property
    def webhook_url(self) -> str:
        """Return the webhook URL set by the bot ('' when polling)."""
        return self._webhook.url

    def mark_delivered(self, update: JSON) -> None:
        """Drop an update from the queue because it was handed to the bot another way."""
        self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]

    # ------------------------------------------------------------------ user side

    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        language_code: str = "en",
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """Register a user and their private chat with the bot (as if they pressed Start)."""
        user = FakeUser(
            id=user_id,
            first_name=first_name or f"User{user_id}",
            language_code=language_code,
            last_name=last_name,
            username=username,
        )
        self._users[user_id] = user
        chat = self._chats.get(user_id)
        if chat is None:
            self._chats[user_id] = _Chat(id=user_id, type="private", user=user)
        else:
            chat.user = user
        return user

    def user(self, user_id: int) -> FakeUser:
        """Return a known user, registering a default one on first use."""
        return self._users.get(user_id) or self.add_user(user_id)

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_type: ChatType = "private",
        chat_id: int | None = None,
        reply_to: int | None = None,
        edited: bool = False,
        message_id: int | None = None,
    ) -> JSON:
        """Send text as the user; commands get their bot_command entity automatically.

        With ``edited=True`` the user edits an earlier message instead (``message_id``, or
        their latest one) and an ``edited_message`` update is produced.
        """
        chat = self._chat_for(user_id, chat_type, chat_id)
        content: JSON = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        if edited:
            return self._edit_user_message(chat, content, message_id)
        return self._user_message(user_id, chat, content, reply_to=reply_to)

    def send_command(
        self,
        user_id: int,
        command: str,
        args: str = "",
        *,
        chat_type: ChatType = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """Send ``/command args`` as the user."""
        text = "/" + command.lstrip("/") + (f" {args}" if args else "")
        return self.send_text(user_id, text, chat_type=chat_type, chat_id=chat_id)

    def tap(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None
    ) -> JSON:
        """Tap an inline button: enqueue a callback_query carrying the message and data."""
        found = self._chats.get(user_id if chat_id is None else chat_id)
        stored = None if found is None else self._messages.get((found.id, message_id))
        if found is None or stored is None:
            raise ValueError(f"there is no message {message_id} in that chat to tap on")
        if stored.deleted:
            raise ValueError(f"message {message_id} was deleted; it cannot be tapped")
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        self._open_queries.add(query_id)
        query: JSON = {
            "id": query_id,
            "from": self.user(user_id).to_dict(),
            "chat_instance": str(-7_000_000_000 - found.id),
            "message": json.loads(json.dumps(stored.message)),
            "data": callback_data,
        }
        return self._enqueue("callback_query", query)

    def send_location(self, user_id: int, latitude: float, longitude: float) -> JSON:
        """Share a location as the user."""
        chat = self._chat_for(user_id, "private", None)
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._user_message(user_id, chat, content)

    def send_sticker(self, user_id: int, emoji: str = "🙂") -> JSON:
        """Send a sticker as the user."""
        stored = self._store_file("stickers", b"RIFF-sticker", "sticker.webp", "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.size,
        }
        chat = self._chat_for(user_id, "private", None)
        return self._user_message(user_id, chat, {"sticker": sticker})

    def send_photo(self, user_id: int, content: bytes = _TINY_JPEG, caption: str = "") -> JSON:
        """Send a photo as the user."""
        stored = self._store_file("photos", content, "photo.jpg", "image/jpeg")
        message: JSON = {"photo": _photo_sizes(stored)}
        if caption:
            message["caption"] = caption
        return self._user_message(user_id, self._chat_for(user_id, "private", None), message)

    def send_voice(self, user_id: int, content: bytes = _TINY_OGG, duration: int = 3) -> JSON:
        """Send a voice message as the user."""
        stored = self._store_file("voice", content, "voice.ogg", "audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return self._user_message(
            user_id, self._chat_for(user_id, "private", None), {"voice": voice}
        )

    def send_document(
        self,
        user_id: int,
        filename: str = "notes.txt",
        content: bytes = b"notes\n",
        mime_type: str = "text/plain",
        caption: str = "",
    ) -> JSON:
        """Send a document as the user."""
        stored = self._store_file("documents", content, filename, mime_type)
        message: JSON = {"document": _document(stored)}
        if caption:
            message["caption"] = caption
        return self._user_message(user_id, self._chat_for(user_id, "private", None), message)

    def block(self, user_id: int) -> JSON:
        """Block the bot as the user: a my_chat_member update, and 403 on later sends."""
        chat = self._chat_for(user_id, "private", None)
        chat.blocked = True
        return self._member_update(user_id, chat, "member", "kicked")

    def unblock(self, user_id: int) -> JSON:
        """Unblock the bot as the user."""
        chat = self._chat_for(user_id, "private", None)
        chat.blocked = False
        return self._member_update(user_id, chat, "kicked", "member")

    def add_bot_to_group(
        self, user_id: int, chat_id: int, *, chat_type: ChatType = "group", title: str = ""
    ) -> JSON:
        """Add the bot to a group as the user (a my_chat_member update)."""
        chat = self._chat_for(user_id, chat_type, chat_id, title=title)
        chat.bot_is_member = True
        return self._member_update(user_id, chat, "left", "member")

    def remove_bot_from_group(self, user_id: int, chat_id: int) -> JSON:
        """Remove the bot from a group as the user; later sends there answer 403."""
        chat = self._chats[chat_id]
        chat.bot_is_member = False
        return self._member_update(user_id, chat, "member", "left")

    def send_channel_post(self, chat_id: int, text: str, *, title: str = "") -> JSON:
        """Post in a channel the bot belongs to (a channel_post update)."""
        chat = self._chats.get(chat_id) or self._new_chat(chat_id, "channel", title)
        message_id = self._next_message_id(chat)
        message = {
            "message_id": message_id,
            "sender_chat": chat.to_dict(),
            "chat": chat.to_dict(),
            "date": self._now(),
            "text": text,
        }
        self._messages[(chat.id, message_id)] = _Stored(
            chat.id, message_id, message, from_bot=False, text=text
        )
        return self._enqueue("channel_post", message)

    # ------------------------------------------------------------------ webhook push

    async def deliver_webhooks(
        self, *, client: httpx.AsyncClient | None = None, request_timeout: float = 5.0
    ) -> list[WebhookDelivery]:
        """POST pending updates to the webhook in order; stop at the first failure."""
        if not self._webhook.url:
            raise RuntimeError("no webhook is set: the bot has not called setWebhook")
        own_client = client is None
        http = client or httpx.AsyncClient()
        results: list[WebhookDelivery] = []
        try:
            for update in self._deliverable(
                len(self._pending) or 1, self._webhook.allowed_updates
            ):
                result = await self._push(http, update, request_timeout)
                results.append(result)
                if not result.ok:
                    break
                self.mark_delivered(update)
        finally:
            if own_client:
                await http.aclose()
        self.webhook_deliveries.extend(results)
        return results

    async def _push(
        self, http: httpx.AsyncClient, update: JSON, request_timeout: float
    ) -> WebhookDelivery:
        headers = {"Content-Type": "application/json"}
        if self._webhook.secret_token:
            headers[SECRET_HEADER] = self._webhook.secret_token
        try:
            response = await http.post(
                self._webhook.url,
                content=json.dumps(update),
                headers=headers,
                timeout=request_timeout,
            )
        except httpx.HTTPError as error:
            self._webhook_error(f"Connection failed: {error!r}")
            return WebhookDelivery(update["update_id"], None, repr(error))
        if not 200 <= response.status_code < 300:
            message = f"Wrong response from the webhook: {response.status_code} "
            self._webhook_error(message + response.reason_phrase)
            return WebhookDelivery(update["update_id"], response.status_code, message.strip())
        return WebhookDelivery(update["update_id"], response.status_code)

    def _webhook_error(self, message: str) -> None:
        self._webhook.last_error_date = self._now()
        self._webhook.last_error_message = message

    # ------------------------------------------------------------------ method handlers

    async def _get_me(self, _: JSON) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self._webhook.url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = params.get("offset")
        if isinstance(offset, int):
            self._confirm(offset)
        limit = params.get("limit", 100)
        limit = max(1, min(100, limit if isinstance(limit, int) else 100))
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        timeout = params.get("timeout", 0)
        timeout = timeout if isinstance(timeout, int | float) else 0
        # A newer getUpdates terminates an older waiting one, as Telegram does.
        self._poll_generation += 1
        generation = self._poll_generation
        epoch = self._release_epoch
        self._wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ready = self._deliverable(limit, self._allowed_updates)
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or epoch != self._release_epoch:
                return ready
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), timeout=remaining)
            except TimeoutError:
                return []
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_POLL)

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._target_chat(params.get("chat_id"))
        return self._bot_message(
            chat,
            "text",
            text=str(params.get("text", "")),
            parse_mode=_parse_mode(params),
            reply_markup=params.get("reply_markup"),
        )

    async def _edit_message_text(self, params: JSON) -> JSON:
        stored = self._editable(params)
        if stored.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = str(params.get("text", ""))
        return self._apply_edit(stored, params, text=text, parse_mode=_parse_mode(params))

    async def _edit_message_caption(self, params: JSON) -> JSON:
        stored = self._editable(params)
        if stored.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = str(params.get("caption", ""))
        return self._apply_edit(stored, params, text=caption, parse_mode=_parse_mode(params))

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        stored = self._editable(params)
        return self._apply_edit(stored, params, text=stored.text, parse_mode=stored.parse_mode)

    async def _delete_message(self, params: JSON) -> bool:
        chat = self._target_chat(params.get("chat_id"), for_delete=True)
        stored = self._messages.get((chat.id, _int(params.get("message_id"))))
        if stored is None or stored.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        stored.deleted = True
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise ApiError(400, QUERY_INVALID)
        self._open_queries.discard(query_id)
        text = params.get("text")
        url = params.get("url")
        self.callback_answers[query_id] = CallbackAnswer(
            callback_query_id=query_id,
            text=text if isinstance(text, str) else None,
            show_alert=params.get("show_alert") is True,
            url=url if isinstance(url, str) else None,
        )
        return True

    async def _send_chat_action(self, params: JSON) -> bool:
        self._target_chat(params.get("chat_id"))
        return True

    async def _send_document(self, params: JSON) -> JSON:
        return self._send_media(params, "document")

    async def _send_photo(self, params: JSON) -> JSON:
        return self._send_media(params, "photo")

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        key = (_scope_key(params.get("scope")), str(params.get("language_code", "")))
        self._commands[key] = [dict(command) for command in commands]
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        key = (_scope_key(params.get("scope")), str(params.get("language_code", "")))
        return list(self._commands.get(key, []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        key = (_scope_key(params.get("scope")), str(params.get("language_code", "")))
        self._commands.pop(key, None)
        return True

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url", ""))
        secret = params.get("secret_token")
        if isinstance(secret, str) and not _valid_secret(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates") is True:
            self._pending.clear()
        if not url:
            self._webhook = _Webhook()
            return True
        allowed = params.get("allowed_updates")
        max_connections = params.get("max_connections", 40)
        self._webhook = _Webhook(
            url=url,
            secret_token=secret if isinstance(secret, str) else None,
            max_connections=max_connections if isinstance(max_connections, int) else 40,
            allowed_updates=[str(k) for k in allowed] if isinstance(allowed, list) else [],
        )
        self._wake()
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates") is True:
            self._pending.clear()
        self._webhook = _Webhook()
        return True

    async def _get_webhook_info(self, _: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook.url:
            info["max_connections"] = self._webhook.max_connections
            if self._webhook.allowed_updates:
                info["allowed_updates"] = list(self._webhook.allowed_updates)
        if self._webhook.last_error_date is not None:
            info["last_error_date"] = self._webhook.last_error_date
            info["last_error_message"] = self._webhook.last_error_message
        return info

    async def _get_chat(self, params: JSON) -> JSON:
        chat = self._find_chat(params.get("chat_id"))
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _accept(self, _: JSON) -> bool:
        return True

    # ------------------------------------------------------------------ internals

    def _canonical(self, method: str) -> str | None:
        # Bot API method names are case-insensitive.
        name = self._by_lower.get(method.lower())
        if name is None and self.validator is not None:
            name = self.validator.method_name(method)
        return name

    def _apply_faults(self, name: str, params: Mapping[str, object] | None = None) -> None:
        queue = self._failures.get(name)
        if queue:
            failure = queue.popleft()
            raise ApiError(failure.status, failure.description, failure.retry_after)
        outage = self._outages.get(name)
        if outage is not None:
            raise ApiError(outage.status, outage.description)
        if self._chat_limit is not None and name.startswith(_LIMITED_PREFIXES):
            chat = (params or {}).get("chat_id")
            limiter = self._chat_limiters.get(chat)
            if limiter is None:
                limiter = self._chat_limiters[chat] = RateLimiter(
                    self._chat_limit, self._clock, self._chat_burst
                )
            throttle = limiter.check()
            if throttle is not None:
                if throttle.during_penalty:
                    self.requests_during_penalty += 1
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {throttle.retry_after}",
                    throttle.retry_after,
                )
        if self._limiter is not None and name.startswith(_LIMITED_PREFIXES):
            throttle = self._limiter.check()
            if throttle is not None:
                if throttle.during_penalty:
                    self.requests_during_penalty += 1
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {throttle.retry_after}",
                    throttle.retry_after,
                )

    def _now(self) -> int:
        return int(self._clock())

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _wake(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    def _enqueue(self, kind: str, payload: JSON) -> JSON:
        update: JSON = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._pending.append(update)
        self.updates.append(update)
        self._wake()
        return update

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def _deliverable(self, limit: int, allowed: list[str]) -> list[JSON]:
        def wanted(update: JSON) -> bool:
            kind = next(key for key in update if key != "update_id")
            return kind in allowed if allowed else kind not in _OPT_IN_UPDATES

        # Telegram drops updates the bot did not ask for rather than keeping them.
        self._pending = [u for u in self._pending if wanted(u)]
        return [json.loads(json.dumps(u)) for u in self._pending[:limit]]

    def _new_chat(self, chat_id: int, chat_type: ChatType, title: str = "") -> _Chat:
        chat = _Chat(id=chat_id, type=chat_type, title=title or f"{chat_type} {abs(chat_id)}")
        self._chats[chat_id] = chat
        return chat

    def _chat_for(
        self, user_id: int, chat_type: ChatType, chat_id: int | None, *, title: str = ""
    ) -> _Chat:
        user = self.user(user_id)
        if chat_type == "private":
            return self._chats[user.id]
        if chat_id is None:
            chat_id = -user_id if chat_type == "group" else -1_000_000_000_000 - user_id
        return self._chats.get(chat_id) or self._new_chat(chat_id, chat_type, title)

    def _find_chat(self, chat_id: object) -> _Chat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for known in self._chats.values():
                username = known.user.username if known.user else known.username
                if username and username.lower() == chat_id[1:].lower():
                    return known
        chat = self._chats.get(_int(chat_id))
        if chat is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat

    def _target_chat(self, chat_id: object, *, for_delete: bool = False) -> _Chat:
        chat = self._find_chat(chat_id)
        if chat.blocked and not for_delete:
            raise ApiError(403, BLOCKED)
        if not chat.bot_is_member:
            raise ApiError(403, KICKED)
        return chat

    def _next_message_id(self, chat: _Chat) -> int:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return message_id

    def _user_message(
        self, user_id: int, chat: _Chat, content: JSON, *, reply_to: int | None = None
    ) -> JSON:
        message: JSON = {
            "message_id": self._next_message_id(chat),
            "from": self.user(user_id).to_dict(),
            "chat": chat.to_dict(),
            "date": self._now(),
            **content,
        }
        if reply_to is not None:
            original = self._messages.get((chat.id, reply_to))
            if original is None:
                raise ValueError(f"there is no message {reply_to} in that chat to reply to")
            replied = {k: v for k, v in original.message.items() if k != "reply_to_message"}
            message["reply_to_message"] = replied
        self._messages[(chat.id, message["message_id"])] = _Stored(
            chat.id, message["message_id"], message, from_bot=False, text=content.get("text", "")
        )
        kind = "message" if chat.type != "channel" else "channel_post"
        return self._enqueue(kind, message)

    def _edit_user_message(self, chat: _Chat, content: JSON, message_id: int | None) -> JSON:
        own = [
            s
            for s in self._messages.values()
            if s.chat_id == chat.id and not s.from_bot and not s.deleted
        ]
        if message_id is not None:
            own = [s for s in own if s.message_id == message_id]
        if not own:
            raise ValueError("the user has no message in that chat to edit")
        stored = max(own, key=lambda s: s.message_id)
        message = {k: v for k, v in stored.message.items() if k not in ("text", "entities")}
        message.update(content, edit_date=self._now())
        stored.message = message
        stored.text = str(content.get("text", ""))
        stored.edited += 1
        return self._enqueue("edited_message", message)

    def _member_update(self, user_id: int, chat: _Chat, old: str, new: str) -> JSON:
        bot = self._bot_user()
        old_member: JSON = {"user": bot, "status": old}
        new_member: JSON = {"user": bot, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        if old == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": chat.to_dict(),
            "from": self.user(user_id).to_dict(),
            "date": self._now(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        return self._enqueue("my_chat_member", payload)

    def _bot_message(
        self,
        chat: _Chat,
        kind: MessageKind,
        *,
        text: str,
        parse_mode: str | None,
        reply_markup: object,
        media: JSON | None = None,
        file: SentFile | None = None,
    ) -> JSON:
        message_id = self._next_message_id(chat)
        message: JSON = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": chat.to_dict(),
            "date": self._now(),
        }
        visible = plain_text(text, parse_mode)
        if kind == "text":
            message["text"] = visible
        else:
            message.update(media or {})
            if visible:
                message["caption"] = visible
        markup = reply_markup if isinstance(reply_markup, dict) else None
        if markup is not None and "inline_keyboard" in markup:
            # Telegram echoes only inline keyboards back in the Message.
            message["reply_markup"] = markup
        if file is not None:
            file = SentFile(
                file.file_id,
                file.filename,
                file.size,
                file.content,
                file.mime_type,
                text or None,
                message_id,
            )
        self._messages[(chat.id, message_id)] = _Stored(
            chat.id, message_id, message, True, kind, text, parse_mode, markup, file=file
        )
        return message

    def _editable(self, params: JSON) -> _Stored:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: the fake Bot API does not model inline messages")
        chat = self._target_chat(params.get("chat_id"))
        stored = self._messages.get((chat.id, _int(params.get("message_id"))))
        if stored is None or stored.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not stored.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return stored

    def _apply_edit(
        self, stored: _Stored, params: JSON, *, text: str, parse_mode: str | None
    ) -> JSON:
        # Telegram removes an inline keyboard when an edit omits reply_markup.
        raw = params.get("reply_markup")
        markup = raw if isinstance(raw, dict) and "inline_keyboard" in raw else None
        if text == stored.text and markup == stored.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        stored.text = text
        stored.parse_mode = parse_mode
        stored.reply_markup = markup
        stored.edited += 1
        message = {k: v for k, v in stored.message.items() if k != "reply_markup"}
        message[("text" if stored.kind == "text" else "caption")] = plain_text(text, parse_mode)
        message["edit_date"] = self._now()
        if markup is not None:
            message["reply_markup"] = markup
        stored.message = message
        if stored.file is not None:
            file = stored.file
            stored.file = SentFile(
                file.file_id, file.filename, file.size, file.content, file.mime_type,
                text or None, file.message_id,
            )  # fmt: skip
        return message

    def _send_media(self, params: JSON, kind: Literal["document", "photo"]) -> JSON:
        chat = self._target_chat(params.get("chat_id"))
        value = params.get(kind)
        if isinstance(value, UploadedFile):
            folder = "documents" if kind == "document" else "photos"
            stored = self._store_file(folder, value.content, value.filename, value.mime_type)
        elif isinstance(value, str) and value in self._files:
            stored = self._files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            stored = self._store_file(kind + "s", None, value.rsplit("/", 1)[-1], None)
        else:
            raise ApiError(400, f"Bad Request: wrong remote file identifier specified for {kind}")
        media: JSON
        if kind == "document":
            media = {"document": _document(stored)}
        else:
            media = {"photo": _photo_sizes(stored)}
        sent = SentFile(
            stored.file_id, stored.filename, stored.size, stored.content, stored.mime_type, None, 0
        )
        return self._bot_message(
            chat,
            kind,
            text=str(params.get("caption", "")),
            parse_mode=_parse_mode(params),
            reply_markup=params.get("reply_markup"),
            media=media,
            file=sent,
        )

    def _store_file(
        self, folder: str, content: bytes | None, filename: str | None, mime_type: str | None
    ) -> _File:
        number = len(self._files) + 1
        suffix = filename.rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        stored = _File(
            file_id=f"FILE{number:06d}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}.{suffix}",
            size=len(content) if content is not None else 0,
            content=content,
            filename=filename,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def _snapshot(self, stored: _Stored) -> BotMessage:
        return BotMessage(
            chat_id=stored.chat_id,
            message_id=stored.message_id,
            text=stored.text,
            parse_mode=stored.parse_mode,
            buttons=_inline_buttons(stored.reply_markup),
            kind=stored.kind,
            edited=stored.edited,
            deleted=stored.deleted,
            file=stored.file,
            reply_markup=stored.reply_markup,
        )


def _int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return 0


def _parse_mode(params: JSON) -> str | None:
    mode = params.get("parse_mode")
    return mode if isinstance(mode, str) else None


def _scope_key(scope: object) -> str:
    if not isinstance(scope, dict) or scope.get("type", "default") == "default":
        return "default"
    return json.dumps(scope, sort_keys=True)


def _valid_secret(secret: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return 1 <= len(secret) <= 256 and set(secret) <= allowed


def _command_entities(text: str) -> list[JSON]:
    if not text.startswith("/") or len(text) < 2:
        return []
    token = text.split(maxsplit=1)[0]
    length = len(token.encode("utf-16-le")) // 2  # entity offsets count UTF-16 code units
    return [{"type": "bot_command", "offset": 0, "length": length}]


def _inline_buttons(markup: JSON | None) -> list[list[Button]]:
    rows = markup.get("inline_keyboard") if markup else None
    if not isinstance(rows, list):
        return []
    return [
        [(str(b.get("text", "")), b.get("callback_data")) for b in row if isinstance(b, dict)]
        for row in rows
        if isinstance(row, list)
    ]


def _document(stored: _File) -> JSON:
    document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.filename:
        document["file_name"] = stored.filename
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    document["file_size"] = stored.size
    return document


def _photo_sizes(stored: _File) -> list[JSON]:
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 640,
            "height": 480,
            "file_size": stored.size,
        }
    ]
