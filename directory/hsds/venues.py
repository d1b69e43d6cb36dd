"""HSDS service_at_locations -> LocationRecords: venues, their addresses and accessibility."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..geocoding import GeocodingError, normalise_postcode
from ..models import Taxonomy
from . import ids
from .reader import Locate, Reader, TermIndex
from .records import LocationRecord


def read_venues(
    r: Reader, raw: Mapping[str, Any], terms: TermIndex, locate: Locate | None
) -> tuple[list[LocationRecord], dict[str, str]]:
    """(venues, service_at_location id -> location id)."""
    venues: dict[str, LocationRecord] = {}
    sal_locations: dict[str, str] = {}
    for n, sal in enumerate(r.objects(raw, "service_at_locations", "service_at_locations")):
        where = f"service_at_locations[{n}]"
        given = sal.get("location")
        if given is None:
            loc_id = ids.external_id("location", sal.get("location_id"))
            if loc_id is None:
                r.error(f"{where}.location", "is missing")
                continue
            venue = LocationRecord(loc_id, None)
        elif not isinstance(given, Mapping):
            r.error(f"{where}.location", "must be an object")
            continue
        else:
            kind = str(given.get("location_type") or "physical").strip().lower()
            if kind != "physical":
                r.warn(f"{where}.location", f"a {kind} location is not a venue; left out")
                continue
            found = _location(r, given, f"{where}.location", terms, locate)
            if found is None:
                continue
            venue = found
        venues.setdefault(venue.id, venue)
        sal_id = ids.canonical_uuid(sal.get("id"))
        if sal_id:
            sal_locations[sal_id] = venue.id
    return list(venues.values()), sal_locations


def _location(
    r: Reader, loc: Mapping[str, Any], where: str, terms: TermIndex, locate: Locate | None
) -> LocationRecord | None:
    loc_id = ids.external_id("location", loc.get("id"))
    if loc_id is None:
        r.error(f"{where}.id", "is missing")
        return None
    addresses = r.objects(loc, "addresses", f"{where}.addresses")
    address = next((a for a in addresses if a.get("address_type") == "physical"), None)
    address = address or (addresses[0] if addresses else {})
    n = addresses.index(address) if address in addresses else 0
    at = f"{where}.addresses[{n}]"
    address_1 = r.text(address, "address_1", f"{at}.address_1", 200)
    postcode = r.text(address, "postal_code", f"{at}.postal_code")
    try:
        postcode = normalise_postcode(postcode)
    except GeocodingError:
        if len(postcode) > 10:
            r.warn(f"{at}.postal_code", f"'{postcode}' is not a postcode; left out")
            postcode = ""
    name = r.text(loc, "name", f"{where}.name", 200) or address_1 or postcode
    if not name:
        r.error(f"{where}.name", "is missing (and there is no address to name the venue by)")
        return None
    latitude, longitude = _position(r, loc, where, postcode, locate)
    access, notes = set(), []
    for k, item in enumerate(r.objects(loc, "accessibility", f"{where}.accessibility")):
        text = r.text(item, "description", f"{where}.accessibility[{k}].description")
        code = terms.venue_access.get(text.casefold())
        if code:
            access.add(code)
        elif text:
            notes.append(text)
    for k, attribute in enumerate(r.objects(loc, "attributes", f"{where}.attributes")):
        term = attribute.get("taxonomy_term")
        if isinstance(term, Mapping) and term.get("taxonomy") == Taxonomy.ACCESS.value:
            code = terms.venue_access.get(str(term.get("code") or term.get("term") or ""))
            if code:
                access.add(code)
            else:
                r.warn(f"{where}.attributes[{k}]", "only venue access terms are kept on venues")
    return LocationRecord(
        id=loc_id,
        name=name,
        address_1=address_1,
        address_2=r.text(address, "address_2", f"{at}.address_2", 200),
        town=r.text(address, "city", f"{at}.city", 100),
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        access=tuple(sorted(access)),
        access_notes="\n".join(dict.fromkeys(notes)),
    )


def _position(
    r: Reader, loc: Mapping[str, Any], where: str, postcode: str, locate: Locate | None
) -> tuple[float | None, float | None]:
    lat, lon = loc.get("latitude"), loc.get("longitude")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon))
    if numbers and -90 <= lat <= 90 and -180 <= lon <= 180:  # type: ignore[operator]
        return float(lat), float(lon)  # type: ignore[arg-type]
    if lat is not None or lon is not None:
        r.warn(f"{where}.latitude", "the position is not a valid latitude and longitude; left out")
    found = locate(postcode) if locate and postcode else None
    return found if found else (None, None)
