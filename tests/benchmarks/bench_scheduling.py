"""Benchmark scheduling maths and the place/time parsers; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_scheduling.py
The baseline is the naive one-liner a dispatcher might write instead of next_occurrence:
`datetime.combine(day, at, tzinfo=zone).astimezone(UTC)` (no days, no DST rules, no search).
"""

from __future__ import annotations

import json
import sys
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.domain.places import Places  # noqa: E402
from bot.domain.timeparse import default_words, parse_days, parse_duration, parse_time  # noqa: E402
from bot.scheduling import ALL_DAYS, WEEKDAYS, next_occurrence, zone_of  # noqa: E402

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "+05:30"]
START = datetime(2026, 1, 1, tzinfo=UTC)
AFTERS = [START + timedelta(minutes=37 * i) for i in range(2000)]


def per_call_us(func: Callable[[], object], calls: int, repeats: int = 5) -> float:
    """Best of several runs, in microseconds per call."""
    best = float("inf")
    for _ in range(repeats):
        began = clock.perf_counter()
        func()
        best = min(best, clock.perf_counter() - began)
    return best / calls * 1e6


def bench_next_occurrence(days: int) -> float:
    at = time(8, 30)

    def run() -> None:
        for zone in ZONES:
            for after in AFTERS:
                next_occurrence(zone=zone, at=at, days=days, after=after)

    return per_call_us(run, len(ZONES) * len(AFTERS))


def bench_baseline() -> float:
    at = time(8, 30)
    zones = [zone_of(z) for z in ZONES]

    def run() -> None:
        for tz in zones:
            for after in AFTERS:
                datetime.combine(after.astimezone(tz).date(), at, tzinfo=tz).astimezone(UTC)

    return per_call_us(run, len(ZONES) * len(AFTERS))


def bench_texts(parse: Callable[[str], object], texts: list[str], rounds: int = 200) -> float:
    def run() -> None:
        for _ in range(rounds):
            for text in texts:
                parse(text)

    return per_call_us(run, rounds * len(texts))


def main() -> None:
    began = clock.perf_counter()
    places = Places.load(ROOT / "content")
    load_ms = (clock.perf_counter() - began) * 1000
    default_words()

    every_day = bench_next_occurrence(ALL_DAYS)
    weekdays = bench_next_occurrence(WEEKDAYS)
    one_day = bench_next_occurrence(0b0000001)
    baseline = bench_baseline()

    exact = ["Berlin", "new york", "munich", "NYC", "Europe/Berlin", "São Paulo", "Germany"]
    offsets = ["+5:30", "UTC+2", "GMT-3", "utc +1"]
    fuzzy = ["Frankfrut", "Los Angles", "Amsterdm"]
    misses = ["banana split", "Atlantis city", "nowhere at all"]
    figures = {
        "next_occurrence_us_per_call_every_day": round(every_day, 2),
        "next_occurrence_us_per_call_weekdays": round(weekdays, 2),
        "next_occurrence_us_per_call_one_day_a_week": round(one_day, 2),
        "next_occurrence_calls_per_second": round(1e6 / every_day),
        "baseline_combine_astimezone_us_per_call": round(baseline, 2),
        "ratio_next_occurrence_to_baseline": round(every_day / baseline, 2),
        "places_load_ms": round(load_ms, 1),
        "parse_zone_us_exact": round(bench_texts(places.parse_zone, exact), 2),
        "parse_zone_us_offset": round(bench_texts(places.parse_zone, offsets), 2),
        "parse_zone_us_fuzzy": round(bench_texts(places.parse_zone, fuzzy, rounds=20), 1),
        "parse_zone_us_miss": round(bench_texts(places.parse_zone, misses, rounds=20), 1),
        "parse_country_us": round(bench_texts(places.parse_country, ["Germany", "uk"]), 2),
        "zone_from_location_us": round(
            bench_texts(lambda _: places.zone_from_location(52.5, 13.4), ["x"], rounds=2000), 1
        ),
        "parse_time_us": round(bench_texts(parse_time, ["8:30", "8pm", "20h15", "noon"]), 2),
        "parse_days_us": round(bench_texts(parse_days, ["mon wed fri", "weekdays"]), 2),
        "parse_duration_us": round(bench_texts(parse_duration, ["3 days", "1w2d"]), 2),
        "python": sys.version.split()[0],
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
