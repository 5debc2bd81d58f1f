"""Fixed interface texts from content/ui.yml, looked up by key and filled in safely."""

from __future__ import annotations

import html
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

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
    weekdays_short = "weekdays_short"
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
    weekdays_long = "weekdays_long"
    months_long = "months_long"
    months_short = "months_short"
    date_short = "date_short"
    date_long = "date_long"
    date_time = "date_time"


# Keys that hold a list of names split on spaces, and how many names each must have.
_NAME_LISTS = {
    T.weekdays_short: 7,
    T.weekdays_long: 7,
    T.months_short: 12,
    T.months_long: 12,
}


@dataclass(frozen=True, slots=True)
class Texts:
    """The loaded ui.yml: key -> one text or several variants."""

    entries: Mapping[str, tuple[str, ...]]

    @classmethod
    def load(cls, content_dir: Path) -> Texts:
        """Load and check content/ui.yml; every key the code uses must be there."""
        path = content_dir / "ui.yml"
        raw = load_yaml(path)
        problems: list[ContentProblem] = []
        if not isinstance(raw, dict):
            raise ContentError([ContentProblem(path, "must be a mapping of key: text")])
        entries: dict[str, tuple[str, ...]] = {}
        for key, value in raw.items():
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
                for _, name, _, _ in string.Formatter().parse(variant):
                    if name is not None and not name.isidentifier():
                        problems.append(
                            ContentProblem(
                                path,
                                f"placeholder {{{name}}} is not a plain name",
                                where=str(key),
                                hint="write {name}; use {{ and }} for literal braces",
                            )
                        )
            entries[str(key)] = tuple(variants)
        for key, count in _NAME_LISTS.items():
            names = entries.get(key.value, ("",))[0].split()
            if key.value in entries and len(names) != count:
                problems.append(
                    ContentProblem(
                        path,
                        f"needs exactly {count} names separated by spaces (found {len(names)})",
                        where=key.value,
                    )
                )
        for key in T:
            if key.value not in entries:
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
        return cls(entries)

    def get(self, key: T | str, rng: random.Random | None = None, **values: object) -> str:
        """Return the text for a key, filling {placeholders} with HTML-escaped values."""
        variants = self.entries[str(key)]
        text = rng.choice(variants) if rng is not None and len(variants) > 1 else variants[0]
        if not values:
            return text
        escaped = {k: html.escape(str(v), quote=False) for k, v in values.items()}
        return text.format_map(escaped)

    def raw(self, key: T | str, **values: str) -> str:
        """Return a text with placeholders filled by values that are already HTML."""
        return self.entries[str(key)][0].format_map(values)
