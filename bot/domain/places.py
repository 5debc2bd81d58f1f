"""Turn what a user types into a time zone or a country.

Matching ignores case, accents, punctuation and extra spaces, and forgives a small typo in
longer names; offsets ("UTC+5:30") and shared locations work too. The tables come from
`bot.domain.place_index` (the tz database plus content/places/aliases.yml). Nothing here talks
to the user: a match carries data (zone, a label composed from names, country code) and callers
pick the words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path

from bot.domain.place_index import (
    ALIASES_FILE,
    PARENTHESES,
    UTC_ZONE,
    PlaceIndex,
    Point,
    build_index,
    display,
    fold,
    iana_key,
    label,
)
from bot.domain.tztables import read_tz_tables
from bot.scheduling.plan import fixed_offset_spec

# "UTC+5:30", "gmt-3", "+0545", "utc +1", "+5.5": compact text (no spaces), casefolded.
_OFFSET_TEXT = re.compile(
    r"^(?P<prefix>utc|gmt)?"
    r"(?:(?P<sign>[+-])?(?P<hours>\d{1,2})(?:(?::|h)?(?P<minutes>\d{2})|\.(?P<fraction>\d{1,2}))?)?$"
)
_FRACTIONS = {"5": 30, "50": 30, "25": 15, "75": 45}
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-", "＋": "+"})
_SEGMENTS = re.compile(r"[,;()\[\]]")
_MAX_INPUT = 120
_FUZZY_MIN_LETTERS = 6
_FUZZY_CUTOFF = 0.8


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """A zone found for the user's words: zone spec, display label, country (if known)."""

    zone: str
    label: str
    country: str | None


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


class Places(PlaceIndex):
    """Zone and country lookup built from the tz tables plus content/places/aliases.yml."""

    __slots__ = ()

    @classmethod
    def load(cls, content_dir: Path) -> Places:
        """Load the tz tables and aliases.yml; raise ContentError listing every problem."""
        index = build_index(content_dir / ALIASES_FILE, read_tz_tables())
        return cls(**{f.name: getattr(index, f.name) for f in fields(index)})

    # -- zones -------------------------------------------------------------------------

    def normalise(self, text: str) -> str:
        """Reduce a place name to its lookup key (case, accents, punctuation, synonyms)."""
        words = (self.synonyms.get(w, w) for w in fold(text).split())
        return " ".join(w for w in words if w)

    def parse_zone(self, text: str) -> ZoneMatch | None:
        """Find the zone a user means: city, IANA name, country with one zone, or UTC offset."""
        raw = text.strip()
        if not raw or len(raw) > _MAX_INPUT:
            return None
        offset = _offset_match(raw)
        if offset is not None:
            return offset
        exact = self.iana.get(iana_key(raw))
        if exact is not None:
            return self._zone_match(exact, display(exact) if "/" in exact else exact)
        for key in self._keys(raw):
            found = self._zone_for_key(key)
            if found is not None:
                return found
        close = self._close_key(self.normalise(raw))
        return self._zone_for_key(close) if close else None

    def _zone_for_key(self, key: str) -> ZoneMatch | None:
        target = self.cities.get(key)
        if target is not None:
            return ZoneMatch(target.zone, label(target.name, target.zone), target.country)
        code = self.countries.get(key)
        if code is not None and code in self.country_zone:
            zone = self.country_zone[code]
            name = PARENTHESES.sub("", self.country_names[code])
            return ZoneMatch(zone, label(name, zone), code)
        return None

    def _zone_match(self, zone: str, name: str) -> ZoneMatch:
        offset = _offset_match(zone) if zone[0] in "+-" else None
        if offset is not None:
            return offset
        return ZoneMatch(zone, label(name, zone), self.country_of_zone(zone))

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
        here = Point.at(latitude, longitude, "", "")
        near = min(self.points, key=here.distance_km)
        return ZoneMatch(near.zone, label(display(near.zone), near.zone), near.country)

    def zones_of_country(self, code: str) -> tuple[ZoneMatch, ...]:
        """List a country's zones (zone.tab order), e.g. to offer a choice for "USA"."""
        code = code.upper()
        return tuple(
            ZoneMatch(zone, label(display(zone), zone), code)
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
