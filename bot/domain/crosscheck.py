"""Check a translation against the English reference: same shape, only the words differ.

Each locale is first loaded and checked on its own (schemas, HTML, lengths, flow graphs). Here
the loaded catalogs are compared: the same files; the same ui.yml, messages.yml and commands;
the same flows with the same step ids, kinds, targets, options and variables; the same
prompt, lesson, exercise and scenario ids; and the same {placeholders} in every text. The
comparison uses the parsed content, so it is cheap; a problem is reported at the line of the
translated file where it shows (`locales/es/flows/onboarding.yml:12: step 'ask_zone': …`).
Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.content.errors import ContentProblem
from bot.content.texts import placeholders
from bot.domain.catalog import LOCALE_FILE, Catalog, locale_dir
from bot.flows.schema import Flow, Step

# Step fields that hold words (free to differ); every other field is the flow's machinery.
_TEXT_FIELDS = frozenset({"say", "ask", "choose", "coach", "retry", "end"})


def cross_problems(
    content_dir: Path,
    reference: str,
    language: str,
    catalogs: Mapping[str, Catalog],
    borrowed: tuple[str, ...] = (),
) -> list[ContentProblem]:
    """Every way `language` differs in shape from `reference` (both loaded when possible);
    `borrowed` parts (not translated yet, see Catalog.load) are not missing files."""
    base, other = locale_dir(content_dir, reference), locale_dir(content_dir, language)
    problems = _file_problems(base, other, borrowed)
    ref, cat = catalogs.get(reference), catalogs.get(language)
    if ref is None or cat is None:
        return problems  # the locale's own problems are reported already
    check = _Checker(other, problems)
    check.keys(
        "ui.yml",
        {k: _union(v) for k, v in ref.texts.entries.items()}
        | {k: _union(p.forms.values()) for k, p in ref.texts.plurals.items()},
        {k: _union(v) for k, v in cat.texts.entries.items()}
        | {k: _union(p.forms.values()) for k, p in cat.texts.plurals.items()},
    )
    check.keys(
        "safety/messages.yml",
        {k: placeholders(v) for k, v in ref.safety_texts.entries.items()},
        {k: placeholders(v) for k, v in cat.safety_texts.entries.items()},
    )
    check.same(
        "commands.yml",
        "commands",
        [c.command for c in ref.commands],
        [c.command for c in cat.commands],
        "list the same commands in the same order; translate only the descriptions",
    )
    lib, tr = ref.library, cat.library
    for theme in sorted(set(lib.themes) | set(tr.themes)):
        check.same(
            f"prompts/{theme}.yml",
            f"theme '{theme}'",
            [(p.id, placeholders(p.text)) for p in lib.themes[theme].prompts]
            if theme in lib.themes
            else [],
            [(p.id, placeholders(p.text)) for p in tr.themes[theme].prompts]
            if theme in tr.themes
            else [],
            "the same prompt ids in the same order (journal answers point at them)",
        )
    check.same(
        "lessons/",
        "lessons",
        sorted((x.id, x.order, len(x.pages)) for x in lib.lessons),
        sorted((x.id, x.order, len(x.pages)) for x in tr.lessons),
        "the same lesson ids, order and number of pages",
    )
    for exercise_id in sorted(set(lib.exercises) | set(tr.exercises)):
        check.same(
            f"exercises/{exercise_id}.yml",
            f"exercise '{exercise_id}'",
            _exercise_shape(lib.exercises.get(exercise_id)),
            _exercise_shape(tr.exercises.get(exercise_id)),
            "keep kind, cycles, seconds and the number of steps and pages",
        )
    check.same(
        "practice/scenarios.yml",
        "scenarios",
        [s.id for s in lib.scenarios],
        [s.id for s in tr.scenarios],
        "the same scenario ids (drafts are stored with them)",
    )
    for flow_id in sorted(set(ref.flows) | set(cat.flows)):
        check.flow(flow_id, ref.flows.get(flow_id), cat.flows.get(flow_id))
    return problems


def _file_problems(base: Path, other: Path, borrowed: tuple[str, ...]) -> list[ContentProblem]:
    def files(root: Path) -> set[str]:
        return {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        }

    ours, theirs = files(base), files(other)
    problems = [
        ContentProblem(other / name, "missing: English has this file", hint="translate it")
        for name in sorted(ours - theirs)
        if not any(name == part or name.startswith(f"{part}/") for part in borrowed)
    ]
    problems += [
        ContentProblem(
            other / name,
            "English has no such file, so the bot never reads it",
            hint="rename it to match English, or remove it",
        )
        for name in sorted(theirs - ours)
        if name != LOCALE_FILE
    ]
    return problems


def _union(texts: Iterable[str]) -> set[str]:
    names: set[str] = set()
    for text in texts:
        names |= placeholders(text)
    return names


def _exercise_shape(exercise: Any) -> object:
    if exercise is None:
        return None
    return (
        exercise.kind,
        exercise.cycles,
        tuple(p.seconds for p in exercise.phases),
        tuple(s.expect for s in exercise.steps),
        len(exercise.pages),
        exercise.caution is not None,
    )


def _step_shape(step: Step) -> dict[str, object]:
    """A step's machinery: everything but its words (which only need the same placeholders)."""
    shape: dict[str, object] = {}
    # A step that reads its buttons' values with its input type ("20 min", "tonight") has values
    # in this language's words; then only where each button leads must match.
    worded_values = getattr(step, "free_text", None) is not None
    for name, value in step.model_dump().items():
        if name in _TEXT_FIELDS or name == "skip_label":
            shape[name] = value is not None
        elif name == "options" and worded_values:
            shape[name] = [o["next"] for o in value]
        elif name == "options":
            shape[name] = [(o["value"], o["next"]) for o in value]
        else:
            shape[name] = value
    return shape


