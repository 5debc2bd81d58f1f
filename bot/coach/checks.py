"""Cross-file checks of the coach's texts: tips, feedback lines and rewrite templates.

Texts must be valid Telegram HTML, use only the placeholders the coach fills in, and stay
short; faux feelings must point at real feelings.

Across the named word lists (`list_problems`): an entry that repeats one the same list already
takes in through an included `{other}` list, and an entry shared by two lists that
`words.yml` names under `disjoint` (a phrase both finding a problem and cancelling it).
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.coach.patterns import Alt, Option, PatternError, WordsOf, list_item_words
from bot.coach.results import CODES, STRENGTH_CODES
from bot.coach.schema import (
    FauxFile,
    FeedbackFile,
    Problems,
    RewriteFile,
    get,
)
from bot.content.errors import ContentProblem
from bot.content.html import html_problems
from bot.content.yamlio import line_of

_FEEDBACK_FIELDS: Mapping[str, frozenset[str]] = {
    "ready": frozenset({"strength"}),
    "opening_with_strength": frozenset({"strength"}),
    "opening_without_strength": frozenset(),
    "suggestion_quoted": frozenset({"quote", "tip"}),
    "suggestion_plain": frozenset({"tip"}),
    "rewrite": frozenset({"rewrite"}),
}
_REWRITE_FIELDS = frozenset({"situation", "feel", "feeling", "ask"})
# A full stop, question or exclamation mark, then what may open a new sentence (see below).
_SENTENCE_BREAK = re.compile(r"[.!?]\s+(?:[¿¡]|[“\"‘'«]?[^\W\d_])")


def _new_sentence(text: str) -> bool:
    """Whether a second sentence starts: a capital, or an opening "¿" or "¡", after . ! or ?."""
    return any(
        m.group()[-1] in "¿¡" or m.group()[-1].isupper() for m in _SENTENCE_BREAK.finditer(text)
    )


def check_text(
    text: str,
    allowed: frozenset[str],
    path: Path,
    where: str,
    line: int | None,
    problems: list[ContentProblem],
    *,
    plain: bool = False,
    one_sentence: bool = False,
) -> None:
    """Check one text: valid HTML, known placeholders only, one or two short sentences."""
    if one_sentence and _new_sentence(text.strip()):
        problems.append(
            ContentProblem(
                path,
                "a tip or note is one sentence; this one has more",
                line=line,
                where=where,
                hint="join the sentences with ';' or keep the most useful one",
            )
        )
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        problems.append(
            ContentProblem(
                path,
                f"broken {{placeholder}}: {exc}",
                line=line,
                where=where,
                hint="write a literal brace as {{ or }}",
            )
        )
        return
    unknown = sorted(fields - allowed)
    if unknown:
        usable = ", ".join(f"{{{f}}}" for f in sorted(allowed)) or "none"
        problems.append(
            ContentProblem(
                path,
                f"unknown placeholder(s) {', '.join(f'{{{u}}}' for u in unknown)}",
                line=line,
                where=where,
                hint=f"placeholders available here: {usable}",
            )
        )
    if plain:
        if "<" in text or "&" in text:
            problems.append(
                ContentProblem(
                    path,
                    "this text is sent as plain words inside the message; it cannot hold HTML",
                    line=line,
                    where=where,
                    hint="remove tags and write 'and' instead of '&'",
                )
            )
        return
    for problem in html_problems(text):
        problems.append(ContentProblem(path, problem, line=line, where=where))


def check_faux(
    faux: FauxFile,
    feelings: set[Option],
    words_of: Any,
    path: Path,
    raw: Any,
    problems: list[ContentProblem],
) -> None:
    """Check faux feelings: every deeper word must be a real feeling."""
    for section, groups in (("faux", faux.faux), ("negated", faux.negated)):
        raw_groups = get(raw, section)
        for n, group in enumerate(groups):
            line = line_of(get(raw_groups, n))
            for word in group.deeper:
                if words_of(word) not in feelings:
                    problems.append(
                        ContentProblem(
                            path,
                            f"deeper feeling {word!r} is not in feelings.yml",
                            line=line,
                            where=f"{section}[{n}].deeper",
                            hint="add it to feelings.yml or pick a listed feeling",
                        )
                    )
            if section == "faux":
                for word in group.words:
                    if words_of(word) in feelings:
                        problems.append(
                            ContentProblem(
                                path,
                                f"{word!r} is both a faux feeling and a feeling in feelings.yml",
                                line=line,
                                where=f"{section}[{n}].words",
                                hint="keep it in one place",
                            )
                        )


def check_feedback(
    feedback: FeedbackFile, path: Path, raw: Any, problems: list[ContentProblem]
) -> None:
    """Check feedback.yml's lines and their placeholders."""
    for key, allowed in _FEEDBACK_FIELDS.items():
        text = getattr(feedback, key)
        check_text(text, allowed, path, key, line_of(raw), problems)
    for key, expected in (("issue_priority", CODES), ("strength_priority", STRENGTH_CODES)):
        listed: list[str] = getattr(feedback, key)
        if sorted(listed) != sorted(expected):
            problems.append(
                ContentProblem(
                    path,
                    f"{key} must list each of these exactly once: {', '.join(expected)}",
                    line=line_of(raw),
                    where=key,
                )
            )


