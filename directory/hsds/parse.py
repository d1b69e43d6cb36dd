"""HSDS service JSON -> ServiceRecord, following spec/hsds-mapping.md in the import direction.

Pure: no database, no Flask. Whatever makes a record wrong (a missing name, an unknown term
of our own taxonomies, a closing time before the opening time) is an error and the record is
skipped whole; whatever we cannot keep but can do without (a monthly schedule, a free-text
service area, a language with no code) is a warning and the rest of the record is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from ..geocoding import GeocodingError, is_outward_code, normalise_postcode
from ..models import SECTIONS, VENUE_ACCESS, Day, ServiceStatus, Taxonomy
from ..vocabulary import Vocabulary, taxonomy_uuid, term_uuid
from . import ids
from .languages import to_iso639_1
from .records import (
    ExternalTermRecord,
    LocationRecord,
    OrganizationRecord,
    Problem,
    ServiceRecord,
    SessionRecord,
    TaxonomyRecord,
    Unreadable,
)

STATUSES = {
    "active": ServiceStatus.ACTIVE,
    "temporarily closed": ServiceStatus.PAUSED,
    "inactive": ServiceStatus.PAUSED,
    "defunct": ServiceStatus.CLOSED,
}
BYDAY = {"MO": Day.MON, "TU": Day.TUE, "WE": Day.WED, "TH": Day.THU, "FR": Day.FRI,
         "SA": Day.SAT, "SU": Day.SUN}
TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
EMAIL = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$")
Locate = Callable[[str], "tuple[float, float] | None"]


@dataclass(frozen=True)
class TermIndex:
    """Our vocabulary as the importer needs it: known (taxonomy, code) pairs, by name and by id."""

    codes: frozenset[tuple[Taxonomy, str]]
    by_uuid: Mapping[str, tuple[Taxonomy, str]]
    venue_access: Mapping[str, str]  # casefolded label or code -> venue access code

    @classmethod
    def from_vocabulary(cls, vocab: Vocabulary) -> TermIndex:
        codes = frozenset(
            (taxonomy, item["id"]) for section, taxonomy in SECTIONS.items()
            for item in vocab.section(section)
        )
        venue = {}
        for code in VENUE_ACCESS:
            venue[code] = code
            venue[vocab.label("access", code).casefold()] = code
        return cls(codes, {term_uuid(t.value, c): (t, c) for t, c in codes}, venue)


@dataclass
class Parsed:
    record: ServiceRecord | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class _Reader:
    """Reads one service's JSON, collecting errors and warnings against its id."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, where: str, reason: str) -> None:
        self.errors.append(Problem(self.label, where, reason))

    def warn(self, where: str, reason: str) -> None:
        self.warnings.append(Problem(self.label, where, reason))

    def text(self, obj: Mapping[str, Any], key: str, where: str, limit: int | None = None) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(where, "must be a string")
            return ""
        value = value.strip()
        if limit is not None and len(value) > limit:
            self.error(where, f"is longer than {limit} characters")
            return ""
        return value

    def objects(self, obj: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, "must be a list")
            return []
        kept = []
        for n, item in enumerate(value):
            if isinstance(item, Mapping):
                kept.append(item)
            else:
                self.error(f"{where}[{n}]", "must be an object")
        return kept

    def email(self, obj: Mapping[str, Any], key: str, where: str) -> str | None:
        value = self.text(obj, key, where, 254)
        if value and not EMAIL.match(value):
            self.error(where, f"'{value}' is not an email address")
            return None
        return value or None

    def url(self, obj: Mapping[str, Any], key: str, where: str) -> str | None:
        value = self.text(obj, key, where, 500)
        if not value:
            return None
        if "://" not in value and re.match(r"^www\.[^\s/]+\.[^\s]+$", value, re.IGNORECASE):
            value = "https://" + value
        parts = urlsplit(value) if URI_CHARS.match(value) else None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            self.error(where, f"'{value}' is not a web address (http:// or https://)")
            return None
        return value

    def age(self, obj: Mapping[str, Any], key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.error(key, "must be a whole number of years")
            return None
        if not 0 <= value <= 150:
            self.error(key, "must be from 0 to 150")
            return None
        return int(value)


def parse_service(
    raw: object, terms: TermIndex, locate: Locate | None = None, position: int = 0
) -> Parsed:
    """Read one HSDS service. The record is None when there were errors."""
    if isinstance(raw, Unreadable):
        return Parsed(None, [Problem(raw.id, "", raw.reason)])
    if not isinstance(raw, Mapping):
        return Parsed(None, [Problem(f"record {position + 1}", "", "is not a JSON object")])
    service_id = ids.external_id("service", raw.get("id"))
    r = _Reader(service_id or f"record {position + 1}")
    if service_id is None:
        r.error("id", "is missing")
    name = r.text(raw, "name", "name", 200)
    if not name and not any(p.field == "name" for p in r.errors):
        r.error("name", "is missing")
    status = _status(r, raw)
    organization = _organization(r, raw)
    min_age, max_age = r.age(raw, "minimum_age"), r.age(raw, "maximum_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        r.error("minimum_age", "is more than maximum_age")
    locations, sal_locations = _locations(r, raw, terms, locate)
    is_free, cost = _cost(r, raw)
    our_terms, external = _attributes(r, raw, terms)
    venue_codes = {code for loc in locations for code in loc.access}
    # A venue access fact said of the service is a fact about its venues: keep it on the
    # service only where no venue already says it (spec: venues carry accessibility[]).
    our_terms = {(t, c) for t, c in our_terms if not (c in VENUE_ACCESS and c in venue_codes)}
    sessions, by_appointment = _schedules(r, raw, sal_locations, {loc.id for loc in locations})
    record = ServiceRecord(
        id=service_id or "",
        name=name,
        status=status or ServiceStatus.ACTIVE,
        organization=organization or OrganizationRecord("", None),
        description=r.text(raw, "description", "description"),
        min_age=min_age,
        max_age=max_age,
        cost=cost,
        is_free=is_free,
        phone=_phone(r, raw, "phones"),
        email=r.email(raw, "email", "email"),
        website=r.url(raw, "url", "url"),
        by_appointment=by_appointment,
        first_visit=r.text(raw, "application_process", "application_process"),
        last_verified=_date(r, raw, "assured_date"),
        last_modified=_datetime(r, raw, "last_modified"),
        terms=tuple(sorted(our_terms)),
        external_terms=tuple(sorted(external.values(), key=lambda t: t.id)),
        locations=tuple(sorted(locations, key=lambda loc: loc.id)),
        sessions=tuple(sessions),
        languages=_languages(r, raw),
        coverage=_coverage(r, raw),
    )
    return Parsed(None if r.errors else record, r.errors, r.warnings)


def _status(r: _Reader, raw: Mapping[str, Any]) -> ServiceStatus | None:
    value = raw.get("status")
    if value is None:
        r.error("status", "is missing")
        return None
    found = STATUSES.get(str(value).strip().lower())
    if found is None:
        r.error("status", f"'{value}' is not an HSDS status ({', '.join(STATUSES)})")
    return found


def _organization(r: _Reader, raw: Mapping[str, Any]) -> OrganizationRecord | None:
    given = raw.get("organization")
    by_id = ids.external_id("organization", raw.get("organization_id"))
    if given is None:
        if by_id is None:
            r.error("organization", "is missing: every service needs an organization")
            return None
        return OrganizationRecord(by_id, None)
    if not isinstance(given, Mapping):
        r.error("organization", "must be an object")
        return None
    org_id = ids.external_id("organization", given.get("id")) or by_id
    if org_id is None:
        r.error("organization.id", "is missing")
        return None
    if by_id is not None and by_id != org_id:
        r.error("organization_id", "is not the id of the service's organization")
    name = r.text(given, "name", "organization.name", 200)
    if not name:
        return OrganizationRecord(org_id, None)
    return OrganizationRecord(
        id=org_id,
        name=name,
        description=r.text(given, "description", "organization.description"),
        email=r.email(given, "email", "organization.email"),
        phone=_phone(r, given, "phones", "organization.phones"),
        website=r.url(given, "website", "organization.website")
        or r.url(given, "url", "organization.url"),
    )


def _phone(r: _Reader, obj: Mapping[str, Any], key: str, where: str | None = None) -> str | None:
    where = where or key
    for n, phone in enumerate(r.objects(obj, key, where)):
        number = r.text(phone, "number", f"{where}[{n}].number", 40)
        if number:
            return number
    return None


def _date(r: _Reader, raw: Mapping[str, Any], key: str) -> date | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        r.error(key, f"'{value}' is not a date (YYYY-MM-DD)")
        return None


def _datetime(r: _Reader, raw: Mapping[str, Any], key: str) -> datetime | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    found = parse_datetime(str(value))
    if found is None:
        r.error(key, f"'{value}' is not a date and time")
    return found


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (no zone means UTC)."""
    text = text.strip().upper()
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # Python keeps microseconds at most
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    try:
        return found.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        return None


def _cost(r: _Reader, raw: Mapping[str, Any]) -> tuple[bool, str]:
    """(free?, cost text) from cost_options: amount 0 is free; descriptions become the text."""
    free, texts = False, []
    for n, option in enumerate(r.objects(raw, "cost_options", "cost_options")):
        amount = option.get("amount")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)):
            r.error(f"cost_options[{n}].amount", "must be a number")
            continue
        label = r.text(option, "option", f"cost_options[{n}].option")
        described = r.text(option, "amount_description", f"cost_options[{n}].amount_description")
        if amount == 0 or (amount is None and label.casefold() == "free"):
            free = True
        if described:
            texts.append(described)
        elif amount:
            price = f"£{amount:.2f}".replace(".00", "")
            texts.append(f"{label}: {price}" if label and label.casefold() != "free" else price)
        elif label and label.casefold() != "free":
            texts.append(label)
    cost = "; ".join(dict.fromkeys(texts))
    if len(cost) > 300:
        r.warn("cost_options", "the cost description was cut to 300 characters")
        cost = cost[:299].rstrip() + "…"
    return free, cost


def _languages(r: _Reader, raw: Mapping[str, Any]) -> tuple[str, ...]:
    codes = []
    for n, lang in enumerate(r.objects(raw, "languages", "languages")):
        code, name = lang.get("code"), lang.get("name")
        found = to_iso639_1(code if isinstance(code, str) else None, name if isinstance(name, str) else None)
        if found:
            codes.append(found)
        elif code or name:
            r.warn(f"languages[{n}]", f"'{code or name}' is not an ISO 639 language code; left out")
    return tuple(sorted(set(codes)))


def _coverage(r: _Reader, raw: Mapping[str, Any]) -> tuple[str, ...]:
    codes = []
    for n, area in enumerate(r.objects(raw, "service_areas", "service_areas")):
        text = str(area.get("name") or area.get("service_area") or "").strip()
        if is_outward_code(text) and " " not in text:
            codes.append(text.upper())
        else:
            r.warn(f"service_areas[{n}]", "only postcode districts (e.g. NE9) are kept; left out")
    return tuple(sorted(set(codes)))


def _locations(
    r: _Reader, raw: Mapping[str, Any], terms: TermIndex, locate: Locate | None
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
            venue = _location(r, given, f"{where}.location", terms, locate)
            if venue is None:
                continue
        venues.setdefault(venue.id, venue)
        sal_id = ids.canonical_uuid(sal.get("id"))
        if sal_id:
            sal_locations[sal_id] = venue.id
    return list(venues.values()), sal_locations


def _location(
    r: _Reader, loc: Mapping[str, Any], where: str, terms: TermIndex, locate: Locate | None
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
    r: _Reader, loc: Mapping[str, Any], where: str, postcode: str, locate: Locate | None
) -> tuple[float | None, float | None]:
    lat, lon = loc.get("latitude"), loc.get("longitude")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon))
    if numbers and -90 <= lat <= 90 and -180 <= lon <= 180:  # type: ignore[operator]
        return float(lat), float(lon)  # type: ignore[arg-type]
    if lat is not None or lon is not None:
        r.warn(f"{where}.latitude", "the position is not a valid latitude and longitude; left out")
    found = locate(postcode) if locate and postcode else None
    return found if found else (None, None)


def _attributes(
    r: _Reader, raw: Mapping[str, Any], terms: TermIndex
) -> tuple[set[tuple[Taxonomy, str]], dict[str, ExternalTermRecord]]:
    ours: set[tuple[Taxonomy, str]] = set()
    external: dict[str, ExternalTermRecord] = {}
    for n, attribute in enumerate(r.objects(raw, "attributes", "attributes")):
        where = f"attributes[{n}]"
        term = attribute.get("taxonomy_term")
        term_id = ids.canonical_uuid(attribute.get("taxonomy_term_id"))
        if term is not None and not isinstance(term, Mapping):
            r.error(f"{where}.taxonomy_term", "must be an object")
            continue
        term = term or {}
        term_id = term_id or ids.canonical_uuid(term.get("id"))
        detail = term.get("taxonomy_detail") if isinstance(term.get("taxonomy_detail"), Mapping) else {}
        taxonomy_name = str(term.get("taxonomy") or detail.get("name") or "").strip()
        code = str(term.get("code") or term.get("term") or "").strip()
        if taxonomy_name in {t.value for t in Taxonomy}:
            taxonomy = Taxonomy(taxonomy_name)
            if (taxonomy, code) in terms.codes:
                ours.add((taxonomy, code))
            elif term_id in terms.by_uuid:
                ours.add(terms.by_uuid[term_id])
            else:
                r.error(f"{where}.taxonomy_term", f"unknown {taxonomy_name} term '{code}'")
            continue
        if term_id in terms.by_uuid:
            ours.add(terms.by_uuid[term_id])
            continue
        found = _external_term(r, term, detail, term_id, taxonomy_name, code, where)
        if found is not None:
            external.setdefault(found.id, found)
    return ours, external


def _external_term(
    r: _Reader, term: Mapping[str, Any], detail: Mapping[str, Any], term_id: str | None,
    taxonomy_name: str, code: str, where: str,
) -> ExternalTermRecord | None:
    name = r.text(term, "name", f"{where}.taxonomy_term.name", 500) or code
    if not name:
        if term_id:
            return ExternalTermRecord(term_id, None)  # a bare reference: kept if we know it
        r.warn(where, "an attribute with no taxonomy term; left out")
        return None
    taxonomy_id = (ids.canonical_uuid(detail.get("id")) or ids.canonical_uuid(term.get("taxonomy_id"))
                   or (taxonomy_uuid(taxonomy_name) if taxonomy_name else None))
    taxonomy = None
    if taxonomy_id:
        label = taxonomy_name or str(detail.get("name") or "").strip() or "Unnamed taxonomy"
        taxonomy = TaxonomyRecord(
            id=taxonomy_id,
            name=label[:200],
            description=str(detail.get("description") or label).strip(),
            uri=_optional_url(detail.get("uri")),
            version=(str(detail["version"]).strip()[:100] or None) if detail.get("version") else None,
        )
    return ExternalTermRecord(
        id=term_id or ids.child_id("taxonomy_term", taxonomy_name, code or name),
        name=name,
        description=r.text(term, "description", f"{where}.taxonomy_term.description") or name,
        code=code[:200] or None,
        term_uri=_optional_url(term.get("term_uri")),
        parent_id=ids.canonical_uuid(term.get("parent_id")),
        taxonomy=taxonomy,
    )


def _optional_url(value: object) -> str | None:
    """A URL we can pass on, or None: a bad link in a term's metadata is not worth a skip."""
    if not isinstance(value, str) or len(value) > 500 or not URI_CHARS.match(value.strip()):
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _schedules(
    r: _Reader, raw: Mapping[str, Any], sal_locations: Mapping[str, str], venue_ids: set[str]
) -> tuple[list[SessionRecord], bool]:
    found: list[SessionRecord] = []
    appointment = False
    listed: list[tuple[object, str | None, str]] = []
    if isinstance(raw.get("schedules"), list):
        listed += [(s, None, "schedules") for s in raw["schedules"]]
    elif raw.get("schedules") is not None:
        r.error("schedules", "must be a list")
    sals = raw.get("service_at_locations")
    for i, sal in enumerate(sals if isinstance(sals, list) else []):
        if isinstance(sal, Mapping) and isinstance(sal.get("schedules"), list):
            at_venue = sal_locations.get(ids.canonical_uuid(sal.get("id")) or "")
            listed += [(s, at_venue, f"service_at_locations[{i}].schedules") for s in sal["schedules"]]
    counters: dict[str, int] = {}
    for schedule, at_venue, base in listed:
        n = counters[base] = counters.get(base, -1) + 1
        where = f"{base}[{n}]"
        if not isinstance(schedule, Mapping):
            r.error(where, "must be an object")
            continue
        freq = str(schedule.get("freq") or "").strip().upper()
        byday = str(schedule.get("byday") or "").strip().upper()
        description = str(schedule.get("description") or "").strip()
        if not freq and not byday:
            if description.casefold().rstrip(".").startswith("by appointment"):
                appointment = True
            else:
                r.warn(where, "only weekly schedules (freq WEEKLY, byday, opens_at, closes_at) are kept")
            continue
        if freq not in ("", "WEEKLY") or (schedule.get("interval") not in (None, 1)):
            r.warn(where, f"only weekly schedules are kept; this one is {freq or 'not weekly'}")
            continue
        opens = _time(r, schedule, "opens_at", where)
        closes = _time(r, schedule, "closes_at", where)
        if opens is None or closes is None:
            if "opens_at" not in schedule or "closes_at" not in schedule:
                r.warn(where, "a weekly schedule needs opens_at and closes_at; left out")
            continue
        if closes <= opens:
            r.error(f"{where}.closes_at", "must be after opens_at")
            continue
        location_id = at_venue
        sal_id = ids.canonical_uuid(schedule.get("service_at_location_id"))
        if sal_id:
            location_id = sal_locations.get(sal_id)
            if location_id is None:
                r.warn(f"{where}.service_at_location_id", "is not one of the service's locations")
        elif schedule.get("location_id"):
            location_id = ids.external_id("location", schedule.get("location_id"))
        if location_id is not None and location_id not in venue_ids:
            location_id = None
        for token in (t.strip() for t in byday.split(",") if t.strip()):
            day = BYDAY.get(token)
            if day is None:
                r.warn(f"{where}.byday", f"'{token}' is not a day (MO to SU); left out")
                continue
            found.append(SessionRecord(day, opens, closes, location_id))
        if not byday:
            r.warn(f"{where}.byday", "a weekly schedule needs byday; left out")
    return found, appointment


def _time(r: _Reader, schedule: Mapping[str, Any], key: str, where: str) -> time | None:
    value = schedule.get(key)
    if value is None:
        return None
    match = TIME.match(str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
        r.error(f"{where}.{key}", f"'{value}' is not a time (HH:MM:SS)")
        return None
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def read_services(document: object) -> Iterable[object]:
    """The services in a document: a JSON list of services, or a paging envelope."""
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping) and isinstance(document.get("contents"), list):
        return document["contents"]
    if isinstance(document, Mapping) and "id" in document and "name" in document:
        return [document]
    raise ValueError("expected a JSON list of HSDS services or a page with 'contents'")
