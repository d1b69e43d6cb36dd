"""Our rows -> HSDS 3.0 / ORUK 3.0 JSON, following spec/hsds-mapping.md.

Pure functions over loaded ORM objects. HSDS allows no null: an optional field with no value
is left out, a required one is always written. The same functions serve the API, the export
command and the round trip tests, so all three say the same thing about a service.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from ..models import (
    SECTIONS,
    Day,
    ExternalTaxonomy,
    ExternalTerm,
    Location,
    Organization,
    Service,
    ServiceStatus,
    SuggestionState,
    Taxonomy,
)
from ..vocabulary import Vocabulary, taxonomy_uuid, term_uuid
from .attributes import SUGGESTED_LABEL
from .ids import child_id, service_at_location_id
from .languages import name_of
from .records import DAY_ORDER

Json = dict[str, Any]
County = Callable[[str], str]

STATUS = {
    ServiceStatus.ACTIVE: "active",
    ServiceStatus.PAUSED: "temporarily closed",
    ServiceStatus.CLOSED: "defunct",
    ServiceStatus.DRAFT: "inactive",
    ServiceStatus.PENDING: "inactive",
}
BYDAY = {Day.MON: "MO", Day.TUE: "TU", Day.WED: "WE", Day.THU: "TH", Day.FRI: "FR",
         Day.SAT: "SA", Day.SUN: "SU"}
SECTION_OF = {taxonomy: section for section, taxonomy in SECTIONS.items()}
TAXONOMY_ORDER = {taxonomy: n for n, taxonomy in enumerate(SECTIONS.values())}
PRICE = re.compile(r"£\s?(\d+(?:\.\d{1,2})?)")
BY_APPOINTMENT = "By appointment"


def _put(out: Json, key: str, value: Any) -> None:
    """Set an optional field only when it has a value (HSDS has no null)."""
    if value is not None and value != "" and value != []:
        out[key] = value


def timestamp(value: datetime | None) -> str | None:
    """An HSDS date-time in UTC, to the second: 2026-11-25T18:34:02Z."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- taxonomies and terms -------------------------------------------------------------------


def our_taxonomy(taxonomy: Taxonomy, vocab: Vocabulary) -> Json:
    section = SECTION_OF[taxonomy]
    return {
        "id": taxonomy_uuid(taxonomy.value),
        "name": taxonomy.value,
        "description": f"Social prescribing {section}: the directory's controlled vocabulary",
        "version": str(vocab.raw.get("version", 1)),
    }


def our_term(taxonomy: Taxonomy, code: str, vocab: Vocabulary) -> Json:
    """A term of our vocabulary, exactly as the mapping's attribute example shows it."""
    label = vocab.label(SECTION_OF[taxonomy], code)
    return {
        "id": term_uuid(taxonomy.value, code),
        "code": code,
        "term": code,
        "name": label,
        "description": label,
        "taxonomy": taxonomy.value,
        "taxonomy_id": taxonomy_uuid(taxonomy.value),
    }


def external_taxonomy(taxonomy: ExternalTaxonomy) -> Json:
    out: Json = {"id": taxonomy.public_id, "name": taxonomy.name,
                 "description": taxonomy.description or taxonomy.name}
    _put(out, "uri", taxonomy.uri)
    _put(out, "version", taxonomy.version)
    return out


def external_term(term: ExternalTerm) -> Json:
    out: Json = {"id": term.public_id}
    _put(out, "code", term.code)
    _put(out, "term", term.code)
    out["name"] = term.name
    out["description"] = term.description or term.name
    if term.taxonomy is not None:
        out["taxonomy"] = term.taxonomy.name
        out["taxonomy_id"] = term.taxonomy.public_id
        out["taxonomy_detail"] = external_taxonomy(term.taxonomy)
    _put(out, "parent_id", term.parent_public_id)
    _put(out, "term_uri", term.term_uri)
    return out