def check_rewrite(
    rewrite: RewriteFile,
    feelings: set[Option],
    words_of: Any,
    report: Problems,
    raw: Any,
) -> None:
    """Check rewrite.yml's templates and their placeholders."""
    line = line_of(raw)
    checks: list[tuple[str, str, frozenset[str]]] = [
        ("with_situation", rewrite.with_situation, _REWRITE_FIELDS),
        ("without_situation", rewrite.without_situation, _REWRITE_FIELDS - {"situation"}),
        ("default_ask", rewrite.default_ask, frozenset()),
    ]
    checks += [(f"ask_for_code.{c}", t, frozenset()) for c, t in rewrite.ask_for_code.items()]
    for where, text, allowed in checks:
        check_text(text, allowed, report.path, where, line, report.items, plain=True)
    for section in ("feeling_for_code", "ask_for_code"):
        for code in getattr(rewrite, section):
            if code not in CODES:
                report.add(
                    f"unknown issue code {code!r}",
                    line=line,
                    where=section,
                    hint=f"use one of: {', '.join(CODES)}",
                )
    for where, word in [("default_feeling", rewrite.default_feeling)] + [
        (f"feeling_for_code.{c}", w) for c, w in rewrite.feeling_for_code.items()
    ]:
        if words_of(word) not in feelings:
            report.add(
                f"{word!r} is not in feelings.yml",
                line=line,
                where=where,
                hint="pick a listed feeling",
            )


# What content.py keeps per named list: its raw entries, file, place in the file and line.
Named = Mapping[str, tuple[list[str], Path, str, int | None]]


def list_problems(
    named: Named,
    lists: Mapping[str, Alt],
    disjoint: Sequence[Sequence[str]],
    words_of: WordsOf,
    path: Path,
    line: int | None,
) -> list[ContentProblem]:
    """Return entries repeated through an included list, and entries disjoint lists share."""
    problems = _repeated_through_includes(named, lists, words_of)
    for n, pair in enumerate(disjoint):
        where = f"disjoint[{n}]"
        unknown = [name for name in pair if name not in lists]
        for name in unknown:
            close = difflib.get_close_matches(name, list(lists), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "name a list defined in coach/"
            problems.append(
                ContentProblem(path, f"unknown list {name!r}", line=line, where=where, hint=hint)
            )
        if unknown:
            continue
        first, second = pair[0], pair[1]
        shared = sorted(set(lists[first].options) & set(lists[second].options))
        for option in shared:
            problems.append(
                ContentProblem(
                    path,
                    f"{' '.join(option)!r} is in both {{{first}}} and {{{second}}}",
                    line=line,
                    where=where,
                    hint="these lists must not share an entry: one would undo the other",
                )
            )
    return problems


def _repeated_through_includes(
    named: Named, lists: Mapping[str, Alt], words_of: WordsOf
) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    for items, path, where, line in named.values():
        included = [
            item.strip()[1:-1]
            for item in items
            if item.strip().startswith("{") and item.strip()[1:-1] in lists
        ]
        if not included:
            continue
        owner = {option: name for name in included for option in lists[name].options}
        for item in items:
            if item.strip().startswith("{"):
                continue
            try:
                option = list_item_words(item, words_of)
            except PatternError:
                continue  # reported when the list was compiled
            if option in owner:
                problems.append(
                    ContentProblem(
                        path,
                        f"{item!r} is already in {{{owner[option]}}}, which this list includes",
                        line=line,
                        where=where,
                        hint="remove this copy",
                    )
                )
    return problems
