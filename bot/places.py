"""Turn what a user types into a time zone or a country, using the tz database's own tables.

The `tzdata` package ships `zone1970.tab`, `zone.tab`, `iso3166.tab` and `tzdata.zi`; together
they give every zone's city name, its countries and coordinates, country names and the links
from old names to current ones ("Asia/Calcutta" -> "Asia/Kolkata"). `content/places/aliases.yml`
adds cities that are not zone names (Munich, San Francisco, Mumbai…), nicknames (NYC, SF) and
other names for countries (UK, USA). Matching ignores case, accents, punctuation and extra
spaces, and forgives a small typo in longer names. Nothing here talks to the user: a match
carries data (zone, a label composed from names, country code) and callers pick the words.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.content.errors import ContentError, ContentProblem
from bot.content.validation import validation_problems
from bot.content.yamlio import line_of, load_yaml
from bot.scheduling.plan import fixed_offset_spec

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
# "UTC+5:30", "gmt-3", "+0545", "utc +1", "+5.5": compact text (no spaces), casefolded.
_OFFSET_TEXT = re.compile(
    r"^(?P<prefix>utc|gmt)?"
    r"(?:(?P<sign>[+-])?(?P<hours>\d{1,2})(?:(?::|h)?(?P<minutes>\d{2})|\.(?P<fraction>\d{1,2}))?)?$"
)
_FRACTIONS = {"5": 30, "50": 30, "25": 15, "75": 45}
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-", "＋": "+"})
# Letters that Unicode decomposition leaves alone but people type without the mark.
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NOT_WORD = re.compile(r"[^\w&]+|_")
_PARENTHESES = re.compile(r"\s*\(.*?\)")
_SEGMENTS = re.compile(r"[,;()\[\]]")
_MAX_INPUT = 120
_FUZZY_MIN_LETTERS = 6
_FUZZY_CUTOFF = 0.8
_EARTH_RADIUS_KM = 6371.0
# An alias city farther than this from its zone's own city is most likely a sign error.
_ALIAS_MAX_KM = 3000.0


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """A zone found for the user's words: zone spec, display label, country (if known)."""

    zone: str
    label: str
    country: str | None


@dataclass(frozen=True, slots=True)
class _Target:
    """What a normalised name points at."""

    zone: str
    name: str
    country: str | None


@dataclass(frozen=True, slots=True)
class _Point:
    """A city with known coordinates (radians): a zone.tab row or an alias with `at`."""

    lat: float
    lon: float
    cos_lat: float
    zone: str
    country: str

    @classmethod
    def at(cls, latitude: float, longitude: float, zone: str, country: str) -> _Point:
        lat = math.radians(latitude)
        return cls(lat, math.radians(longitude), math.cos(lat), zone, country)

    def distance_km(self, other: _Point) -> float:
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


@dataclass(frozen=True, slots=True)
class _TzTables:
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


