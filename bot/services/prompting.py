"""Render a reflection prompt as a discreet message with its four buttons."""

from __future__ import annotations

import random

from bot import callbacks
from bot.content.catalog import Catalog
from bot.content.texts import T
from bot.library import Prompt
from bot.outgoing import ButtonSpec, Outgoing

PROMPT_BUTTON = "p"
# Button actions: answer, another prompt, skip today, remind in an hour.
ANSWER, ANOTHER, SKIP, LATER = "a", "n", "s", "l"


def render_prompt(catalog: Catalog, prompt: Prompt, *, lead: str) -> Outgoing:
    """Render a prompt under a neutral lead line; the question itself sits in a spoiler,
    so a lock-screen preview shows nothing personal."""
    labels = catalog.library.meta.buttons
    buttons = [
        ButtonSpec(labels["answer"], callbacks.encode(PROMPT_BUTTON, ANSWER, prompt.id)),
        ButtonSpec(labels["another"], callbacks.encode(PROMPT_BUTTON, ANOTHER, prompt.id)),
        ButtonSpec(labels["skip_today"], callbacks.encode(PROMPT_BUTTON, SKIP, prompt.id)),
        ButtonSpec(labels["remind_later"], callbacks.encode(PROMPT_BUTTON, LATER, prompt.id)),
    ]
    html = catalog.texts.raw(T.prompt_message, lead=lead, prompt=prompt.text)
    return Outgoing(html, (tuple(buttons[:2]), tuple(buttons[2:])))


def teaser(catalog: Catalog, rng: random.Random) -> str:
    """Pick a neutral lead line for the daily message."""
    return rng.choice(catalog.library.meta.teasers)
