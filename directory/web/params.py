"""The GET parameters of the results pages, read once into plain data with messages for people.

Nothing here raises for bad input: a value that cannot be used is dropped, and the reason is
kept as a message, beside its field (`errors`) or above the results (`notes`), so every URL
gives a normal page. `near X` and `within N km|miles` are read out of the search text when
the place and distance boxes are empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from ..vocabulary import Vocabulary

MAX_QUERY = 200
MAX_PLACE = 100
MAX_DISTANCE_KM = 200.0
KM_PER_MILE = 1.609344
SORTS = {"relevance": "Best match", "distance": "Distance", "next": "Next session"}
DAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
        "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
TIMES = {"morning": "Morning (before midday)", "afternoon": "Afternoon (midday to 5pm)",
         "evening": "Evening (after 5pm)", "weekend": "Weekend"}
# parameter -> (vocabulary section, SearchParams attribute), for the vocabulary filters
VOCAB_PARAMS = {
    "category": ("categories", "categories"),
    "activity": ("activities", "activities"),
    "condition": ("conditions", "conditions"),
    "access": ("access", "access"),
}
# Order of parameters in the URLs we build (shareable, and stable for tests and caches).
ORDER = ("q", "exact", "place", "lat", "lon", "distance", "category", "activity", "condition",
         "access", "day", "time", "when", "sort", "page")
# "Open today" and "This week" (the rest of it, to Sunday), against freshness.today().
WHEN = {"today": "Open today", "week": "This week"}
# "Near me": the browser's position, sent as lat and lon (never stored). Great Britain and
# Northern Ireland, with a margin; rounded to 3 decimal places (about 100 m) in links.
LATITUDES = (49.8, 61.0)
LONGITUDES = (-8.7, 2.0)

_NUMBER = r"(\d{1,4}(?:\.\d{1,2})?)"
_UNIT = r"(km|kms|kilometres?|kilometers?|k|miles?|mi)"
WITHIN = re.compile(rf"\b(?:within|in)\s+{_NUMBER}\s*{_UNIT}\b", re.I)
OF_PLACE = re.compile(r"^\s+(?:of|from)\s+(.+?)\s*$", re.I)
NEAR = re.compile(r"\b(?:near|nearby|around|close\s+to)\s+(?:to\s+)?(.+?)\s*$", re.I)
NOT_A_PLACE = frozenset({"me", "here", "home", "us", "you", "my house", "where i live"})
DISTANCE = re.compile(rf"^\s*{_NUMBER}\s*(?:km)?\s*$", re.I)


@dataclass
class SearchParams:
    """What someone asked for, cleaned; `errors` are per field, `notes` are for the page."""

    q: str = ""
    exact: bool = False  # search the words as typed, without correcting their spelling
    place: str = ""
    near: tuple[float, float] | None = None  # the browser's position ("near me"), if sent
    distance: float | None = None
    categories: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    times: tuple[str, ...] = ()
    when: str = ""  # "today", "week" or "" (any time)
    sort: str = "relevance"
    page: int = 1
    format: str = "html"
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # What was read out of the search text: {"place": ..., "distance": ...}
    read_from_text: dict[str, str] = field(default_factory=dict)

    def pairs(self, *, page: bool = True) -> list[tuple[str, str]]:
        """The canonical query parameters, in a stable order."""
        values: dict[str, Iterable[str]] = {
            "q": [self.q] if self.q else [],
            "exact": ["1"] if self.exact and self.q else [],
            "place": [self.place] if self.place else [],
            "lat": [f"{self.near[0]:.3f}"] if self.near else [],
            "lon": [f"{self.near[1]:.3f}"] if self.near else [],
            "distance": [format_number(self.distance)] if self.distance is not None else [],
            "category": self.categories,
            "activity": self.activities,
            "condition": self.conditions,
            "access": self.access,
            "day": self.days,
            "time": self.times,
            "when": [self.when] if self.when else [],
            "sort": [self.sort] if self.sort != "relevance" else [],
            "page": [str(self.page)] if page and self.page > 1 else [],
        }
        return [(key, value) for key in ORDER for value in values[key]]

    def query_string(self, *, page: bool = True) -> str:
        return urlencode(self.pairs(page=page))

    def without(self, key: str, value: str | None = None) -> str:
        """The query string without one parameter (or one of its values), back on page 1.
        The position goes as a whole: without "lat" is without "lon" too."""
        keys = {"lat", "lon"} if key in ("lat", "lon") else {key}
        return urlencode(
            [(k, v) for k, v in self.pairs(page=False) if not (k in keys and value in (None, v))]
        )

    def with_page(self, page: int) -> str:
        return urlencode(self.pairs(page=False) + ([("page", str(page))] if page > 1 else []))

    def changed(self, **changes: object) -> SearchParams:
        return replace(self, **changes)  # type: ignore[arg-type]


def format_number(value: float) -> str:
    """2.0 -> '2', 2.5 -> '2.5', 3.218 -> '3.22'."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def parse(args: MultiDict[str, str] | Mapping[str, str], vocab: Vocabulary) -> SearchParams:
    """Read the results page's parameters; never raises for what a person or a link sends."""
    if not isinstance(args, MultiDict):
        args = MultiDict(args)
    p = SearchParams()
    p.q = _clean_query(args.get("q", ""), p)
    p.exact = args.get("exact", "").strip().lower() in ("1", "true", "yes")
    # `location` is the match API's word for it: links written either way work the same.
    p.place = " ".join((args.get("place") or args.get("location") or "").split())
    if len(p.place) > MAX_PLACE:
        p.errors["place"] = "Enter a postcode or town, like NE4 8XJ or Fenham"
        p.place = p.place[:MAX_PLACE]
    p.near = _near(args.get("lat", ""), args.get("lon", ""), p)
    p.distance = _distance(args.get("distance", ""), p)
    if p.q and (not p.place or p.distance is None) and p.near is None:
        _read_place_from_text(p)
    for param, (section, attribute) in VOCAB_PARAMS.items():
        setattr(p, attribute, _known(args.getlist(param), vocab.ids(section), p))
    p.days = _known([_day(v) for v in args.getlist("day")], frozenset(DAYS), p)
    p.times = _known([v.strip().lower() for v in args.getlist("time")], frozenset(TIMES), p)
    when = args.get("when", "").strip().lower()
    if when and when not in WHEN and when != "any":
        p.notes.append("We did not recognise that choice of when, so we searched any time.")
    p.when = when if when in WHEN else ""
    sort = args.get("sort", "relevance").strip().lower() or "relevance"
    if sort not in SORTS:
        p.notes.append("We did not recognise that way of sorting, so the best matches come first.")
        sort = "relevance"
    p.sort = sort
    p.page = _page(args.get("page", "1"), p)
    p.format = "json" if args.get("format", "").strip().lower() == "json" else "html"
    return p


