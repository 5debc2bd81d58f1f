"""The Telegram edge: what the bot sends and how it reaches Telegram.

``outgoing`` describes a message (HTML and buttons) without Telegram types, ``callbacks`` is
the codec for button data (always under Telegram's 64 bytes), ``send`` turns messages into Bot
API calls, ``ratelimit`` paces them under Telegram's limits, and ``context`` is the typed
CallbackContext with the services every handler and job uses.

May import: ``bot.db``, the pure core (``domain``, ``coach``, ``safety``, ``flows``,
``scheduling``) and the foundation (``content``, ``ops``). Never ``services``, ``handlers`` or
``app``: they build on this package.
"""
