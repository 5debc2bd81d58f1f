"""Fixed interface texts from a locale's ui.yml, looked up by key and filled in safely.

A text is a string, a list of variants, or a set of plural forms chosen by a number with the
locale's CLDR plural rules (Babel): ``{plural: count, one: "…once…", other: "…{count} times…"}``.
The date keys (`date_short`, `date_long`, `date_time`, `weekday`) are CLDR date patterns, so
month and weekday names come from Babel in the locale's language, never from a hand-written list.
"""

from __future__ import annotations

import html
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.plural import PluralRule

from bot.content.errors import ContentError, ContentProblem
from bot.content.html import html_problems, visible_length
from bot.content.yamlio import line_of, load_yaml


class T(StrEnum):
    """Every ui.yml key the code uses; the content check proves each one exists."""

    welcome = "welcome"
    btn_consent_yes = "btn_consent_yes"
    btn_consent_no = "btn_consent_no"
    consent_declined = "consent_declined"
    consent_thanks = "consent_thanks"
    consent_needed = "consent_needed"
    welcome_back = "welcome_back"
    help = "help"
    privacy = "privacy"
    group_refusal = "group_refusal"
    unknown_text = "unknown_text"
    unknown_command = "unknown_command"
    emoji_only = "emoji_only"
    media_unsupported = "media_unsupported"
    location_unexpected = "location_unexpected"
    edited_message = "edited_message"
    too_long = "too_long"
    stale_button = "stale_button"
    cancelled = "cancelled"
    nothing_to_cancel = "nothing_to_cancel"
    flow_resumed = "flow_resumed"
    flow_changed = "flow_changed"
    command_in_flow = "command_in_flow"
    error_generic = "error_generic"
    error_storage = "error_storage"
    settings_summary = "settings_summary"
    settings_not_set = "settings_not_set"
    btn_settings_zone = "btn_settings_zone"
    btn_settings_time = "btn_settings_time"
    btn_settings_days = "btn_settings_days"
    btn_settings_country = "btn_settings_country"
    btn_settings_mood = "btn_settings_mood"
    btn_settings_digest = "btn_settings_digest"
    days_every_day = "days_every_day"
    days_weekdays = "days_weekdays"
    days_weekends = "days_weekends"
    days_custom = "days_custom"
    retry_choose_a_button = "retry_choose_a_button"
    retry_empty = "retry_empty"
    retry_too_long = "retry_too_long"
    retry_not_text = "retry_not_text"
    status_on = "status_on"
    status_paused = "status_paused"
    status_off = "status_off"
    prompt_message = "prompt_message"
    prompt_answer_invite = "prompt_answer_invite"
    prompt_skipped = "prompt_skipped"
    prompt_remind_set = "prompt_remind_set"
    prompt_reminder_lead = "prompt_reminder_lead"
    prompt_today_lead = "prompt_today_lead"
    prompt_saved_followup = "prompt_saved_followup"
    prompt_needs_setup = "prompt_needs_setup"
    pause_forever = "pause_forever"
    pause_until = "pause_until"
    pause_not_understood = "pause_not_understood"
    resume_done = "resume_done"
    resume_not_paused = "resume_not_paused"
    when_at = "when_at"
    practice_progress = "practice_progress"
    practice_fading = "practice_fading"
    practice_check_empty = "practice_check_empty"
    practice_paused_for_safety = "practice_paused_for_safety"
    btn_skills_back_on = "btn_skills_back_on"
    habit_you_blame = "habit_you_blame"
    habit_absolute = "habit_absolute"
    habit_make_me_feel = "habit_make_me_feel"
    habit_faux_feeling = "habit_faux_feeling"
    habit_thought_as_feeling = "habit_thought_as_feeling"
    habit_ultimatum = "habit_ultimatum"
    habit_demand = "habit_demand"
    habit_label = "habit_label"
    habit_accusatory_question = "habit_accusatory_question"
    habit_sarcasm = "habit_sarcasm"
    habit_no_feeling = "habit_no_feeling"
    ground_menu = "ground_menu"
    ground_menu_item = "ground_menu_item"
    ground_rate_before = "ground_rate_before"
    ground_rate_after = "ground_rate_after"
    btn_rating_skip = "btn_rating_skip"
    ground_phase = "ground_phase"
    ground_round = "ground_round"
    ground_stopped = "ground_stopped"
    btn_stop = "btn_stop"
    btn_next = "btn_next"
    ground_after_better = "ground_after_better"
    ground_after_same = "ground_after_same"
    ground_after_worse = "ground_after_worse"
    ground_after_thanks = "ground_after_thanks"
    ground_offer = "ground_offer"
    export_caption = "export_caption"
    export_empty = "export_empty"
    export_title = "export_title"
    export_heading_settings = "export_heading_settings"
    export_heading_journal = "export_heading_journal"
    export_heading_practice = "export_heading_practice"
    export_heading_mood = "export_heading_mood"
    export_heading_grounding = "export_heading_grounding"
    export_heading_flows = "export_heading_flows"
    delete_confirm = "delete_confirm"
    btn_delete_yes = "btn_delete_yes"
    btn_delete_no = "btn_delete_no"
    delete_done = "delete_done"
    delete_kept = "delete_kept"
    journal_empty = "journal_empty"
    journal_page = "journal_page"
    journal_entry = "journal_entry"
    journal_kind_prompt = "journal_kind_prompt"
    journal_kind_note = "journal_kind_note"
    journal_kind_flow = "journal_kind_flow"
    journal_kind_lesson = "journal_kind_lesson"
    journal_saved = "journal_saved"
    btn_newer = "btn_newer"
    btn_older = "btn_older"
    btn_write = "btn_write"
    learn_menu = "learn_menu"
    lesson_reflect = "lesson_reflect"
    btn_not_now = "btn_not_now"
    lesson_done = "lesson_done"
    insights_empty = "insights_empty"
    insights_caption = "insights_caption"
    insights_mood_up = "insights_mood_up"
    insights_mood_down = "insights_mood_down"
    insights_mood_steady = "insights_mood_steady"
    insights_writing = "insights_writing"
    insights_grounding = "insights_grounding"
    insights_practice = "insights_practice"
    chart_mood = "chart_mood"
    chart_entries = "chart_entries"
    chart_grounding = "chart_grounding"
    chart_practice = "chart_practice"
    chart_before = "chart_before"
    chart_after = "chart_after"
    chart_no_data = "chart_no_data"
    safe_now_unstored = "safe_now_unstored"
    date_short = "date_short"
    date_long = "date_long"
    date_time = "date_time"
    weekday = "weekday"
    btn_settings_language = "btn_settings_language"
    language_choose = "language_choose"
    language_saved = "language_saved"
    # The hot moment: /hold, /timeout, /bids.
    when_today = "when_today"
    when_tomorrow = "when_tomorrow"
    when_weekday = "when_weekday"
    retry_when = "retry_when"
    retry_when_zero = "retry_when_zero"
    retry_when_past = "retry_when_past"
    retry_when_far = "retry_when_far"
    hold_saved = "hold_saved"
    btn_hold_ground = "btn_hold_ground"
    hold_back = "hold_back"
    hold_back_late = "hold_back_late"
    btn_hold_send = "btn_hold_send"
    btn_hold_edit = "btn_hold_edit"
    btn_hold_let_go = "btn_hold_let_go"
    hold_send = "hold_send"
    hold_edit = "hold_edit"
    hold_let_go = "hold_let_go"
    hold_gone = "hold_gone"
    hold_list_title = "hold_list_title"
    hold_list_item = "hold_list_item"
    btn_hold_now = "btn_hold_now"
    hot_offer = "hot_offer"
    btn_offer_hold = "btn_offer_hold"
    btn_offer_timeout = "btn_offer_timeout"
    export_heading_holds = "export_heading_holds"
    export_heading_bids = "export_heading_bids"
    insights_bids = "insights_bids"
    ground_pick = "ground_pick"
    chart_bids = "chart_bids"
    chart_toward = "chart_toward"
    chart_away = "chart_away"
    chart_against = "chart_against"