def _read_tz_tables() -> _TzTables:
    links: dict[str, str] = {}
    for line in _tz_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, link = line.split()
            links[link] = target
    return _TzTables(
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


def _lat_lon(text: str) -> tuple[float, float]:
    split = max(text.rfind("+"), text.rfind("-"))
    return _coordinate(text[:split], 2), _coordinate(text[split:], 3)


def _fold(text: str) -> str:
    """Casefold, drop accents and punctuation, collapse spaces (no synonyms)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _APOSTROPHES.sub("", plain.casefold().translate(_PLAIN_LETTERS))
    return " ".join(_NOT_WORD.sub(" ", plain.replace("&", " & ")).split())


def _display(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _label(name: str, zone: str) -> str:
    return zone if name == zone else f"{name} ({zone})"


def _offset_match(text: str) -> ZoneMatch | None:
    compact = "".join(text.translate(_DASHES).casefold().split())
    match = _OFFSET_TEXT.match(compact)
    if not match or not compact:
        return None
    prefix, sign, hours = match["prefix"], match["sign"], match["hours"]
    if hours is None:
        # "UTC" or "GMT" alone (a sign with no number is not an offset).
        return ZoneMatch(UTC_ZONE, UTC_ZONE, None) if prefix and not sign else None
    if not prefix and not sign:
        return None  # a bare number is a time or a typo, not a zone
    if match["fraction"] is not None:
        if match["fraction"] not in _FRACTIONS:
            return None
        minutes = _FRACTIONS[match["fraction"]]
    else:
        minutes = int(match["minutes"] or 0)
    if minutes % 15:
        return None  # real offsets are whole, half or three-quarter hours
    offset = timedelta(hours=int(hours), minutes=minutes)
    if sign == "-":
        offset = -offset
    if not offset:
        return ZoneMatch(UTC_ZONE, UTC_ZONE, None)
    try:
        spec = fixed_offset_spec(offset)
    except ValueError:
        return None
    return ZoneMatch(spec, f"UTC{spec}", None)


@dataclass(frozen=True, slots=True)
class Places:
    """Zone and country lookup built from the tz tables plus content/places/aliases.yml."""

    iana: Mapping[str, str]  # casefolded zone name -> zone spec to store
    cities: Mapping[str, _Target]  # normalised city name -> target
    countries: Mapping[str, str]  # normalised country name or alias -> ISO code
    country_names: Mapping[str, str]  # ISO code -> tz table name
    country_zone: Mapping[str, str]  # ISO code -> its zone, for countries with only one
    zone_countries: Mapping[str, tuple[str, ...]]  # zone -> ISO codes, main country first
    country_zones: Mapping[str, tuple[str, ...]]  # ISO code -> its zone.tab zones
    points: tuple[_Point, ...]
    synonyms: Mapping[str, str]
    fuzzy_keys: tuple[str, ...]

    @classmethod
    def load(cls, content_dir: Path) -> Places:
        """Load the tz tables and aliases.yml; raise ContentError listing every problem."""
        return _build(content_dir / ALIASES_FILE, _read_tz_tables())

    # -- zones -------------------------------------------------------------------------

    def normalise(self, text: str) -> str:
        """Reduce a place name to its lookup key (case, accents, punctuation, synonyms)."""
        words = (self.synonyms.get(w, w) for w in _fold(text).split())
        return " ".join(w for w in words if w)

    def parse_zone(self, text: str) -> ZoneMatch | None:
        """Find the zone a user means: city, IANA name, country with one zone, or UTC offset."""
        raw = text.strip()
        if not raw or len(raw) > _MAX_INPUT:
            return None
        offset = _offset_match(raw)
        if offset is not None:
            return offset
        exact = self.iana.get(_iana_key(raw))
        if exact is not None:
            return self._zone_match(exact, _display(exact) if "/" in exact else exact)
        for key in self._keys(raw):
            found = self._zone_for_key(key)
            if found is not None:
                return found
        close = self._close_key(self.normalise(raw))
        return self._zone_for_key(close) if close else None

    def _zone_for_key(self, key: str) -> ZoneMatch | None:
        target = self.cities.get(key)
        if target is not None:
            return ZoneMatch(target.zone, _label(target.name, target.zone), target.country)
        code = self.countries.get(key)
        if code is not None and code in self.country_zone:
            zone = self.country_zone[code]
            name = _PARENTHESES.sub("", self.country_names[code])
            return ZoneMatch(zone, _label(name, zone), code)
        return None

    def _zone_match(self, zone: str, name: str) -> ZoneMatch:
        offset = _offset_match(zone) if zone[0] in "+-" else None
        if offset is not None:
            return offset
        return ZoneMatch(zone, _label(name, zone), self.country_of_zone(zone))

    def _keys(self, raw: str) -> Iterator[str]:
        """Yield lookup keys: the whole text, then each comma or bracket separated part."""
        seen: set[str] = set()
        for part in (raw, *_SEGMENTS.split(raw)):
            key = self.normalise(part)
            if key and key not in seen:
                seen.add(key)
                yield key

    def _close_key(self, key: str) -> str | None:
        """Return the one known name within a small typo of `key`, if there is exactly one."""
        if len(key.replace(" ", "")) < _FUZZY_MIN_LETTERS:
            return None
        close = difflib.get_close_matches(key, self.fuzzy_keys, n=3, cutoff=_FUZZY_CUTOFF)
        if not close:
            return None
        best = close[0]
        ratio = difflib.SequenceMatcher(None, key, best).ratio()
        for other in close[1:]:
            same_ratio = difflib.SequenceMatcher(None, key, other).ratio() == ratio
            if same_ratio and self._zone_for_key(other) != self._zone_for_key(best):
                return None  # two equally close names: better to ask again than to guess
        return best

    def zone_from_location(self, latitude: float, longitude: float) -> ZoneMatch:
        """Return the zone of the nearest known city (zone.tab plus located aliases)."""
        if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
            raise ValueError(f"not a location on Earth: {latitude}, {longitude}")
        here = _Point.at(latitude, longitude, "", "")
        near = min(self.points, key=here.distance_km)
        return ZoneMatch(near.zone, _label(_display(near.zone), near.zone), near.country)

    def zones_of_country(self, code: str) -> tuple[ZoneMatch, ...]:
        """List a country's zones (zone.tab order), e.g. to offer a choice for "USA"."""
        code = code.upper()
        return tuple(
            ZoneMatch(zone, _label(_display(zone), zone), code)
            for zone in self.country_zones.get(code, ())
        )

    # -- countries ---------------------------------------------------------------------

    def parse_country(self, text: str) -> str | None:
        """Find the country a user means ("Germany", "de", "UK", "usa"); ISO alpha-2, upper."""
        raw = text.strip()
        if not raw or len(raw) > _MAX_INPUT:
            return None
        for key in self._keys(raw):
            code = self.countries.get(key)
            if code is None and len(key) == 2 and key.upper() in self.country_names:
                code = key.upper()
            if code is None and key in self.cities:
                code = self.cities[key].country
            if code is not None:
                return code
        close = self._close_key(self.normalise(raw))
        if close is None:
            return None
        if close in self.countries:
            return self.countries[close]
        return self.cities[close].country if close in self.cities else None

    def country_of_zone(self, zone: str) -> str | None:
        """Return the main country of a zone (zone1970.tab order); None for offsets and UTC."""
        found = self.zone_countries.get(zone)
        if found is None:
            canonical = self.iana.get(zone.casefold())
            found = self.zone_countries.get(canonical) if canonical else None
        return found[0] if found else None

    def country_name(self, code: str) -> str | None:
        """Return the tz database's English name for an ISO country code."""
        return self.country_names.get(code.upper())


def _iana_key(text: str) -> str:
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


def _build(path: Path, tz: _TzTables) -> Places:
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
        key, value = _fold(word), _fold(replacement)
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
        words = (synonyms.get(w, w) for w in _fold(text).split())
        return " ".join(w for w in words if w)

    # Cities: aliases first (curated), then current zone names, then old link names.
    cities: dict[str, _Target] = {}
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
        tier: dict[str, set[_Target]] = {}
        for name, zone in names:
            parts = name.split("/")
            country = zone_countries.get(zone, (None,))[0]
            target = _Target(zone, _display(name), country)
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

    points = [_Point.at(*_lat_lon(xy), zone, code) for code, xy, zone in tz.zonetab]
    points += [_Point.at(*c.at, c.zone, c.country) for c in aliases.cities.values() if c.at]

    return Places(
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
    tz: _TzTables,
    preferred: frozenset[str],
    zone_countries: Mapping[str, tuple[str, ...]],
    norm: Callable[[str], str],
    cities: dict[str, _Target],
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
            home = next(_lat_lon(xy) for _, xy, zone in tz.zonetab if zone == city.zone)
            distance = _Point.at(*city.at, "", "").distance_km(_Point.at(*home, "", ""))
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
                cities[key] = _Target(city.zone, name, city.country)
    return problems


def _countries(
    path: Path,
    raw: Mapping[str, Any],
    aliases: _AliasFile,
    tz: _TzTables,
    norm: Callable[[str], str],
) -> tuple[dict[str, str], list[ContentProblem]]:
    """Index country names from iso3166.tab, then the aliases (which win)."""
    found: dict[str, set[str]] = {}
    for code, name in tz.countries.items():
        base = _PARENTHESES.sub("", name)
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