def _attribute(service_id: str, term: Json, key: str) -> Json:
    return {
        "id": child_id("attr", service_id, key),
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def service_codes(service: Service, vocab: Vocabulary) -> list[tuple[Taxonomy, str]]:
    """The service's vocabulary terms with its venues' access facts, in vocabulary order."""
    codes = {(t.taxonomy, t.code) for t in service.terms}
    codes |= {(Taxonomy.ACCESS, t.code) for loc in service.locations for t in loc.access_terms}
    order = {(taxonomy, item["id"]): n for section, taxonomy in SECTIONS.items()
             for n, item in enumerate(vocab.section(section))}
    return sorted(codes, key=lambda tc: (TAXONOMY_ORDER[tc[0]], order.get(tc, len(order)), tc[1]))


def attributes(service: Service, vocab: Vocabulary, external: Sequence[ExternalTerm]) -> list[Json]:
    """Our terms, then other taxonomies'; terms the directory only suggested say so in `label`."""
    sid = service.public_id
    applied = {s.term_id for s in service.suggestions
               if s.applied and s.state is SuggestionState.SUGGESTED}
    suggested = {(t.taxonomy, t.code) for t in service.terms if t.id in applied}
    ours = []
    for t, c in service_codes(service, vocab):
        item = _attribute(sid, our_term(t, c, vocab), f"{t.value}:{c}")
        if (t, c) in suggested:
            item["label"] = SUGGESTED_LABEL
        ours.append(item)
    theirs = sorted(external,
                    key=lambda t: (t.taxonomy.name if t.taxonomy else "", t.name, t.public_id))
    return ours + [_attribute(sid, external_term(t), t.public_id) for t in theirs]


# --- organisations and venues ---------------------------------------------------------------


def organization(org: Organization) -> Json:
    out: Json = {"id": org.public_id, "name": org.name, "description": org.description or org.name}
    _put(out, "email", org.email)
    _put(out, "website", org.website)
    if org.phone:
        out["phones"] = [{"id": child_id("phone", org.public_id), "organization_id": org.public_id,
                          "number": org.phone}]
    return out


def location(loc: Location, vocab: Vocabulary, county: County) -> Json:
    lid = loc.public_id
    out: Json = {"id": lid, "location_type": "physical", "name": loc.name}
    if loc.latitude is not None and loc.longitude is not None:
        out["latitude"], out["longitude"] = loc.latitude, loc.longitude
    if loc.address_1 or loc.town or loc.postcode:
        address: Json = {"id": child_id("address", lid), "location_id": lid,
                         "address_1": loc.address_1}
        _put(address, "address_2", loc.address_2)
        address.update({"city": loc.town, "state_province": county(loc.postcode),
                        "postal_code": loc.postcode, "country": "GB", "address_type": "physical"})
        out["addresses"] = [address]
    access = [
        {"id": child_id("acc", lid, t.code), "location_id": lid,
         "description": vocab.label("access", t.code)}
        for t in sorted(loc.access_terms, key=lambda t: t.code)
    ]
    if loc.access_notes:
        access.append({"id": child_id("acc", lid, "notes"), "location_id": lid,
                       "description": loc.access_notes})
    _put(out, "accessibility", access)
    return out


def service_at_location(service: Service, loc: Location, vocab: Vocabulary, county: County) -> Json:
    return {
        "id": service_at_location_id(service.public_id, loc.public_id),
        "service_id": service.public_id,
        "location_id": loc.public_id,
        "location": location(loc, vocab, county),
    }


# --- services -------------------------------------------------------------------------------


def service_summary(service: Service) -> Json:
    """The one-to-one fields and the organisation: an item of GET /services."""
    out: Json = {"id": service.public_id, "organization_id": service.organization.public_id,
                 "name": service.name}
    _put(out, "description", service.description)
    _put(out, "url", service.website)
    _put(out, "email", service.email)
    out["status"] = STATUS[service.status]
    _put(out, "minimum_age", service.min_age)
    _put(out, "maximum_age", service.max_age)
    _put(out, "assured_date", service.last_verified.isoformat() if service.last_verified else None)
    _put(out, "last_modified", timestamp(service.updated_at))
    _put(out, "application_process", service.first_visit)
    out["organization"] = organization(service.organization)
    return out


def service_minimal(service: Service) -> Json:
    out: Json = {"id": service.public_id}
    _put(out, "last_modified", timestamp(service.updated_at))
    return out


def venues(service: Service) -> list[Location]:
    """The service's venues in a fixed order, however they were loaded."""
    return sorted(service.locations, key=lambda loc: (loc.name, loc.public_id))


def service_full(
    service: Service, vocab: Vocabulary, external: Sequence[ExternalTerm], county: County
) -> Json:
    """The fully nested service of GET /services/{id} and of the export."""
    sid = service.public_id
    out = service_summary(service)
    if service.phone:
        out["phones"] = [{"id": child_id("phone", sid), "service_id": sid, "number": service.phone}]
    _put(out, "schedules", schedules(service))
    _put(out, "service_areas", [
        {"id": child_id("area", sid, code), "service_id": sid, "name": code,
         "extent_type": "text"}
        for code in sorted(service.coverage)
    ])
    # Always there, empty for a service with no venue: a client reads "fully nested" from it.
    out["service_at_locations"] = [
        service_at_location(service, loc, vocab, county) for loc in venues(service)]
    _put(out, "languages", [_language(sid, code) for code in sorted(service.languages)])
    _put(out, "cost_options", cost_options(service))
    _put(out, "attributes", attributes(service, vocab, external))
    details = service.feed_details
    for key in ("alternate_name", "fees_description", "eligibility_description", "wait_time"):
        _put(out, key, details.get(key))
    _put(out, "contacts", [_contact(sid, n, c) for n, c in enumerate(details.get("contacts", []))])
    return out


def _contact(service_id: str, n: int, given: Json) -> Json:
    cid = child_id("contact", service_id, n)
    out: Json = {"id": cid, "service_id": service_id}
    for key in ("name", "title", "department", "email"):
        _put(out, key, given.get(key))
    if given.get("phone"):
        out["phones"] = [{"id": child_id("phone", cid), "contact_id": cid,
                          "number": given["phone"]}]
    return out


def _language(service_id: str, code: str) -> Json:
    out: Json = {"id": child_id("lang", service_id, code), "service_id": service_id,
                 "code": code}
    _put(out, "name", name_of(code))
    return out


def schedules(service: Service) -> list[Json]:
    sid = service.public_id
    venues = {loc.id for loc in service.locations}
    out = []
    ordered = sorted(service.sessions, key=lambda s: (
        DAY_ORDER[Day(s.day)], s.starts_at, s.ends_at, s.location.public_id if s.location else ""))
    for n, session in enumerate(ordered):
        item: Json = {"id": child_id("sched", sid, n), "service_id": sid}
        if session.location is not None and session.location.id in venues:
            item["service_at_location_id"] = service_at_location_id(sid, session.location.public_id)
        item.update({"freq": "WEEKLY", "byday": BYDAY[Day(session.day)],
                     "opens_at": session.starts_at.strftime("%H:%M:%S"),
                     "closes_at": session.ends_at.strftime("%H:%M:%S")})
        out.append(item)
    if service.by_appointment:
        out.append({"id": child_id("sched", sid, len(ordered)), "service_id": sid,
                    "description": BY_APPOINTMENT})
    return out


def cost_options(service: Service) -> list[Json]:
    sid = service.public_id
    option: Json = {"id": child_id("cost", sid), "service_id": sid}
    if service.is_free:
        option.update({"amount": 0, "option": "Free"})
        _put(option, "amount_description", service.cost)
        return [option]
    if not service.cost:
        return []
    price = PRICE.search(service.cost)
    if price and float(price[1]) > 0:  # an amount of 0 would read back as free
        amount = float(price[1])
        option["amount"] = int(amount) if amount.is_integer() else amount
    option.update({"currency": "GBP", "amount_description": service.cost})
    return [option]


def services_full(
    services: Iterable[Service],
    vocab: Vocabulary,
    external: dict[int, list[ExternalTerm]],
    county: County,
) -> list[Json]:
    return [service_full(s, vocab, external.get(s.id, []), county) for s in services]
