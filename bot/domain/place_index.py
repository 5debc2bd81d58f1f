"""The tables behind place lookup: the tz database's own files plus content/places/aliases.yml.

The `tzdata` package ships `zone1970.tab`, `zone.tab`, `iso3166.tab` and `tzdata.zi`; together
they give every zone's city name, its countries and coordinates, country names and the links
from old names to current ones ("Asia/Calcutta" -> "Asia/Kolkata"). `build_index` reads them
and the alias file (cities that are not zone names, nicknames, other names for countries) into
one normalised `PlaceIndex`; `bot.domain.places` matches what users type against it.

A little over ~400 lines: building the index is one pass over the tables and the alias file
whose checks (unknown zones, a city too far from its zone, clashing names) share its state.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.content.errors import ContentError, ContentProblem
from bot.content.validation import validation_problems
from bot.content.yamlio import line_of, load_yaml
from bot.domain.tztables import TzTables, lat_lon
from bot.scheduling.plan import fixed_offset_spec

PARENTHESES = re.compile(r"\s*\(.*?\)")  # "Congo (Rep.)" -> "Congo"
ALIASES_FILE = Path("places") / "aliases.yml"
UTC_ZONE = "UTC"
# Zone areas whose last part names a place; "US/Eastern" or "Etc/GMT+5" do not.
_PLACE_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
     "Indian", "Pacific"}
)  # fmt: skip
# Names that the tz database treats as plain UTC.
_UTC_NAMES = frozenset(
    {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu",
     "GMT", "Etc/GMT", "GMT0", "GMT+0", "GMT-0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
     "Greenwich", "Etc/Greenwich"}
)  # fmt: skip
_ETC_GMT = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")
# Letters that Unicode decomposition leaves alone but people type without the mark.
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NOT_WORD = re.compile(r"[^\w&]+|_")
_EARTH_RADIUS_KM = 6371.0
# An alias city farther than this from its zone's own city is most likely a sign error.
_ALIAS_MAX_KM = 3000.0


@dataclass(frozen=True, slots=True)
class Target:
    """What a normalised name points at."""

    zone: str
    name: str
    country: str | None


@dataclass(frozen=True, slots=True)
class Point:
    """A city with known coordinates (radians): a zone.tab row or an alias with `at`."""

    lat: float
    lon: float
    cos_lat: float
    zone: str
    country: str

    @classmethod
    def at(cls, latitude: float, longitude: float, zone: str, country: str) -> Point:
        lat = math.radians(latitude)
        return cls(lat, math.radians(longitude), math.cos(lat), zone, country)

    def distance_km(self, other: Point) -> float:
        """Great-circle distance (haversine)."""
        a = (
            math.sin((other.lat - self.lat) / 2) ** 2
            + self.cos_lat * other.cos_lat * math.sin((other.lon - self.lon) / 2) ** 2
        )
        return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class _CityAlias(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zone: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    at: (
        tuple[Annotated[float, Field(ge=-90, le=90)], Annotated[float, Field(ge=-180, le=180)]]
        | None
    ) = None
    also: tuple[str, ...] = ()


class _AliasFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cities: dict[str, _CityAlias]
    countries: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    zone_names_not_cities: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Casefold, drop accents and punctuation, collapse spaces (no synonyms)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _APOSTROPHES.sub("", plain.casefold().translate(_PLAIN_LETTERS))
    return " ".join(_NOT_WORD.sub(" ", plain.replace("&", " & ")).split())


def display(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def label(name: str, zone: str) -> str:
    return zone if name == zone else f"{name} ({zone})"


def iana_key(text: str) -> str:
    """The key a zone name is looked up by (casefolded, spaces as underscores)."""
    parts = [p.strip() for p in text.strip().split("/")]
    return "/".join("_".join(p.split()) for p in parts).casefold()


def _store_name(name: str, preferred: frozenset[str], links: Mapping[str, str]) -> str | None:
    """Return the zone spec to store for a typed IANA name, or None if it is not for users."""
    if name in preferred:
        return name
    if name in _UTC_NAMES:
        return UTC_ZONE
    etc = _ETC_GMT.match(name)
    if etc:
        # POSIX signs: Etc/GMT-3 is three hours *ahead* of UTC.
        sign = "-" if etc[1] == "+" else "+"
        return fixed_offset_spec(timedelta(hours=int(sign + etc[2])))
    if "/" not in name:
        return None  # "EST", "CET", "Japan": abbreviations and legacy names mislead
    target = name
    for _ in range(4):
        target = links.get(target, target)
        if target in preferred:
            return target
    return None


def build_index(path: Path, tz: TzTables) -> PlaceIndex:
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise ContentError([ContentProblem(path, "aliases.yml must be a mapping")])
    try:
        aliases = _AliasFile.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(validation_problems(path, raw, exc)) from exc
    problems: list[ContentProblem] = []

    preferred = frozenset(z for *_, z in tz.zonetab)
    zone_countries: dict[str, tuple[str, ...]] = {z: codes for codes, _, z in tz.zone1970}
    for code, _, zone in tz.zonetab:
        zone_countries.setdefault(zone, (code,))
    country_zones: dict[str, tuple[str, ...]] = {}
    for code, _, zone in tz.zonetab:
        country_zones[code] = (*country_zones.get(code, ()), zone)

    iana = {}
    for name in tz.names:
        stored = _store_name(name, preferred, tz.links)
        if stored is not None:
            iana[name.casefold()] = stored
    # Link names resolve to the current zone, whose countries they share.
    for name in tz.names:
        stored = iana.get(name.casefold())
        if stored and stored in zone_countries and name not in zone_countries:
            zone_countries[name] = zone_countries[stored]

    synonyms = {}
    for word, replacement in aliases.synonyms.items():
        key, value = fold(word), fold(replacement)
        if " " in key or not key:
            problems.append(
                ContentProblem(
                    path,
                    f"synonym {word!r} must be one word",
                    line=line_of(raw.get("synonyms")),
                    where="synonyms",
                )
            )
        synonyms[key] = value

    def norm(text: str) -> str:
        words = (synonyms.get(w, w) for w in fold(text).split())
        return " ".join(w for w in words if w)

    # Cities: aliases first (curated), then current zone names, then old link names.
    cities: dict[str, Target] = {}
    claimed: set[str] = set()
    problems += _alias_cities(path, raw, aliases, tz, preferred, zone_countries, norm, cities)
    claimed.update(cities)
    not_cities = set(aliases.zone_names_not_cities)
    for name in aliases.zone_names_not_cities:
        if name not in tz.names:
            problems.append(
                ContentProblem(
                    path,
                    f"{name!r} is not a zone name in the tz database",
                    line=line_of(raw),
                    where="zone_names_not_cities",
                    hint="copy the name exactly, e.g. Australia/West",
                )
            )

    def zone_tier(names: Iterable[tuple[str, str]]) -> None:
        tier: dict[str, set[Target]] = {}
        for name, zone in names:
            parts = name.split("/")
            country = zone_countries.get(zone, (None,))[0]
            target = Target(zone, display(name), country)
            for key in {norm(parts[-1]), norm(" ".join(parts[1:])), norm(name)}:
                if key and key not in claimed:
                    tier.setdefault(key, set()).add(target)
        for key, targets in tier.items():
            zones = {t.zone for t in targets}
            if len(zones) == 1:
                # Prefer the target named like the key (the zone's own name over a link's).
                cities[key] = min(targets, key=lambda t: (norm(t.name) != key, t.name))
        claimed.update(tier)  # ambiguous keys stay claimed, so a lower tier cannot guess

    zone_tier((z, z) for z in sorted(preferred))
    zone_tier(
        (name, iana[name.casefold()])
        for name in sorted(tz.names - preferred)
        if name.split("/")[0] in _PLACE_AREAS
        and name not in not_cities
        and iana.get(name.casefold()) in preferred
    )

    countries, country_problems = _countries(path, raw, aliases, tz, norm)
    problems += country_problems
    if problems:
        raise ContentError(problems)

    country_zone = {}
    owned: dict[str, list[str]] = {}
    for codes, _, zone in tz.zone1970:
        owned.setdefault(codes[0], []).append(zone)
    for code, zones in country_zones.items():
        if len(zones) == 1:
            country_zone[code] = zones[0]
        elif len(owned.get(code, ())) == 1:
            # Germany lists Berlin and Büsingen; only Berlin is Germany's own zone.
            country_zone[code] = owned[code][0]

    points = [Point.at(*lat_lon(xy), zone, code) for code, xy, zone in tz.zonetab]
    points += [Point.at(*c.at, c.zone, c.country) for c in aliases.cities.values() if c.at]

    return PlaceIndex(
        iana=iana,
        cities=cities,
        countries=countries,
        country_names=dict(tz.countries),
        country_zone=country_zone,
        zone_countries=zone_countries,
        country_zones=country_zones,
        points=tuple(points),
        synonyms=synonyms,
        fuzzy_keys=tuple(sorted({*cities, *countries})),
    )


def _alias_cities(
    path: Path,
    raw: Mapping[str, Any],
    aliases: _AliasFile,
    tz: TzTables,
    preferred: frozenset[str],
    zone_countries: Mapping[str, tuple[str, ...]],
    norm: Callable[[str], str],
    cities: dict[str, Target],
) -> list[ContentProblem]:
    """Check each city alias against the tz tables and add its names to `cities`."""
    problems: list[ContentProblem] = []
    raw_cities = raw.get("cities") or {}
    owner: dict[str, str] = {}
    for name, city in aliases.cities.items():
        line = line_of(raw_cities.get(name)) or line_of(raw_cities)
        where = f"cities.{name}"
        if city.zone not in preferred:
            current = tz.links.get(city.zone)
            hint = (
                f"the current name is {current}"
                if current in preferred
                else "use a name from zone.tab, e.g. Europe/Berlin"
            )
            problems.append(
                ContentProblem(
                    path, f"zone {city.zone!r} is not a current tz zone", line, where, hint
                )
            )
            continue
        if city.country not in tz.countries:
            problems.append(
                ContentProblem(
                    path,
                    f"country {city.country!r} is not an ISO 3166 code",
                    line,
                    where,
                    "use the two-letter code, e.g. DE",
                )
            )
            continue
        if city.country not in zone_countries.get(city.zone, ()):
            listed = ", ".join(zone_countries.get(city.zone, ()))
            problems.append(
                ContentProblem(
                    path,
                    f"{city.zone} is not a zone of {city.country} (tz tables say {listed})",
                    line,
                    where,
                    "check the zone and the country code",
                )
            )
            continue
        if city.at is not None:
            home = next(lat_lon(xy) for _, xy, zone in tz.zonetab if zone == city.zone)
            distance = Point.at(*city.at, "", "").distance_km(Point.at(*home, "", ""))
            if distance > _ALIAS_MAX_KM:
                problems.append(
                    ContentProblem(
                        path,
                        f"`at` is {distance:.0f} km from {city.zone}'s own city",
                        line,
                        where,
                        "check the signs: south and west are negative",
                    )
                )
        for spelling in (name, *city.also):
            key = norm(spelling)
            if not key:
                problems.append(ContentProblem(path, f"{spelling!r} has no letters", line, where))
            elif key in owner and cities[key].zone != city.zone:
                problems.append(
                    ContentProblem(
                        path,
                        f"{spelling!r} is also a name of {owner[key]!r} in another zone",
                        line,
                        where,
                        "a name may point at one zone only",
                    )
                )
            elif key not in owner:
                owner[key] = name
                cities[key] = Target(city.zone, name, city.country)
    return problems


def _countries(
    path: Path,
    raw: Mapping[str, Any],
    aliases: _AliasFile,
    tz: TzTables,
    norm: Callable[[str], str],
) -> tuple[dict[str, str], list[ContentProblem]]:
    """Index country names from iso3166.tab, then the aliases (which win)."""
    found: dict[str, set[str]] = {}
    for code, name in tz.countries.items():
        base = PARENTHESES.sub("", name)
        extra = re.findall(r"\((.*?)\)", name)
        variants = {name, base, *(f"{e} {base}" for e in extra)}
        for variant in variants:
            key = norm(variant)
            if key:
                found.setdefault(key, set()).add(code)
    # "Korea" or "Congo" alone name two countries; such keys are left to the aliases.
    countries = {key: codes.pop() for key, codes in found.items() if len(codes) == 1}
    problems = []
    for alias, code in aliases.countries.items():
        if code not in tz.countries:
            problems.append(
                ContentProblem(
                    path,
                    f"country {code!r} for {alias!r} is not an ISO 3166 code",
                    line=line_of(raw.get("countries")),
                    where=f"countries.{alias}",
                    hint="use the two-letter code, e.g. GB",
                )
            )
            continue
        key = norm(alias)
        if key in countries and countries[key] != code:
            problems.append(
                ContentProblem(
                    path,
                    f"{alias!r} is already the tz name of {countries[key]}",
                    line=line_of(raw.get("countries")),
                    where=f"countries.{alias}",
                    hint="remove the alias or correct its code",
                )
            )
            continue
        countries[key] = code
    return countries, problems


@dataclass(frozen=True, slots=True)
class PlaceIndex:
    """The lookup tables behind Places: names, zones, countries and points, normalised."""

    iana: Mapping[str, str]  # casefolded zone name -> zone spec to store
    cities: Mapping[str, Target]  # normalised city name -> target
    countries: Mapping[str, str]  # normalised country name or alias -> ISO code
    country_names: Mapping[str, str]  # ISO code -> tz table name
    country_zone: Mapping[str, str]  # ISO code -> its zone, for countries with only one
    zone_countries: Mapping[str, tuple[str, ...]]  # zone -> ISO codes, main country first
    country_zones: Mapping[str, tuple[str, ...]]  # ISO code -> its zone.tab zones
    points: tuple[Point, ...]
    synonyms: Mapping[str, str]
    fuzzy_keys: tuple[str, ...]
