"""Scheduling maths for daily prompts: pure functions, no clock, no database.

May import: ``bot.content`` and ``bot.ops`` only.
"""

from bot.scheduling.plan import (
    ALL_DAYS,
    WEEKDAYS,
    WEEKENDS,
    catch_up,
    days_label_key,
    days_mask,
    fixed_offset_spec,
    is_valid_zone,
    local_date,
    next_after_pause,
    next_occurrence,
    reschedule,
    weekdays_of,
    zone_of,
)

__all__ = [
    "ALL_DAYS",
    "WEEKDAYS",
    "WEEKENDS",
    "catch_up",
    "days_label_key",
    "days_mask",
    "fixed_offset_spec",
    "is_valid_zone",
    "local_date",
    "next_after_pause",
    "next_occurrence",
    "reschedule",
    "weekdays_of",
    "zone_of",
]
