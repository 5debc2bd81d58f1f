"""Render a reflection prompt as a discreet message with its four buttons."""

from __future__ import annotations

import random

from bot.content.texts import T
from bot.domain.catalog import Catalog
from bot.domain.library import Prompt
from bot.edge import callbacks
from bot.edge.outgoing import ButtonSpec, Outgoing

PROMPT_BUTTON = "p"
# Button actions: answer, another prompt, skip today, remind in an hour.
ANSWER, ANOTHER, SKIP, LATER = "a", "n", "s", "l"

Rows = tuple[tuple[ButtonSpec, ...], ...]


def prompt_rows(catalog: Catalog, prompt_id: str) -> Rows:
    """Build the four buttons under a prompt, two to a row."""
    labels = catalog.library.meta.buttons
    buttons = [
        ButtonSpec(labels["answer"], callbacks.encode(PROMPT_BUTTON, ANSWER, prompt_id)),
        ButtonSpec(labels["another"], callbacks.encode(PROMPT_BUTTON, ANOTHER, prompt_id)),
        ButtonSpec(labels["skip_today"], callbacks.encode(PROMPT_BUTTON, SKIP, prompt_id)),
        ButtonSpec(labels["remind_later"], callbacks.encode(PROMPT_BUTTON, LATER, prompt_id)),
    ]
    return (tuple(buttons[:2]), tuple(buttons[2:]))


def render_prompt(
    catalog: Catalog, prompt: Prompt, *, lead: str, rows: Rows | None = None
) -> Outgoing:
    """Render a prompt under a neutral lead line; the question itself sits in a spoiler,
    so a lock-screen preview shows nothing personal. `rows` are the prompt's buttons when
    the caller has them already (see PromptRenderer)."""
    html = catalog.texts.raw(T.prompt_message, lead=lead, prompt=prompt.text)
    return Outgoing(html, prompt_rows(catalog, prompt.id) if rows is None else rows)


class PromptRenderer:
    """Render prompts for one catalog, building each prompt's buttons only once.

    The dispatcher renders a prompt per due user; encoding the same four callback strings
    again for every user was about a tenth of its own work per prompt. The cache holds at
    most one entry per prompt in the library.
    """

    def __init__(self, catalog: Catalog) -> None:
        """Render with this catalog's texts and button labels."""
        self.catalog = catalog
        self._rows: dict[str, Rows] = {}

    def render(self, prompt: Prompt, *, lead: str) -> Outgoing:
        """Render a prompt exactly as render_prompt does."""
        rows = self._rows.get(prompt.id)
        if rows is None:
            rows = self._rows[prompt.id] = prompt_rows(self.catalog, prompt.id)
        return render_prompt(self.catalog, prompt, lead=lead, rows=rows)


def teaser(catalog: Catalog, rng: random.Random) -> str:
    """Pick a neutral lead line for the daily message."""
    return rng.choice(catalog.library.meta.teasers)