def _step_placeholders(step: Step) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, value in step.model_dump().items():
        if name in _TEXT_FIELDS and value is not None:
            found[name] = _union([value] if isinstance(value, str) else value)
        elif name == "options":
            found["options"] = _union(o["label"] for o in value)
    return found


class _Checker:
    """Collects problems for one translated locale, each at its line when it can be found."""

    def __init__(self, folder: Path, problems: list[ContentProblem]) -> None:
        self.folder = folder
        self.problems = problems

    def add(
        self, name: str, message: str, *, where: str = "", hint: str = "", find: str = ""
    ) -> None:
        path = self.folder / name
        self.problems.append(
            ContentProblem(path, message, line=_line(path, find), where=where, hint=hint)
        )

    def keys(
        self, name: str, ours: Mapping[str, set[str]], theirs: Mapping[str, set[str]]
    ) -> None:
        for key in sorted(set(ours) - set(theirs)):
            self.add(name, f"missing key '{key}' (English has it)", hint="translate it")
        for key in sorted(set(theirs) - set(ours)):
            self.add(
                name, f"key '{key}' is not in English", find=f"{key}:", hint="remove or rename it"
            )
        for key in sorted(set(ours) & set(theirs)):
            if ours[key] != theirs[key]:
                self.add(
                    name,
                    f"placeholders {_names(theirs[key])} differ from English {_names(ours[key])}",
                    where=key,
                    find=f"{key}:",
                    hint="keep every {name} of the English text, spelled the same",
                )

    def same(self, name: str, where: str, ours: object, theirs: object, hint: str) -> None:
        if ours != theirs:
            self.add(name, "differs from English", where=where, hint=hint)

    def flow(self, flow_id: str, ours: Flow | None, theirs: Flow | None) -> None:
        name = f"flows/{flow_id}.yml"
        if ours is None or theirs is None:
            if theirs is None:
                self.add(name, f"flow '{flow_id}' is missing (English has it)")
            else:
                self.add(name, f"flow '{flow_id}' is not in English")
            return
        our_ids = [s.id for s in ours.steps]
        their_ids = [s.id for s in theirs.steps]
        if our_ids != their_ids:
            missing = [i for i in our_ids if i not in their_ids]
            extra = [i for i in their_ids if i not in our_ids]
            detail = (f"missing {', '.join(missing)}" if missing else "") + (
                f"{'; ' if missing else ''}not in English: {', '.join(extra)}" if extra else ""
            )
            self.add(
                name,
                f"steps differ from English ({detail or 'in another order'})",
                hint="keep the same step ids in the same order",
            )
            return
        for mine, yours in zip(ours.steps, theirs.steps, strict=True):
            where = f"step '{mine.id}'"
            find = f"id: {mine.id}"
            a, b = _step_shape(mine), _step_shape(yours)
            if a != b:
                fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                self.add(
                    name,
                    f"{', '.join(fields)} differ from English",
                    where=where,
                    find=find,
                    hint="translate the words only; keep ids, targets, values and variables",
                )
                continue
            ph_a, ph_b = _step_placeholders(mine), _step_placeholders(yours)
            for field in sorted(ph_a):
                if ph_a[field] != ph_b.get(field, set()):
                    self.add(
                        name,
                        f"{field}: placeholders {_names(ph_b.get(field, set()))} differ from "
                        f"English {_names(ph_a[field])}",
                        where=where,
                        find=find,
                    )


def _names(found: set[str]) -> str:
    return ", ".join(f"{{{n}}}" for n in sorted(found)) or "none"


def _line(path: Path, find: str) -> int | None:
    """The first line of a file containing `find` (at a word boundary), if any."""
    if not find or not path.is_file():
        return None
    pattern = re.compile(rf"(^|[\s-]){re.escape(find)}(\s|$)")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if pattern.search(line):
            return number
    return None
