"""Scripted dialogues: flow definitions from each locale's flows/ and the engine that runs them.

May import: ``bot.content`` and ``bot.ops`` only; the engine is pure.
"""
