"""Scripted dialogues: flow definitions from content/flows and the pure engine that runs them.

May import: ``bot.content`` and ``bot.ops`` only; the engine is pure.
"""
