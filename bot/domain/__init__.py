"""The pure domain: what the bot knows and decides, with no Telegram and no database.

Here: the content library (``library``: prompts, lessons, exercises, scenarios) and the
``catalog`` that loads all content at once; choosing the daily prompt (``prompts``); lessons
and grounding exercises as flows (``lessons``, ``grounding``); weekly insights and their chart
(``insights``, ``charts``); the export files (``export``); reading places, times, days and pause
lengths that users type (``places``, ``place_index``, ``tztables``, ``timeparse``, ``inputs``);
dates in words (``dates``) and practice progress (``practice_stats``).

May import: ``bot.content``, ``bot.ops`` and the other pure packages (``coach``, ``safety``,
``flows``, ``scheduling``). Never ``db``, ``edge``, ``services``, ``handlers`` or ``app``.
Time and randomness come in as arguments, so everything here is tested without a clock.
"""
