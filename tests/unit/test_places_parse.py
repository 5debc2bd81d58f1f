"""bot.domain.places: what users type for their time zone and country, and aliases.yml checks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.errors import ContentError
from bot.content.yamlio import load_yaml
from bot.domain.places import Places, ZoneMatch
from bot.scheduling import is_valid_zone

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def places() -> Places:
    return Places.load(CONTENT)


# input, expected zone (None: no match), expected country
ZONE_CASES: list[tuple[str, str | None, str | None]] = [
    # zone cities, any case, accents optional
    ("Berlin", "Europe/Berlin", "DE"),
    ("berlin", "Europe/Berlin", "DE"),
    ("  BERLIN  ", "Europe/Berlin", "DE"),
    ("new york", "America/New_York", "US"),
    ("New-York", "America/New_York", "US"),
    ("são paulo", "America/Sao_Paulo", "BR"),
    ("Sao Paulo", "America/Sao_Paulo", "BR"),
    ("buenos aires", "America/Argentina/Buenos_Aires", "AR"),
    ("Sydney", "Australia/Sydney", "AU"),
    ("toronto", "America/Toronto", "CA"),
    ("Kathmandu", "Asia/Kathmandu", "NP"),
    ("Lord Howe", "Australia/Lord_Howe", "AU"),
    ("st. john's", "America/St_Johns", "CA"),
    ("Stockholm", "Europe/Stockholm", "SE"),
    ("Amsterdam", "Europe/Amsterdam", "NL"),
    # old names resolve to current zones
    ("Calcutta", "Asia/Kolkata", "IN"),
    ("kiev", "Europe/Kyiv", "UA"),
    ("Saigon", "Asia/Ho_Chi_Minh", "VN"),
    ("Katmandu", "Asia/Kathmandu", "NP"),
    # aliases.yml
    ("munich", "Europe/Berlin", "DE"),
    ("München", "Europe/Berlin", "DE"),
    ("NYC", "America/New_York", "US"),
    ("SF", "America/Los_Angeles", "US"),
    ("san francisco", "America/Los_Angeles", "US"),
    ("bombay", "Asia/Kolkata", "IN"),
    ("Delhi", "Asia/Kolkata", "IN"),
    ("bangalore", "Asia/Kolkata", "IN"),
    ("Washington, D.C.", "America/New_York", "US"),
    ("Boston", "America/New_York", "US"),
    ("seattle", "America/Los_Angeles", "US"),
    ("Montreal", "America/Toronto", "CA"),
    ("manchester", "Europe/London", "GB"),
    ("Edinburgh", "Europe/London", "GB"),
    ("Barcelona", "Europe/Madrid", "ES"),
    ("Milan", "Europe/Rome", "IT"),
    ("beijing", "Asia/Shanghai", "CN"),
    ("Shenzhen", "Asia/Shanghai", "CN"),
    ("osaka", "Asia/Tokyo", "JP"),
    ("Saint Petersburg", "Europe/Moscow", "RU"),
    ("St Petersburg", "Europe/Moscow", "RU"),
    ("The Hague", "Europe/Amsterdam", "NL"),
    ("san juan", "America/Puerto_Rico", "PR"),
    ("Timbuktu", "Africa/Bamako", "ML"),
    # IANA names in any case
    ("Europe/Berlin", "Europe/Berlin", "DE"),
    ("europe/berlin", "Europe/Berlin", "DE"),
    ("AMERICA/NEW_YORK", "America/New_York", "US"),
    ("america/new york", "America/New_York", "US"),
    ("Asia/Calcutta", "Asia/Kolkata", "IN"),
    ("US/Eastern", "America/New_York", "US"),
    # city with extras
    ("Berlin, Germany", "Europe/Berlin", "DE"),
    ("Berlin (Europe/Berlin)", "Europe/Berlin", "DE"),
    ("New York, NY", "America/New_York", "US"),
    # countries with one zone (or one for nearly everyone)
    ("Germany", "Europe/Berlin", "DE"),
    ("Japan", "Asia/Tokyo", "JP"),
    ("UK", "Europe/London", "GB"),
    ("India", "Asia/Kolkata", "IN"),
    ("China", "Asia/Shanghai", "CN"),
    ("Norway", "Europe/Oslo", "NO"),
    ("Samoa", "Pacific/Apia", "WS"),
    # UTC and offsets
    ("UTC", "UTC", None),
    ("gmt", "UTC", None),
    ("Etc/UTC", "UTC", None),
    ("+5:30", "+05:30", None),
    ("UTC+2", "+02:00", None),
    ("GMT-3", "-03:00", None),
    ("+0545", "+05:45", None),
    ("utc +1", "+01:00", None),
    ("UTC−5", "-05:00", None),  # Unicode minus sign
    ("UTC+5.5", "+05:30", None),
    ("UTC 5", "+05:00", None),
    ("+14", "+14:00", None),
    ("-12:00", "-12:00", None),
    ("UTC+0", "UTC", None),
    ("Etc/GMT-3", "+03:00", None),  # POSIX sign: three hours ahead
    # small typos in longer names
    ("Frankfrut", "Europe/Berlin", "DE"),
    ("Los Angles", "America/Los_Angeles", "US"),
    ("Amsterdm", "Europe/Amsterdam", "NL"),
    # no match: ambiguous, abbreviations, nonsense, impossible offsets
    ("USA", None, None),
    ("Australia", None, None),
    ("Russia", None, None),
    ("EST", None, None),
    ("CET", None, None),
    ("PST", None, None),
    ("banana", None, None),
    ("", None, None),
    ("   ", None, None),
    ("5", None, None),
    ("+15", None, None),
    ("-13", None, None),
    ("+5:17", None, None),
    ("UTC+", None, None),
    ("Mars/Olympus", None, None),
    ("west", None, None),
    ("Victoria", None, None),
    ("x" * 500, None, None),
    ("Berl", None, None),  # too short to guess
]


@pytest.mark.parametrize(("text", "zone", "country"), ZONE_CASES)
def test_parse_zone(places: Places, text: str, zone: str | None, country: str | None) -> None:
    match = places.parse_zone(text)
    if zone is None:
        assert match is None
        return
    assert match is not None
    assert (match.zone, match.country) == (zone, country)
    assert is_valid_zone(match.zone)
    assert zone in match.label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("munich", "Munich (Europe/Berlin)"),
        ("Berlin", "Berlin (Europe/Berlin)"),
        ("NYC", "New York (America/New_York)"),
        ("Sao Paulo", "São Paulo (America/Sao_Paulo)"),
        ("Calcutta", "Calcutta (Asia/Kolkata)"),
        ("Germany", "Germany (Europe/Berlin)"),
        ("UK", "Britain (Europe/London)"),
        ("UTC", "UTC"),
        ("+5:30", "UTC+05:30"),
        ("GMT-3", "UTC-03:00"),
    ],
)
def test_labels_are_composed_from_data(places: Places, text: str, label: str) -> None:
    match = places.parse_zone(text)
    assert match is not None
    assert match.label == label


def test_every_current_zone_name_parses_to_itself(places: Places) -> None:
    for zone in places.country_zones.values():
        for name in zone:
            for typed in (name, name.lower(), name.upper(), name.replace("_", " ")):
                match = places.parse_zone(typed)
                assert match is not None, typed
                assert match.zone == name, typed


def test_every_alias_resolves_to_its_zone(places: Places) -> None:
    aliases = load_yaml(CONTENT / "places" / "aliases.yml")
    for name, entry in aliases["cities"].items():
        for spelling in (name, *entry.get("also", ())):
            match = places.parse_zone(spelling)
            assert match is not None, spelling
            assert (match.zone, match.country) == (entry["zone"], entry["country"]), spelling
    assert len(aliases["cities"]) >= 150


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=40))
def test_parse_zone_never_raises(text: str) -> None:
    places = _shared_places()
    match = places.parse_zone(text)
    assert match is None or is_valid_zone(match.zone)
    assert places.parse_country(text) is None or len(places.parse_country(text) or "") == 2


@settings(max_examples=200, deadline=None, database=None)
@given(
    sign=st.sampled_from(["+", "-"]),
    hours=st.integers(0, 14),
    minutes=st.sampled_from([0, 15, 30, 45]),
    prefix=st.sampled_from(["", "UTC", "utc ", "GMT", "gmt "]),
)
def test_offsets_round_trip(sign: str, hours: int, minutes: int, prefix: str) -> None:
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    match = _shared_places().parse_zone(f"{prefix}{sign}{hours}:{minutes:02d}")
    if not timedelta(hours=-12) <= offset <= timedelta(hours=14):
        assert match is None
    elif not offset:
        assert match == ZoneMatch("UTC", "UTC", None)
    else:
        assert match is not None
        assert match.zone == f"{sign}{hours:02d}:{minutes:02d}"


_CACHE: list[Places] = []


def _shared_places() -> Places:
    # Hypothesis tests cannot take function-scoped fixtures; load once per module instead.
    if not _CACHE:
        _CACHE.append(Places.load(CONTENT))
    return _CACHE[0]


COUNTRY_CASES: list[tuple[str, str | None]] = [
    ("Germany", "DE"),
    ("germany", "DE"),
    ("de", "DE"),
    ("DE", "DE"),
    ("Deutschland", "DE"),
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("United Kingdom", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("United States", "US"),
    ("usa", "US"),
    ("U.S.A.", "US"),
    ("america", "US"),
    ("the US", "US"),
    ("south korea", "KR"),
    ("Korea (South)", "KR"),
    ("north korea", "KP"),
    ("Korea", "KR"),
    ("Côte d'Ivoire", "CI"),
    ("cote divoire", "CI"),
    ("ivory coast", "CI"),
    ("Bosnia & Herzegovina", "BA"),
    ("bosnia and herzegovina", "BA"),
    ("the netherlands", "NL"),
    ("Holland", "NL"),
    ("burma", "MM"),
    ("Myanmar", "MM"),
    ("Türkiye", "TR"),
    ("Turkey", "TR"),
    ("Czechia", "CZ"),
    ("New Zealand", "NZ"),
    ("Germnay", "DE"),  # typo
    ("Switzerland", "CH"),
    ("Berlin", "DE"),  # a city names its country
    ("london", "GB"),
    ("Berlin, Germany", "DE"),
    ("LA", "LA"),  # a country code wins over a city nickname
    ("Congo", None),  # two countries
    ("xx", None),
    ("banana", None),
    ("", None),
    ("+05:30", None),
]


@pytest.mark.parametrize(("text", "code"), COUNTRY_CASES)
def test_parse_country(places: Places, text: str, code: str | None) -> None:
    assert places.parse_country(text) == code


@pytest.mark.parametrize(
    ("zone", "code"),
    [
        ("Europe/Berlin", "DE"),
        ("Europe/Zurich", "CH"),
        ("Asia/Dubai", "AE"),
        ("Europe/Oslo", "NO"),  # in zone.tab only
        ("Asia/Calcutta", "IN"),  # an old link name
        ("America/Argentina/Buenos_Aires", "AR"),
        ("+05:30", None),
        ("UTC", None),
        ("Mars/Olympus", None),
    ],
)
def test_country_of_zone(places: Places, zone: str, code: str | None) -> None:
    assert places.country_of_zone(zone) == code


def test_country_name(places: Places) -> None:
    assert places.country_name("de") == "Germany"
    assert places.country_name("GB") == "Britain (UK)"
    assert places.country_name("XX") is None


def test_zones_of_country(places: Places) -> None:
    us = places.zones_of_country("us")
    assert len(us) > 20
    assert ZoneMatch("America/New_York", "New York (America/New_York)", "US") in us
    assert places.zones_of_country("DE")[0].zone == "Europe/Berlin"
    assert places.zones_of_country("XX") == ()


@pytest.mark.parametrize(
    ("lat", "lon", "zone", "country"),
    [
        (52.52, 13.40, "Europe/Berlin", "DE"),  # Berlin
        (48.14, 11.58, "Europe/Berlin", "DE"),  # Munich
        (40.71, -74.01, "America/New_York", "US"),
        (34.05, -118.24, "America/Los_Angeles", "US"),
        (-33.87, 151.21, "Australia/Sydney", "AU"),
        (-31.55, 159.08, "Australia/Lord_Howe", "AU"),
        (27.72, 85.32, "Asia/Kathmandu", "NP"),
        (59.33, 18.07, "Europe/Stockholm", "SE"),
        (-13.83, -171.76, "Pacific/Apia", "WS"),
        (19.08, 72.88, "Asia/Kolkata", "IN"),  # Mumbai
        (64.15, -21.94, "Atlantic/Reykjavik", "IS"),
        (21.15, 79.09, "Asia/Kolkata", "IN"),  # Nagpur: Karachi is the nearest zone.tab city
        (48.58, 7.75, "Europe/Paris", "FR"),  # Strasbourg: Zurich is nearer than Paris
        (31.52, 74.35, "Asia/Karachi", "PK"),  # Lahore, close to the Indian border
    ],
)
def test_zone_from_location(
    places: Places, lat: float, lon: float, zone: str, country: str
) -> None:
    match = places.zone_from_location(lat, lon)
    assert (match.zone, match.country) == (zone, country)


def test_zone_from_location_across_the_antimeridian(places: Places) -> None:
    # Suva (Fiji) is at 178.4 E; a point at 179.9 W is closer to it than to anything west.
    assert places.zone_from_location(-18.1, -179.9).zone == "Pacific/Fiji"


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-91, 0), (0, 181), (0, -180.5)])
def test_zone_from_location_rejects_impossible_points(
    places: Places, lat: float, lon: float
) -> None:
    with pytest.raises(ValueError, match="not a location"):
        places.zone_from_location(lat, lon)


# -- aliases.yml checks -----------------------------------------------------------------


def write_aliases(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "places"
    folder.mkdir()
    (folder / "aliases.yml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("cities:\n  X: {zone: Europe/Nowhere, country: DE}\n", "not a current tz zone"),
        ("cities:\n  X: {zone: Asia/Calcutta, country: IN}\n", "current name is Asia/Kolkata"),
        ("cities:\n  X: {zone: Europe/Berlin, country: XX}\n", "not an ISO 3166 code"),
        ("cities:\n  X: {zone: Europe/Berlin, country: FR}\n", "not a zone of FR"),
        ("cities:\n  Bergen: {zone: Europe/Oslo, country: NO}\n", "quote it: YAML reads NO"),
        ("cities:\n  X: {zone: Europe/Berlin, country: DE, colour: red}\n", "Extra inputs"),
        (
            "cities:\n  A: {zone: Europe/Berlin, country: DE, also: [Zed]}\n"
            "  B: {zone: Europe/Paris, country: FR, also: [zed]}\n",
            "also a name of 'A'",
        ),
        (
            "cities:\n  X: {zone: Europe/Berlin, country: DE, at: [-48.1, 11.6]}\n",
            "check the signs",
        ),
        (
            "cities:\n  X: {zone: Europe/Berlin, country: DE, at: [95, 11.6]}\n",
            "less than or equal to 90",
        ),
        ("cities: {}\ncountries:\n  Blah: XX\n", "not an ISO 3166 code"),
        ("cities: {}\ncountries:\n  France: DE\n", "already the tz name of FR"),
        ("cities: {}\nzone_names_not_cities: [Nowhere/West]\n", "not a zone name"),
        ("cities: {}\nsynonyms:\n  two words: x\n", "must be one word"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
)
def test_bad_aliases_are_reported(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ContentError) as caught:
        Places.load(write_aliases(tmp_path, text))
    assert fragment in str(caught.value)
    assert all(p.path.name == "aliases.yml" for p in caught.value.problems)


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    text = (
        "cities:\n"
        "  A: {zone: Europe/Nowhere, country: DE}\n"
        "  B: {zone: Europe/Berlin, country: XX}\n"
        "  C: {zone: Europe/Berlin, country: DE}\n"
    )
    with pytest.raises(ContentError) as caught:
        Places.load(write_aliases(tmp_path, text))
    assert [(p.where, p.line) for p in caught.value.problems] == [
        ("cities.A", 2),
        ("cities.B", 3),
    ]


def test_minimal_aliases_file_loads(tmp_path: Path) -> None:
    places = Places.load(write_aliases(tmp_path, "cities: {}\n"))
    assert places.parse_zone("Berlin") == ZoneMatch(
        "Europe/Berlin", "Berlin (Europe/Berlin)", "DE"
    )
    assert places.parse_zone("munich") is None
