"""Secure Base: a self-hostable Telegram companion for people who love an avoidant partner.

The packages are layers; each may import from the layers below it, never above
(``tests/unit/test_layers.py`` checks every import against ``LAYERS``):

- entry points: ``__main__`` (the CLI), ``webhook`` (the webhook server), ``playground``
- ``app``: builds the Application and holds the one handler table
- ``handlers``: thin Telegram handlers (parse an update, call a service, send the reply)
- ``services``: use cases (run a flow, deliver a prompt, save a mood check-in)
- ``edge``: the Telegram edge (what to send, button data, sending, pacing, the typed context)
- ``db``: storage (SQLModel tables, the engine, repository functions: the only SQL)
- ``fakeapi``: an in-memory Telegram Bot API server for the playground and the tests
- the pure core: ``domain`` (prompts, lessons, grounding, insights, places, times, dates…),
  which builds on ``coach``, ``safety``, ``flows`` and ``scheduling``; no Telegram, no database
- the foundation: ``content`` (reading and checking content files) and ``ops`` (settings,
  logging, metrics, lifecycle)
"""

__version__ = "0.1.0"

# Lowest first. A module may import from its own layer and any layer before it. Within the
# core, ``domain`` may use the four packages listed with it, and they may not use ``domain``.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot.content", "bot.ops"),
    ("bot.scheduling", "bot.flows", "bot.coach", "bot.safety"),
    ("bot.domain",),
    ("bot.db", "bot.fakeapi"),
    ("bot.edge",),
    ("bot.services",),
    ("bot.handlers",),
    ("bot.app",),
    ("bot.__main__", "bot.webhook", "bot.playground"),
)
