"""A fake Telegram Bot API for tests and the playground: model, transports, driver, spec check.

``FakeTelegram`` (core) models the server and its users in memory. ``InProcessRequest``
(request) plugs it into python-telegram-bot without sockets; ``serve_fake_api`` (http) serves it
on loopback for polling and webhook tests. ``ChatDriver`` (driver) plays a user against a real
Application. ``SpecValidator`` (spec) checks every request against Telegram's api.json.

Why it ships inside ``bot`` and not under ``tests/``: ``python -m bot playground`` runs the
real bot against it, so anyone can try the bot (and content authors can walk their flows)
without Telegram or a token. Nothing in the running bot imports it; only the playground does.

May import: ``bot.content`` and ``bot.ops`` only.
"""

from bot.fakeapi.core import SECRET_HEADER, FakeTelegram
from bot.fakeapi.driver import ChatDriver, format_message, running_app
from bot.fakeapi.models import (
    ApiCall,
    BotMessage,
    CallbackAnswer,
    FakeUser,
    SentFile,
    UploadedFile,
    WebhookDelivery,
)
from bot.fakeapi.request import InProcessRequest
from bot.fakeapi.spec import SpecValidator, find_spec, load_validator

__all__ = [
    "SECRET_HEADER",
    "ApiCall",
    "BotMessage",
    "CallbackAnswer",
    "ChatDriver",
    "FakeTelegram",
    "FakeUser",
    "InProcessRequest",
    "SentFile",
    "SpecValidator",
    "UploadedFile",
    "WebhookDelivery",
    "find_spec",
    "format_message",
    "load_validator",
    "running_app",
]
