"""HSDS service JSON -> ServiceRecord, following spec/hsds-mapping.md in the import direction.

Pure: no database, no Flask. Whatever makes a record wrong (a missing name, an unknown term
of our own taxonomies, a closing time before the opening time) is an error and the record is
skipped whole; whatever we cannot keep but can do without (a monthly schedule, a free-text
service area, a language with no code) is a warning and the rest of the record is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..geocoding import is_outward_code
from ..models import VENUE_ACCESS, ServiceStatus, Taxonomy
from . import ids
from .attributes import read_attributes
from .languages import to_iso639_1
from .reader import Locate, Reader, TermIndex, parse_datetime
from .records import LocationRecord, OrganizationRecord, Problem, ServiceRecord, Unreadable
from .schedules import read_schedules
from .shapes import detect, is_v1_service, v1_to_hsds3
from .text import html_to_text, strip_invisible
from .venues import read_venues

__all__ = ["Locate", "Parsed", "TermIndex", "parse_datetime", "parse_service", "read_services"]

STATUSES = {
    "active": ServiceStatus.ACTIVE,
    "temporarily closed": ServiceStatus.PAUSED,
    "inactive": ServiceStatus.PAUSED,
    "defunct": ServiceStatus.CLOSED,
}


@dataclass
class Parsed:
    record: ServiceRecord | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def parse_service(
    raw: object, terms: TermIndex, locate: Locate | None = None, position: int = 0
) -> Parsed:
    """Read one HSDS service. The record is None when there were errors."""
    if isinstance(raw, Unreadable):
        return Parsed(None, [Problem(raw.id, "", raw.reason)])
    if not isinstance(raw, Mapping):
        return Parsed(None, [Problem(f"record {position + 1}", "", "is not a JSON object")])
    if is_v1_service(raw):
        raw = v1_to_hsds3(raw)
    service_id = ids.external_id("service", raw.get("id"))
    # Problems name the record by the id the feed gave it, so people can find it there.
    own_id = raw.get("id")
    r = Reader(str(own_id).strip() if isinstance(own_id, str | int) and str(own_id).strip()
               else f"record {position + 1}")
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
    locations, sal_locations = read_venues(r, raw, terms, locate)
    is_free, cost = _cost(r, raw)
    suggested: set[tuple[Any, str]] = set()
    our_terms, external = read_attributes(r, raw, terms, suggested)
    # A listing tagged in our terms was placed by whoever tagged it; only an untagged feed
    # record with no venue gets one from the postcode its description gives.
    if not locations and service_id and not any(t is not Taxonomy.ACCESS for t, _ in our_terms):
        locations = _venue_from_text(r, raw, service_id, locate)
    venue_codes = {code for loc in locations for code in loc.access}
    # A venue access fact said of the service is a fact about its venues: keep it on the
    # service only where no venue already says it (spec: venues carry accessibility[]).
    our_terms = {(t, c) for t, c in our_terms if not (c in VENUE_ACCESS and c in venue_codes)}
    sessions, by_appointment, ended = read_schedules(
        r, raw, sal_locations, {loc.id for loc in locations})
    record = ServiceRecord(
        id=service_id or "",
        name=name,
        status=status or ServiceStatus.ACTIVE,
        organization=organization or OrganizationRecord("", None),
        description=html_to_text(r.text(raw, "description", "description")),
        min_age=min_age,
        max_age=max_age,
        cost=cost,
        is_free=is_free,
        phone=_phone(r, raw, "phones"),
        email=r.email(raw, "email", "email"),
        website=r.url(raw, "url", "url"),
        by_appointment=by_appointment,
        first_visit=html_to_text(r.text(raw, "application_process", "application_process")),
        last_verified=_date(r, raw, "assured_date"),
        last_modified=_datetime(r, raw, "last_modified"),
        terms=tuple(sorted(our_terms - suggested)),
        external_terms=tuple(sorted(external.values(), key=lambda t: t.id)),
        locations=tuple(sorted(locations, key=lambda loc: loc.id)),
        sessions=tuple(sessions),
        languages=_languages(r, raw),
        coverage=_coverage(r, raw),
        details=_details(r, raw, ended and not sessions),
        suggested=tuple(sorted(suggested & our_terms)),
    )
    return Parsed(None if r.errors else record, r.errors, r.warnings)


def _status(r: Reader, raw: Mapping[str, Any]) -> ServiceStatus | None:
    value = raw.get("status")
    if value is None:
        r.error("status", "is missing")
        return None
    found = STATUSES.get(str(value).strip().lower())
    if found is None:
        r.error("status", f"'{value}' is not an HSDS status ({', '.join(STATUSES)})")
    return found


def _organization(r: Reader, raw: Mapping[str, Any]) -> OrganizationRecord | None:
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
        description=html_to_text(r.text(given, "description", "organization.description")),
        email=r.email(given, "email", "organization.email", drop=True),
        phone=_phone(r, given, "phones", "organization.phones"),
        website=r.url(given, "website", "organization.website", drop=True)
        or r.url(given, "url", "organization.url", drop=True),
    )


def _phone(r: Reader, obj: Mapping[str, Any], key: str, where: str | None = None) -> str | None:
    where = where or key
    for n, phone in enumerate(r.objects(obj, key, where)):
        number = strip_invisible(r.text(phone, "number", f"{where}[{n}].number", 40)).strip()
        if number:
            return number
    return None


def _date(r: Reader, raw: Mapping[str, Any], key: str) -> date | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        r.error(key, f"'{value}' is not a date (YYYY-MM-DD)")
        return None


def _datetime(r: Reader, raw: Mapping[str, Any], key: str) -> datetime | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    found = parse_datetime(str(value))
    if found is None:
        r.error(key, f"'{value}' is not a date and time")
    return found


def _cost(r: Reader, raw: Mapping[str, Any]) -> tuple[bool, str]:
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
        currency = r.text(option, "currency", f"cost_options[{n}].currency").upper() or "GBP"
        price = _price(amount, currency) if amount else ""
        # A free option says so in words too, as the directory's own listings do ("Free").
        named = label if label and (label.casefold() != "free" or not (price or described)) else ""
        # Amount, currency and description together: "£35 per 1 hour session".
        # A description that gives its own figures ("£2 a session", "50p") is said as it is.
        priced = price if price and not any(c.isdigit() for c in described) else ""
        said = " ".join(p for p in (priced, described) if p)
        text = f"{named}: {said}" if named and said else (said or named)
        if text:
            texts.append(html_to_text(text))
    cost = "; ".join(dict.fromkeys(texts))
    if len(cost) > 300:
        r.warn("cost_options", "the cost description was cut to 300 characters")
        cost = cost[:299].rstrip() + "…"
    return free, cost


POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")


def _venue_from_text(
    r: Reader, raw: Mapping[str, Any], service_id: str, locate: Locate | None
) -> list[LocationRecord]:
    """A venue at the one full postcode a service's description gives, when it lists none."""
    text = str(raw.get("description") or "")
    found = sorted({f"{a} {b}" for a, b in POSTCODE.findall(text.upper())})
    if len(found) != 1 or locate is None:
        return []
    position = locate(found[0])
    if position is None:
        return []
    r.warn("service_at_locations", f"none listed; the venue was placed at {found[0]}, "
                                   "the postcode its description gives")
    return [LocationRecord(ids.child_id("location", service_id, found[0]),
                           f"{found[0]} (from the description)", postcode=found[0],
                           latitude=position[0], longitude=position[1])]


