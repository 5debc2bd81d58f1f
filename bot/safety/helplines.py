"""Helplines by country, loaded from content/safety/helplines.yaml and rendered for Telegram.

The data file lists, per ISO 3166-1 alpha-2 country, the emergency number, crisis lines and
domestic-abuse lines, each with a `last_verified` date; `INTL` (directories and the advice to
call the local emergency number) is the fallback for an unknown country. Names, hours and notes
are plain text and escaped here. The formats that arrange them are HTML and belong to a
language: each locale has its own in content/locales/<language>/safety/helpline_format.yml.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.errors import ContentError, ContentProblem
from bot.content.html import html_problems
from bot.content.validation import line_at, validate
from bot.content.yamlio import load_yaml

HELPLINES_FILE = "helplines.yaml"
FORMAT_FILE = "helpline_format.yml"
REFERENCE_LOCALE = Path("locales") / "en"
FALLBACK = "INTL"
# The countries the bot promises to cover; the loader reports any that go missing.
REQUIRED = ("US", "GB", "CA", "AU", "IE", "NZ", "DE", "FR", "ES", "IT", "NL", "IN", FALLBACK)

_Text = Annotated[str, Field(min_length=1, max_length=200)]
_Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ()\-]{1,24}$")]
_Url = Annotated[str, Field(pattern=r"^https://[^\s<>\"']+$", max_length=200)]
_Code = Annotated[str, Field(pattern=r"^([A-Z]{2}|INTL)$")]

# Each format and the placeholders it must use (no more, no fewer).
_FORMATS: Mapping[str, frozenset[str]] = {
    "emergency": frozenset({"emergency"}),
    "emergency_note": frozenset({"note"}),
    "heading_self_harm": frozenset(),
    "heading_abuse": frozenset(),
    "entry": frozenset({"name", "details"}),
    "phone": frozenset({"phone"}),
    "text": frozenset({"text"}),
    "url": frozenset({"url", "label"}),
    "hours": frozenset({"hours"}),
    "note": frozenset({"note"}),
    "separator": frozenset(),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HelplineModel(_Strict):
    """One service as written in the YAML."""

    name: _Text
    phone: _Phone | None = None
    text: _Text | None = None
    url: _Url | None = None
    hours: _Text | None = None
    note: _Text | None = None
    source: _Text

    @model_validator(mode="after")
    def _reachable(self) -> HelplineModel:
        if self.phone is None and self.url is None:
            raise ValueError("give a phone number or a url (a directory page is fine)")
        return self


class CountryModel(_Strict):
    """One country as written in the YAML."""

    last_verified: date
    emergency: _Text
    emergency_note: _Text | None = None
    crisis: Annotated[list[HelplineModel], Field(min_length=1)]
    abuse: Annotated[list[HelplineModel], Field(min_length=1)]


class HelplinesFile(_Strict):
    """The whole of helplines.yaml."""

    version: Literal[1]
    aliases: dict[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], _Code] = {}
    countries: dict[_Code, CountryModel]


@dataclass(frozen=True, slots=True)
class Helpline:
    """One service people can reach: by phone, text message or website."""

    name: str
    phone: str | None
    text: str | None
    url: str | None
    hours: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class CountryHelplines:
    """Everything to show for one country."""

    country: str
    emergency: str
    crisis: tuple[Helpline, ...]
    abuse: tuple[Helpline, ...]
    last_verified: date
    emergency_note: str | None = None


class Helplines:
    """All countries' helplines, with a fallback, and their rendering for a chat message."""

    __slots__ = ("_aliases", "_countries", "_formats")

    def __init__(
        self,
        countries: Mapping[str, CountryHelplines],
        formats: Mapping[str, str],
        aliases: Mapping[str, str],
    ) -> None:
        self._countries = dict(countries)
        self._formats = dict(formats)
        self._aliases = dict(aliases)

    @classmethod
    def load(cls, content_dir: Path, locale_dir: Path | None = None) -> Helplines:
        """Load and check content/safety/helplines.yaml, with the formats of one locale
        (English unless `locale_dir` says otherwise); raise ContentError on problems."""
        path = content_dir / "safety" / HELPLINES_FILE
        raw = load_yaml(path)
        data = validate(HelplinesFile, raw, path)
        problems: list[ContentProblem] = []
        try:
            formats = load_formats(locale_dir or content_dir / REFERENCE_LOCALE)
        except ContentError as exc:
            problems.extend(exc.problems)
            formats = {}
        line = line_at(raw, ("countries",))
        problems.extend(
            ContentProblem(
                path,
                f"country {code} is missing",
                line=line,
                where="countries",
                hint="the bot promises these countries; add it back",
            )
            for code in REQUIRED
            if code not in data.countries
        )
        problems.extend(
            ContentProblem(path, f"alias {alias} points to unknown {code}", where="aliases")
            for alias, code in data.aliases.items()
            if code not in data.countries
        )
        if problems:
            raise ContentError(problems)
        countries = {
            code: CountryHelplines(
                country=code,
                emergency=entry.emergency,
                crisis=tuple(_helpline(h) for h in entry.crisis),
                abuse=tuple(_helpline(h) for h in entry.abuse),
                last_verified=entry.last_verified,
                emergency_note=entry.emergency_note,
            )
            for code, entry in data.countries.items()
        }
        return cls(countries, formats, data.aliases)

    def in_language(self, locale_dir: Path) -> Helplines:
        """The same helplines, arranged with another locale's formats (ContentError if bad)."""
        return Helplines(self._countries, load_formats(locale_dir), self._aliases)

    def for_country(self, country: str | None) -> CountryHelplines:
        """Return a country's helplines (ISO alpha-2, any case); unknown or None gives INTL."""
        code = (country or "").strip().upper()
        code = self._aliases.get(code, code)
        return self._countries.get(code) or self._countries[FALLBACK]

    def countries(self) -> tuple[str, ...]:
        """Return the country codes with their own entry (INTL included), sorted."""
        return tuple(sorted(self._countries))

    def stale(self, today: date, max_age_days: int = 120) -> tuple[str, ...]:
        """Return the countries whose entry was last verified more than `max_age_days` ago."""
        return tuple(
            code
            for code, entry in sorted(self._countries.items())
            if (today - entry.last_verified).days > max_age_days
        )

    def render_html(self, country: str | None, kind: Literal["self_harm", "abuse"]) -> str:
        """Return a short list for a Telegram message: emergency number, then the lines."""
        entry = self.for_country(country)
        fmt = self._formats
        lines = [fmt["emergency"].format(emergency=_escape(entry.emergency))]
        if entry.emergency_note:
            lines.append(fmt["emergency_note"].format(note=_escape(entry.emergency_note)))
        lines.append("")
        lines.append(fmt["heading_abuse" if kind == "abuse" else "heading_self_harm"])
        for helpline in entry.abuse if kind == "abuse" else entry.crisis:
            lines.append(
                fmt["entry"].format(name=_escape(helpline.name), details=self._details(helpline))
            )
        return "\n".join(lines)

    def _details(self, helpline: Helpline) -> str:
        fmt = self._formats
        parts: list[str] = []
        if helpline.phone:
            parts.append(fmt["phone"].format(phone=_escape(helpline.phone)))
        if helpline.text:
            parts.append(fmt["text"].format(text=_escape(helpline.text)))
        if helpline.hours:
            parts.append(fmt["hours"].format(hours=_escape(helpline.hours)))
        if helpline.url:
            parts.append(
                fmt["url"].format(
                    url=html.escape(helpline.url, quote=True), label=_escape(_label(helpline.url))
                )
            )
        details = fmt["separator"].join(parts)
        if helpline.note:
            details += fmt["separator"] + fmt["note"].format(note=_escape(helpline.note))
        return details


