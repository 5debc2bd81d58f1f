"""Storage: SQLModel tables, the async engine and the repository functions around them.

May import: the pure core and the foundation (``content``, ``ops``); never ``edge``,
``services``, ``handlers`` or ``app``.
"""
