"""Every flow in every language (and every exercise and lesson built from content) can be
walked from its first step to an end through the real app, answering as a user would."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import onboard

from bot.db.repo import flows as flow_repo
from bot.domain.locales import Locales
from bot.edge.context import language_scope
from bot.edge.send import send_messages
from bot.fakeapi.driver import ChatDriver
from bot.flows.schema import AskStep, ChooseStep, CoachStep
from bot.handlers.common import RUNNER_KEY
from bot.services.flow_runner import FlowRunner
from bot.services.language import set_language

# What a user would type for each input type, in each language.
ANSWERS = {
    "en": {
        "text": "I noticed I went quiet and waited.",
        "short_text": "calm",
        "timezone": "Lisbon",
        "time": "8:15",
        "days": "weekdays",
        "country": "Ireland",
    },
    "es": {
        "text": "Me di cuenta de que me quedé en silencio y esperé.",
        "short_text": "calma",
        "timezone": "Ciudad de México",
        "time": "8 y media de la tarde",
        "days": "entre semana",
        "country": "España",
    },
}
DRAFTS = {
    "en": "I feel lonely when we don't talk in the evening. Could we have ten minutes tonight?",
    "es": "Me siento triste cuando no hablamos por la noche. ¿Podríamos tener diez minutos?",
}
MAX_STEPS = 40


async def active_step(app: Any, user_id: int) -> tuple[str, str] | None:
    async with app.bot_data["services"].db.session() as session:
        run = await flow_repo.active_run(session, user_id=user_id)
    return None if run is None else (run.flow_id, run.step_id)


def flow_ids() -> list[tuple[str, str]]:
    from bot.app import load_locales
    from bot.ops.config import Settings

    locales = load_locales(Settings(_env_file=None))  # type: ignore[call-arg]
    return [(c.language, flow_id) for c in locales for flow_id in sorted(c.flows)]


@pytest.mark.parametrize(("language", "flow_id"), flow_ids())
async def test_flow_can_be_walked_to_an_end(
    language: str, flow_id: str, chat: ChatDriver, app: Any, locales: Locales
) -> None:
    await onboard(chat)
    user_id = chat.chat_id  # a private chat's id is the user's id
    services = app.bot_data["services"]
    assert await set_language(services, user_id, language)
    flows: FlowRunner = app.bot_data[RUNNER_KEY]
    with language_scope(language):
        first = await flows.start(user_id, flow_id, {"session_id": "0"})
    await send_messages(app.bot, user_id, first)
    catalog = locales.get(language)
    answers, draft = ANSWERS[language], DRAFTS[language]
    flow = catalog.flows[flow_id]
    visits: dict[str, int] = {}
    for _ in range(MAX_STEPS):
        current = await active_step(app, user_id)
        if current is None or current[0] != flow_id:
            return
        step = flow.step(current[1])
        visits[step.id] = visits.get(step.id, 0) + 1
        if isinstance(step, ChooseStep):
            # The first option the first time; the last one after that, so loops end.
            option = step.options[0] if visits[step.id] == 1 else step.options[-1]
            await chat.tap(option.label)
        elif isinstance(step, CoachStep):
            await chat.say(draft)
        elif isinstance(step, AskStep):
            await chat.say(answers[step.input])
        else:  # pragma: no cover - the engine never rests on other steps
            pytest.fail(f"rested on {step.id}")
    pytest.fail(f"{flow_id} did not end within {MAX_STEPS} steps:\n{chat.transcript()}")