def _helpline(model: HelplineModel) -> Helpline:
    return Helpline(model.name, model.phone, model.text, model.url, model.hours, model.note)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _label(url: str) -> str:
    """Show a link as its short address: https://www.thehotline.org/ -> thehotline.org."""
    label = url.removeprefix("https://").removeprefix("www.")
    return label.rstrip("/")


def load_formats(locale_dir: Path) -> dict[str, str]:
    """Load and check a locale's safety/helpline_format.yml (HTML, one entry per format)."""
    path = locale_dir / "safety" / FORMAT_FILE
    raw = load_yaml(path)
    formats = raw.get("format") if isinstance(raw, dict) else None
    if not isinstance(formats, dict) or not all(isinstance(v, str) for v in formats.values()):
        raise ContentError([ContentProblem(path, "expected a 'format' mapping of texts")])
    problems = _format_problems(path, formats, line_at(raw, ("format",)))
    if problems:
        raise ContentError(problems)
    return {str(key): value for key, value in formats.items()}


def _format_problems(
    path: Path, formats: Mapping[str, str], line: int | None
) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    for key, needed in _FORMATS.items():
        if key not in formats:
            problems.append(
                ContentProblem(path, f"format '{key}' is missing", line=line, where="format")
            )
            continue
        text = formats[key]
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            problems.append(ContentProblem(path, str(exc), line=line, where=f"format.{key}"))
            continue
        if names != needed:
            expected = ", ".join(f"{{{n}}}" for n in sorted(needed)) or "no placeholders"
            problems.append(
                ContentProblem(
                    path,
                    f"format '{key}' must use {expected}",
                    line=line,
                    where=f"format.{key}",
                    hint="use {{ and }} for literal braces",
                )
            )
            continue
        sample = text.format(**dict.fromkeys(needed, "x"))
        problems.extend(
            ContentProblem(path, problem, line=line, where=f"format.{key}")
            for problem in html_problems(sample)
        )
    problems.extend(
        ContentProblem(path, f"unknown format '{key}'", line=line, where="format")
        for key in formats
        if key not in _FORMATS
    )
    return problems
