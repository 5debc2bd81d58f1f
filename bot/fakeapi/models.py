"""Records the fake Bot API keeps: users, API calls, bot messages as a user sees them, files.

These are plain frozen dataclasses so tests can compare them with ``==`` and print them in
failure messages. Bot messages are snapshots: ``FakeTelegram.messages_to`` builds fresh ones
from the current state each time it is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.fakeapi.text import plain_text

MessageKind = Literal["text", "document", "photo"]
Button = tuple[str, str | None]
"""One inline button as ``(label, callback_data)``; callback_data is None for URL buttons."""


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file that arrived as a multipart part (or was sent by a fake user)."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.content)


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A Telegram user as the fake knows them."""

    id: int
    first_name: str
    language_code: str = "en"
    last_name: str | None = None
    username: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the User object exactly as the Bot API shapes it."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the bot made, with its decoded parameters and the fake's answer."""

    method: str
    params: dict[str, Any]
    timestamp: float
    status: int
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        """Return True when the fake answered with HTTP 200."""
        return self.status == 200


@dataclass(frozen=True, slots=True)
class SentFile:
    """A file the bot sent (sendDocument/sendPhoto), with its bytes when it was uploaded."""

    file_id: str
    filename: str | None
    size: int
    content: bytes | None
    mime_type: str | None
    caption: str | None
    message_id: int


@dataclass(frozen=True, slots=True)
class BotMessage:
    """What one bot message looks like to the user right now (after edits and deletes)."""

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    kind: MessageKind = "text"
    edited: int = 0
    deleted: bool = False
    file: SentFile | None = None
    reply_markup: dict[str, Any] | None = None

    @property
    def labels(self) -> list[str]:
        """Return the button labels in reading order (rows left to right, top to bottom)."""
        return [label for row in self.buttons for label, _ in row]

    @property
    def callback_data(self) -> list[str | None]:
        """Return the buttons' callback_data in reading order."""
        return [data for row in self.buttons for _, data in row]

    @property
    def plain_text(self) -> str:
        """Return the text as the user reads it: HTML tags removed, entities unescaped."""
        return plain_text(self.text, self.parse_mode)


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """How the bot answered one callback query."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """The outcome of pushing one update to the webhook URL."""

    update_id: int
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Return True when the receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300