# Keys that hold a CLDR date pattern (Babel's format_date), not a message.
DATE_PATTERNS = (T.date_short, T.date_long, T.date_time, T.weekday)
PLURAL = "plural"
_SAMPLE = datetime(2026, 3, 5, 21, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Plural:
    """A text with one form per CLDR plural category, chosen by the number in `by`."""

    by: str
    forms: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Texts:
    """The loaded ui.yml of one locale: key -> one text or several variants, plural forms."""

    entries: Mapping[str, tuple[str, ...]]
    locale: str = "en"
    plurals: Mapping[str, Plural] = field(default_factory=dict)
    _rule: PluralRule | None = None

    @classmethod
    def load(cls, content_dir: Path, locale: str = "en") -> Texts:
        """Load and check a locale's ui.yml; every key the code uses must be there.

        `locale` is the CLDR locale id (the locale folder's name) for plurals and dates."""
        path = content_dir / "ui.yml"
        raw = load_yaml(path)
        problems: list[ContentProblem] = []
        if not isinstance(raw, dict):
            raise ContentError([ContentProblem(path, "must be a mapping of key: text")])
        try:
            rule = Locale.parse(locale).plural_form
        except (UnknownLocaleError, ValueError):
            raise ContentError(
                [ContentProblem(path, f"'{locale}' is not a CLDR locale Babel knows")]
            ) from None
        entries: dict[str, tuple[str, ...]] = {}
        plurals: dict[str, Plural] = {}
        for key, value in raw.items():
            if isinstance(value, dict):
                plural = _plural(path, str(key), value, rule, problems)
                if plural is None:
                    continue
                plurals[str(key)] = plural
                variants = list(plural.forms.values())
            else:
                variants = value if isinstance(value, list) else [value]
            if not variants or not all(isinstance(v, str) and v.strip() for v in variants):
                problems.append(
                    ContentProblem(path, "must be a text or a list of texts", where=str(key))
                )
                continue
            for variant in variants:
                problems.extend(
                    ContentProblem(path, p, where=str(key)) for p in html_problems(variant)
                )
                if visible_length(variant) > 3500:
                    problems.append(ContentProblem(path, "text is too long", where=str(key)))
                problems.extend(_placeholder_problems(path, str(key), variant))
            if str(key) in plurals:
                variants = [plurals[str(key)].forms["other"]]
            entries[str(key)] = tuple(variants)
        for key in DATE_PATTERNS:
            pattern = entries.get(key.value, ("",))[0]
            try:
                # Only date_time has a time of day; the others are given a date.
                sample = format_datetime(_SAMPLE, pattern, locale=locale)
                if key != T.date_time:
                    sample = format_date(_SAMPLE.date(), pattern, locale=locale)
                if not sample.strip():
                    raise ValueError("it writes nothing")
            except (ValueError, KeyError, AttributeError, TypeError) as exc:
                problems.append(
                    ContentProblem(
                        path,
                        f"not a CLDR date pattern ({exc.__class__.__name__}: {exc})",
                        where=key.value,
                        hint="e.g. 'd MMM' or \"EEEE d 'de' MMMM\"; quote literal words with '",
                    )
                )
        for key in T:
            if key.value not in entries and key.value not in plurals:
                problems.append(
                    ContentProblem(
                        path,
                        f"missing key '{key.value}' (the bot uses it)",
                        line=line_of(raw),
                        hint="add it to ui.yml",
                    )
                )
        if problems:
            raise ContentError(problems)
        return cls(entries, locale, plurals, rule)

    def get(self, key: T | str, rng: random.Random | None = None, **values: object) -> str:
        """Return the text for a key, filling {placeholders} with HTML-escaped values."""
        name = str(key)
        plural = self.plurals.get(name)
        if plural is not None:
            text = self._form(plural, values)
        else:
            variants = self.entries[name]
            text = rng.choice(variants) if rng is not None and len(variants) > 1 else variants[0]
        if not values:
            return text
        escaped = {k: html.escape(str(v), quote=False) for k, v in values.items()}
        return text.format_map(escaped)

    def raw(self, key: T | str, **values: str) -> str:
        """Return a text with placeholders filled by values that are already HTML."""
        return self.entries[str(key)][0].format_map(values)

    def _form(self, plural: Plural, values: Mapping[str, object]) -> str:
        number = values.get(plural.by, 0)
        category = "other"
        if self._rule is not None and isinstance(number, int | float):
            category = self._rule(number)
        return plural.forms.get(category, plural.forms["other"])


def placeholders(text: str) -> set[str]:
    """The names of a text's {placeholders} (none when the braces are malformed)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return set()


def _placeholder_problems(path: Path, key: str, text: str) -> list[ContentProblem]:
    problems = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return [ContentProblem(path, str(exc), where=key, hint="use {{ and }} for literal braces")]
    for _, name, _, _ in parsed:
        if name is not None and not name.isidentifier():
            problems.append(
                ContentProblem(
                    path,
                    f"placeholder {{{name}}} is not a plain name",
                    where=key,
                    hint="write {name}; use {{ and }} for literal braces",
                )
            )
    return problems


def _plural(
    path: Path, key: str, value: dict[str, Any], rule: PluralRule, problems: list[ContentProblem]
) -> Plural | None:
    """Read `{plural: count, one: …, other: …}`; the forms must be the locale's categories."""
    line = getattr(value, "line", None)
    by = value.get(PLURAL)
    forms = {k: v for k, v in value.items() if k != PLURAL}
    allowed = set(rule.tags) | {"other"}
    if not isinstance(by, str) or not by.isidentifier():
        problems.append(
            ContentProblem(
                path,
                "plural forms need 'plural: <placeholder>' naming the number that chooses",
                line=line,
                where=key,
            )
        )
        return None
    if "other" not in forms:
        problems.append(
            ContentProblem(path, "plural forms need an 'other' form", line=line, where=key)
        )
        return None
    for category in forms:
        if category not in allowed:
            problems.append(
                ContentProblem(
                    path,
                    f"'{category}' is not a plural category here",
                    line=line,
                    where=key,
                    hint=f"this language uses {', '.join(sorted(allowed))} (CLDR)",
                )
            )
    if not all(isinstance(v, str) and v.strip() for v in forms.values()):
        problems.append(ContentProblem(path, "every plural form must be a text", where=key))
        return None
    if not any(by in placeholders(form) for form in forms.values()):
        problems.append(ContentProblem(path, f"no form uses {{{by}}}", line=line, where=key))
    return Plural(by, {str(k): str(v) for k, v in forms.items()})
