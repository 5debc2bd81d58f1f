"""Use cases between handlers and storage: run a flow, save a profile, deliver a prompt.

May import: ``bot.edge``, ``bot.db``, the pure core and the foundation; never ``handlers`` or
``app``.
"""
