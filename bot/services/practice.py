"""Practice use cases: the coach inside flows, quick checks, scenarios and progress."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import Coach
from bot.content.texts import T
from bot.db.repo import journal as journal_repo
from bot.db.repo import practice as practice_repo
from bot.domain.catalog import Catalog
from bot.domain.lessons import FLOW_PREFIX as LESSON_PREFIX
from bot.domain.practice_stats import progress
from bot.edge.context import Services
from bot.edge.outgoing import Outgoing
from bot.flows.engine import CoachFn, CoachVerdict
from bot.flows.schema import AskStep, ChooseStep, CoachStep
from bot.services.flow_runner import ActionContext

QUICK_CHECK = "quick_check"
DRILL = "practice_drill"
# Scenarios are not repeated until this many others have been practised.
SCENARIO_MEMORY = 12


def coach_fn(coach: Coach) -> CoachFn:
    """Adapt the statement coach to what the flow engine's coach steps expect."""

    def run(text: str) -> CoachVerdict:
        analysis = coach.analyze(text)
        return CoachVerdict(
            ready=analysis.verdict == "ready",
            feedback_html=coach.feedback_html(analysis),
            codes=analysis.codes,
        )

    return run


async def record_attempt(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Store the draft a coach step just checked (action emitted by every coach step)."""
    draft = ctx.vars.get(ctx.ref, "")
    codes = [c for c in ctx.vars.get(f"{ctx.ref}_codes", "").split(",") if c]
    await practice_repo.add_attempt(
        ctx.session,
        user_id=ctx.user_id,
        exercise=ctx.flow_id,
        scenario_id=ctx.vars.get("scenario_id") or None,
        text=draft,
        verdict=ctx.vars.get(f"{ctx.ref}_verdict", "try_again"),
        codes=codes,
        now=ctx.services.clock(),
    )
    return ()


async def save_reflection(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Save a flow's answers, in step order, as one journal entry."""
    flow = ctx.services.catalog.flows[ctx.flow_id]
    answers = []
    for step in flow.steps:
        if isinstance(step, AskStep | ChooseStep | CoachStep) and step.save_as:
            value = ctx.vars.get(step.save_as, "").strip()
            if value:
                answers.append(value)
    if answers:
        await journal_repo.add_entry(
            ctx.session,
            user_id=ctx.user_id,
            kind="lesson" if ctx.flow_id.startswith(LESSON_PREFIX) else "flow",
            ref=ctx.flow_id,
            text="\n\n".join(answers),
            now=ctx.services.clock(),
        )
    return ()


async def drill_scenario(
    session: AsyncSession, services: Services, user_id: int
) -> dict[str, str]:
    """Pick a practice moment the user has not seen recently."""
    scenarios = services.catalog.library.scenarios
    recent = set(
        await practice_repo.recent_scenarios(session, user_id=user_id, limit=SCENARIO_MEMORY)
    )
    fresh = [s for s in scenarios if s.id not in recent] or list(scenarios)
    scenario = services.rng.choice(fresh)
    return {
        "scenario_id": scenario.id,
        "scenario_title": scenario.title,
        "scenario_situation": scenario.situation,
        "scenario_hint": scenario.feeling_hint or "",
    }


async def quick_check(services: Services, user_id: int, text: str) -> Outgoing:
    """Give feedback on any draft at once, and keep it with the user's practice."""
    analysis = services.catalog.coach.analyze(text)
    async with services.db.session() as session:
        await practice_repo.add_attempt(
            session,
            user_id=user_id,
            exercise=QUICK_CHECK,
            scenario_id=None,
            text=text,
            verdict=analysis.verdict,
            codes=analysis.codes,
            now=services.clock(),
        )
    return Outgoing(services.catalog.coach.feedback_html(analysis))


async def progress_note(services: Services, user_id: int) -> Outgoing | None:
    """Summarise the user's practice so far, or None before their first draft."""
    async with services.db.session() as session:
        rows = await practice_repo.attempts(session, user_id=user_id)
    if not rows:
        return None
    summary = progress([(row.verdict, [c for c in row.codes.split(",") if c]) for row in rows])
    texts = services.catalog.texts
    lines = [texts.get(T.practice_progress, attempts=summary.attempts, ready=summary.ready)]
    if summary.fading:
        lines.append(
            texts.get(T.practice_fading, habits=habit_names(services.catalog, summary.fading))
        )
    return Outgoing("\n\n".join(lines))


def habit_names(catalog: Catalog, codes: tuple[str, ...]) -> str:
    """Name issue codes the way a person would."""
    return ", ".join(catalog.texts.get(f"habit_{code}") for code in codes)