CURRENCIES = {"GBP": "£", "EUR": "€", "USD": "$"}


def _price(amount: float, currency: str) -> str:
    number = f"{amount:.2f}".removesuffix(".00")
    symbol = CURRENCIES.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


# Service fields we keep and show as the feed said them (Service.details).
DETAIL_TEXTS = ("alternate_name", "fees_description", "eligibility_description", "wait_time")


def _details(r: Reader, raw: Mapping[str, Any], only_ended: bool) -> str:
    """The feed's own words we keep and show, as canonical JSON ("" when there are none)."""
    out: dict[str, Any] = {}
    for key in DETAIL_TEXTS:
        text = html_to_text(r.text(raw, key, key))
        if text:
            out[key] = text
    contacts = []
    for n, contact in enumerate(r.objects(raw, "contacts", "contacts")):
        where = f"contacts[{n}]"
        found = {k: r.text(contact, k, f"{where}.{k}", 200)
                 for k in ("name", "title", "department")}
        found["email"] = r.email(contact, "email", f"{where}.email", drop=True) or ""
        found["phone"] = _phone(r, contact, "phones", f"{where}.phones") or ""
        found = {k: v for k, v in found.items() if v}
        if found:
            contacts.append(found)
    if contacts:
        out["contacts"] = contacts
    if only_ended:
        out["schedule_note"] = "The sessions this feed lists have ended."
    return json.dumps(out, sort_keys=True, ensure_ascii=False) if out else ""


def _languages(r: Reader, raw: Mapping[str, Any]) -> tuple[str, ...]:
    codes = []
    for n, lang in enumerate(r.objects(raw, "languages", "languages")):
        code, name = lang.get("code"), lang.get("name")
        found = to_iso639_1(code if isinstance(code, str) else None,
                            name if isinstance(name, str) else None)
        if found:
            codes.append(found)
        elif code or name:
            r.warn(f"languages[{n}]", f"'{code or name}' is not an ISO 639 language code; left out")
    return tuple(sorted(set(codes)))


def _coverage(r: Reader, raw: Mapping[str, Any]) -> tuple[str, ...]:
    codes = []
    for n, area in enumerate(r.objects(raw, "service_areas", "service_areas")):
        text = str(area.get("name") or area.get("service_area") or "").strip()
        if is_outward_code(text) and " " not in text:
            codes.append(text.upper())
        else:
            r.warn(f"service_areas[{n}]", "only postcode districts (e.g. NE9) are kept; left out")
    return tuple(sorted(set(codes)))


def read_services(document: object) -> Iterable[object]:
    """The services in a document: a list of services, or a paging envelope (HSDS 3 or v1)."""
    return detect(document)[1]
