"""Compile the coach's phrase lists into a tokenizer and pattern matchers.

Named word lists may refer to each other (`{list}`); `resolve_lists` expands them, and
`compile_all` compiles every phrase with the phrase language in `patterns`, reporting the
phrase and line of anything that does not compile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.coach.patterns import (
    Alt,
    Option,
    Pattern,
    PatternError,
    compile_pattern,
    list_item_words,
)
from bot.coach.schema import (
    LanguageFile,
    Problems,
    get,
)
from bot.coach.tokens import Tokenizer
from bot.content.errors import ContentProblem
from bot.content.yamlio import line_of


def build_tokenizer(
    language: LanguageFile, path: Path, raw: Any, problems: list[ContentProblem]
) -> Tokenizer:
    """Build the tokenizer from language.yml's contractions, shorthand and typos."""
    variants: dict[str, tuple[str, ...]] = {}
    plain = Tokenizer({}, frozenset(), language.fold)
    fold = str.maketrans(language.fold)
    for section in ("contractions", "shorthand", "typos"):
        table: dict[str, list[str]] = getattr(language, section)
        line = line_of(get(raw, section))
        for canonical, forms in table.items():
            target = plain.words(canonical)
            if not target:
                problems.append(
                    ContentProblem(path, "no word to expand to", line=line, where=section)
                )
                continue
            for form in forms:
                key = form.lower().replace("’", "'").translate(fold)
                if len(plain.words(key)) != 1 or " " in key:
                    problems.append(
                        ContentProblem(
                            path,
                            f"{form!r} must be a single word (it is what a user types)",
                            line=line,
                            where=f"{section}.{canonical}",
                        )
                    )
                elif key in variants and variants[key] != target:
                    problems.append(
                        ContentProblem(
                            path,
                            f"{form!r} is listed for both {' '.join(variants[key])!r} "
                            f"and {canonical!r}",
                            line=line,
                            where=f"{section}.{canonical}",
                            hint="keep it under one of them",
                        )
                    )
                else:
                    variants[key] = target
    breaks = frozenset(w for item in language.clause_breaks for w in plain.words(item))
    return Tokenizer(variants, breaks, language.fold)


def add_lists(
    named: dict[str, tuple[list[str], Path, str, int | None]],
    lists: Mapping[str, list[str]],
    path: Path,
    raw: Any,
    problems: list[ContentProblem],
) -> None:
    """Collect the named word lists of one file, reporting clashes."""
    raw_lists = get(raw, "lists")
    for name, items in lists.items():
        if name in named:
            problems.append(
                ContentProblem(
                    path,
                    f"the list {name!r} is already defined in {named[name][1].name}",
                    line=line_of(raw_lists),
                    where=f"lists.{name}",
                    hint="give it another name or merge the two",
                )
            )
            continue
        named[name] = (items, path, f"lists.{name}", line_of(raw_lists))


def resolve_lists(
    named: Mapping[str, tuple[list[str], Path, str, int | None]],
    words_of: Any,
    problems: list[ContentProblem],
) -> dict[str, Alt]:
    """Expand `{other}` entries and compile every named list; report unknown names and loops."""
    resolved: dict[str, list[Option]] = {}

    def resolve(name: str, trail: tuple[str, ...]) -> list[Option]:
        if name in resolved:
            return resolved[name]
        items, path, where, line = named[name]
        options: list[Option] = []
        seen: set[Option] = set()
        for item in items:
            text = item.strip()
            if text.startswith("{") and text.endswith("}"):
                other = text[1:-1]
                if other not in named:
                    problems.append(
                        ContentProblem(path, f"unknown list {text}", line=line, where=where)
                    )
                    continue
                if other in trail:
                    problems.append(
                        ContentProblem(
                            path,
                            f"lists include each other in a loop: {' -> '.join((*trail, other))}",
                            line=line,
                            where=where,
                        )
                    )
                    continue
                options.extend(resolve(other, (*trail, other)))
                continue
            try:
                option = list_item_words(text, words_of)
            except PatternError as exc:
                problems.append(ContentProblem(path, f"{item!r}: {exc}", line=line, where=where))
                continue
            if option in seen:
                problems.append(
                    ContentProblem(
                        path,
                        f"{item!r} is listed twice",
                        line=line,
                        where=where,
                        hint="remove one (spelling variants are handled in language.yml)",
                    )
                )
            seen.add(option)
            options.append(option)
        resolved[name] = options
        return options

    alts: dict[str, Alt] = {}
    for name in named:
        options = resolve(name, (name,))
        if not options:
            _, path, where, line = named[name]
            problems.append(ContentProblem(path, "the list is empty", line=line, where=where))
            continue
        alts[name] = Alt.of(options)
    return alts


def compile_all(
    phrases: Sequence[str],
    lists: Mapping[str, Alt],
    words_of: Any,
    report: Problems,
    where: str,
    line: int | None,
) -> list[Pattern]:
    """Compile every phrase with the pattern language, reporting what does not compile."""
    compiled: list[Pattern] = []
    for phrase in phrases:
        try:
            compiled.append(compile_pattern(phrase, lists, words_of))
        except PatternError as exc:
            report.add(
                f"phrase {phrase!r}: {exc}",
                line=line,
                where=where,
                hint="see the phrase syntax at the top of language.yml",
            )
    return compiled
