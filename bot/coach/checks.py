"""Checks across the coach's named word lists, once every list has been compiled.

Two mistakes slip past a per-list check. An entry may repeat one that the same list already
takes in through an included `{other}` list, so a later edit of one copy leaves the other
behind. And a phrase may sit both in a list that finds a problem and in the list that cancels
it ("constantly" both a habit word and a warm word), so one rule silently undoes the other.
`words.yml` names such pairs under `disjoint`; this module reports any entry they share.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.coach.patterns import Alt, PatternError, WordsOf, list_item_words
from bot.content.errors import ContentProblem

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
