"""Telegram handlers: thin adapters that parse an update, call a service and send the reply.

May import: ``bot.services`` and everything below it (``edge``, ``db`` repositories, the pure
core); never ``app``. No SQL here: storage goes through ``bot.db.repo``.
"""
