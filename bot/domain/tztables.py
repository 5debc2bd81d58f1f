"""Read the tz database's own tables from the `tzdata` package: zones, countries, coordinates.

`zone1970.tab` and `zone.tab` give each zone its countries and a representative city's
coordinates, `iso3166.tab` the country names, and `tzdata.zi` the links from old zone names to
current ones. Read once at start-up; pure data, no clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class TzTables:
    """The parts of the tz database this module reads."""

    zone1970: tuple[tuple[tuple[str, ...], str, str], ...]  # countries, coordinates, zone
    zonetab: tuple[tuple[str, str, str], ...]  # country, coordinates, zone
    countries: Mapping[str, str]  # code -> name
    links: Mapping[str, str]  # link name -> target
    names: frozenset[str]  # every zone name


def _tz_text(name: str) -> str:
    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


def _tab_rows(name: str) -> Iterator[list[str]]:
    for line in _tz_text(name).splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


def read_tz_tables() -> TzTables:
    links: dict[str, str] = {}
    for line in _tz_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, link = line.split()
            links[link] = target
    return TzTables(
        zone1970=tuple((tuple(r[0].split(",")), r[1], r[2]) for r in _tab_rows("zone1970.tab")),
        zonetab=tuple((r[0], r[1], r[2]) for r in _tab_rows("zone.tab")),
        countries={r[0]: r[1] for r in _tab_rows("iso3166.tab")},
        links=links,
        names=frozenset(
            resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
        ),
    )


def _coordinate(text: str, degree_digits: int) -> float:
    # ISO 6709 as the tz tables write it: ±DDMM[SS] / ±DDDMM[SS].
    sign = -1.0 if text[0] == "-" else 1.0
    digits = text[1:]
    degrees = int(digits[:degree_digits])
    minutes = int(digits[degree_digits : degree_digits + 2])
    seconds = int(digits[degree_digits + 2 :] or 0)
    return sign * (degrees + minutes / 60 + seconds / 3600)


def lat_lon(text: str) -> tuple[float, float]:
    split = max(text.rfind("+"), text.rfind("-"))
    return _coordinate(text[:split], 2), _coordinate(text[split:], 3)