def _clean_query(raw: str, p: SearchParams) -> str:
    text = " ".join(raw.split())
    if len(text) > MAX_QUERY:
        p.notes.append(f"Your search was very long, so we used its first {MAX_QUERY} characters.")
        text = text[:MAX_QUERY].rsplit(" ", 1)[0] if " " in text[:MAX_QUERY] else text[:MAX_QUERY]
    return text


def _near(lat: str, lon: str, p: SearchParams) -> tuple[float, float] | None:
    """The browser's position from lat and lon, checked; errors go on the place box, which is
    what a person sees (the position came from its "Use my location" button)."""
    lat, lon = lat.strip(), lon.strip()
    if not lat and not lon:
        return None
    if not lat or not lon:
        missing = "latitude (lat)" if not lat else "longitude (lon)"
        p.errors["place"] = (f"Your location came without its {missing}. Use my location again, "
                             "or enter a postcode or town")
        return None
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        latitude = longitude = math.nan
    for name, value, (low, high) in (("latitude (lat)", latitude, LATITUDES),
                                     ("longitude (lon)", longitude, LONGITUDES)):
        if not math.isfinite(value):
            p.errors["place"] = (f"The {name} of your location is not a number. Use my "
                                 "location again, or enter a postcode or town")
            return None
        if not low <= value <= high:
            p.errors["place"] = (f"The {name} of your location is outside the UK, which this "
                                 "directory covers. Enter a postcode or town instead")
            return None
    return (round(latitude, 3), round(longitude, 3))


def _distance(raw: str, p: SearchParams) -> float | None:
    raw = raw.strip()
    if not raw or raw.lower() in ("any", "0"):
        return None
    match = DISTANCE.match(raw)
    if not match:
        p.errors["distance"] = "Enter the distance as a number of kilometres, like 5"
        return None
    value = float(match[1])
    if not 0 < value <= MAX_DISTANCE_KM:
        p.errors["distance"] = f"Enter a distance between 0.1 and {MAX_DISTANCE_KM:g} kilometres"
        return None
    return value


def _read_place_from_text(p: SearchParams) -> None:
    """Take 'within 2 km' and 'near Fenham' out of the search text when the boxes are empty."""
    text = p.q
    found: dict[str, str] = {}
    if p.distance is None and "distance" not in p.errors:
        match = WITHIN.search(text)
        if match:
            km = float(match[1]) * (KM_PER_MILE if match[2].lower().startswith("mi") else 1.0)
            if 0 < km <= MAX_DISTANCE_KM:
                p.distance = round(km, 2)
                found["distance"] = f"{match[1]} {_unit_words(match[2], match[1])}"
                rest = text[match.end():]
                of = OF_PLACE.match(rest)
                if of and not p.place:
                    p.place = of[1].strip(" ,.?")[:MAX_PLACE]
                    found["place"] = p.place
                    rest = ""
                text = f"{text[: match.start()].strip()} {rest.strip()}".strip()
    if not p.place:
        match = NEAR.search(text)
        if match:
            place = match[1].strip(" ,.?")
            text = text[: match.start()].strip()
            if place.lower() in NOT_A_PLACE:
                p.notes.append("To search near you, enter your postcode or town in the place box.")
            elif place:
                p.place = place[:MAX_PLACE]
                found["place"] = p.place
    if found:
        p.q = text.strip(" ,")
        p.read_from_text = found


def _unit_words(unit: str, number: str) -> str:
    plural = number not in ("1", "1.0")
    if unit.lower().startswith("mi"):
        return "miles" if plural else "mile"
    return "km"


def _day(value: str) -> str:
    value = value.strip().lower()
    for code, name in DAYS.items():
        if value in (code, name.lower()):
            return code
    return value


def _known(values: list[str], allowed: frozenset[str], p: SearchParams) -> tuple[str, ...]:
    kept: list[str] = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if value in allowed:
            if value not in kept:
                kept.append(value)
        else:
            shown = value if len(value) <= 40 else value[:40] + "…"
            p.notes.append(f"We do not have a filter called '{shown}', so we left it out.")
    return tuple(kept)


def _page(raw: str, p: SearchParams) -> int:
    raw = raw.strip()
    if raw.isdigit() and len(raw) <= 6 and int(raw) >= 1:
        return int(raw)
    if raw not in ("", "1"):
        p.notes.append("That page number did not make sense, so we are showing the first page.")
    return 1
