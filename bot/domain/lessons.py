"""Lessons as flows (pure): each page a message with a Next button, then the reflection
question, whose answer goes to the journal. Built at load time from content/lessons."""

from __future__ import annotations

from bot.content.texts import T, Texts
from bot.domain.library import Library
from bot.flows.schema import (
    ActionStep,
    AskStep,
    ChooseStep,
    EndStep,
    Flow,
    Option,
    Step,
    literal,
)

FLOW_PREFIX = "lesson_"


def flow_id(lesson_id: str) -> str:
    """Name of the flow that teaches a lesson."""
    return FLOW_PREFIX + lesson_id


def lesson_flows(library: Library, texts: Texts) -> dict[str, Flow]:
    """Build one flow per lesson."""
    flows: dict[str, Flow] = {}
    next_label = texts.get(T.btn_next)
    for lesson in library.lessons:
        steps: list[Step] = []
        for i, page in enumerate(lesson.pages):
            target = f"p{i + 1}" if i + 1 < len(lesson.pages) else "reflect"
            html = literal(f"<b>{page.heading}</b>\n\n{page.html}")
            steps.append(
                ChooseStep(
                    id=f"p{i}", choose=html, options=[Option(label=next_label, next=target)]
                )
            )
        steps.append(
            AskStep(
                id="reflect",
                ask=literal(texts.raw(T.lesson_reflect, question=lesson.reflection)),
                save_as="reflection",
                skip_label=texts.get(T.btn_not_now),
                next="save",
            )
        )
        steps.append(ActionStep(id="save", action="save_reflection", next="done"))
        steps.append(EndStep(id="done", end=literal(texts.get(T.lesson_done))))
        flows[flow_id(lesson.id)] = Flow(id=flow_id(lesson.id), title=lesson.title, steps=steps)
    return flows
