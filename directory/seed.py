"""Load a catalogue (organisations, venues, services) into the database, once.

Used by `directory seed` for the demo catalogue in seed_data/demo/, and by the evaluation
tools for judged collections. Takes a Session, flushes, never commits. A service whose id is
already present is left alone, so loading twice changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts
from .models import (
    VENUE_ACCESS,
    CoverageArea,
    Location,
    Organization,
    Service,
    ServiceLanguage,
    ServiceStatus,
    Taxonomy,
    Term,
    User,
    WeeklySession,
)
from .vocabulary import HSDS_NAMESPACE, terms_by_key

TERM_FIELDS = {
    "categories": Taxonomy.CATEGORY,
    "activities": Taxonomy.ACTIVITY,
    "conditions": Taxonomy.CONDITION,
    "access": Taxonomy.ACCESS,
}


class SeedError(ValueError):
    """A record in a catalogue file is not usable; the message names the record and field."""


@dataclass
class Catalogue:
    organizations: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    services: list[dict[str, Any]]
    accounts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LoadReport:
    created: int = 0
    unchanged: int = 0
    users_created: int = 0


def read_catalogue(folder: Path) -> Catalogue:
    """Read organizations.json, locations.json, services.json (and accounts.json) from folder."""

    def read(name: str, required: bool = True) -> list[dict[str, Any]]:
        path = folder / name
        if not path.exists():
            if required:
                raise SeedError(f"{path} is missing")
            return []
        with path.open(encoding="utf-8") as handle:
            return list(json.load(handle))

    return Catalogue(
        read("organizations.json"),
        read("locations.json"),
        read("services.json"),
        read("accounts.json", required=False),
    )


def load_catalogue(session: Session, catalogue: Catalogue, source: str = "demo") -> LoadReport:
    """Insert what is not there yet. Raises SeedError before writing anything invalid."""
    report = LoadReport()
    terms = terms_by_key(session)
    if not terms:
        raise SeedError("The vocabulary is not loaded: run `directory init` first")
    orgs = {o.public_id: o for o in session.scalars(select(Organization))}
    for rec in catalogue.organizations:
        if rec["id"] not in orgs:
            orgs[rec["id"]] = _organization(rec)
            session.add(orgs[rec["id"]])
    venues = {v.public_id: v for v in session.scalars(select(Location))}
    for rec in catalogue.locations:
        if rec["id"] not in venues:
            venues[rec["id"]] = _location(rec, terms)
            session.add(venues[rec["id"]])
    existing = set(session.scalars(select(Service.public_id)))
    for rec in catalogue.services:
        if rec["id"] in existing:
            report.unchanged += 1
            continue
        session.add(_service(rec, orgs, venues, terms, source))
        existing.add(rec["id"])
        report.created += 1
    for rec in catalogue.accounts:
        if accounts.find_user_by_email(session, rec["email"]) is None:
            _account(session, rec, orgs)
            report.users_created += 1
    session.flush()
    return report


def _organization(rec: Mapping[str, Any]) -> Organization:
    return Organization(
        public_id=rec["id"],
        name=rec["name"],
        description=rec.get("description") or "",
        email=rec.get("email"),
        phone=rec.get("phone"),
        website=rec.get("website"),
    )


def _location(rec: Mapping[str, Any], terms: Mapping[tuple[Taxonomy, str], Term]) -> Location:
    where = f"location {rec.get('id')} ({rec.get('name')})"
    access = [_term(terms, Taxonomy.ACCESS, code, where, "access")
              for code in rec.get("access", [])]
    return Location(
        public_id=rec["id"],
        name=rec["name"],
        address_1=rec.get("address_1") or "",
        address_2=rec.get("address_2") or "",
        town=rec.get("town") or "",
        postcode=rec.get("postcode") or "",
        latitude=rec.get("latitude"),
        longitude=rec.get("longitude"),
        access_notes=rec.get("access_notes") or "",
        access_terms=access,
    )


def _term(
    terms: Mapping[tuple[Taxonomy, str], Term], taxonomy: Taxonomy, code: str, where: str, name: str
) -> Term:
    term = terms.get((taxonomy, code))
    if term is None:
        raise SeedError(f"{where}: {name}: unknown term '{code}'")
    return term


def _service(
    rec: Mapping[str, Any],
    orgs: Mapping[str, Organization],
    venues: Mapping[str, Location],
    terms: Mapping[tuple[Taxonomy, str], Term],
    source: str,
) -> Service:
    where = f"service {rec.get('id')} ({rec.get('name')})"
    org = orgs.get(rec.get("organization_id", ""))
    if org is None:
        raise SeedError(f"{where}: organization_id: unknown organisation")
    chosen = [_term(terms, tax, code, where, key) for key, tax in TERM_FIELDS.items()
              for code in rec.get(key, [])]
    if rec.get("intensity"):
        chosen.append(_term(terms, Taxonomy.INTENSITY, rec["intensity"], where, "intensity"))
    locations = []
    for venue_id in rec.get("location_ids", []):
        if venue_id not in venues:
            raise SeedError(f"{where}: location_ids: unknown location {venue_id}")
        locations.append(venues[venue_id])
    try:
        status = ServiceStatus(rec.get("status", "active"))
    except ValueError:
        raise SeedError(f"{where}: status: '{rec.get('status')}' is not a status") from None
    service = Service(
        public_id=rec["id"],
        organization=org,
        name=rec["name"],
        description=rec.get("description") or "",
        status=status,
        min_age=rec.get("min_age"),
        max_age=rec.get("max_age"),
        cost=rec.get("cost") or "",
        is_free=bool(rec.get("free", "free" in rec.get("access", []))),
        phone=rec.get("phone"),
        email=rec.get("email"),
        website=rec.get("website"),
        by_appointment=bool(rec.get("by_appointment")),
        first_visit=rec.get("first_visit") or "",
        accepts_referrals=bool(rec.get("accepts_referrals")),
        referral_needs=rec.get("referral_needs") or "",
        last_verified=(date.fromisoformat(rec["last_verified"]) if rec.get("last_verified")
                       else None),
        source=source,
        terms=chosen,
        locations=locations,
        language_rows=[ServiceLanguage(code=c)
                       for c in dict.fromkeys(rec.get("languages") or ["en"])],
        coverage_rows=[CoverageArea(outward_code=c.upper()) for c in
                       dict.fromkeys(rec.get("coverage_outward_codes") or [])],
    )
    for session_rec in rec.get("schedule", []):
        venue = venues.get(session_rec.get("location_id") or "")
        service.sessions.append(
            WeeklySession(
                day=session_rec["day"],
                starts_at=time.fromisoformat(session_rec["start"]),
                ends_at=time.fromisoformat(session_rec["end"]),
                location=venue,
            )
        )
    return service


def _account(session: Session, rec: Mapping[str, Any], orgs: Mapping[str, Organization]) -> User:
    members = [orgs[i] for i in rec.get("organization_ids", []) if i in orgs]
    return accounts.create_user(session, rec["email"], rec["password"], rec["role"], members)


# --- the flat judged-collection format (shared/eval-dev/catalog.json) ------------------------


def service_uuid(source_id: str) -> str:
    """The HSDS id of a service imported without a UUID (spec/hsds-mapping.md)."""
    return str(uuid.uuid5(HSDS_NAMESPACE, f"service:{source_id}"))


def from_flat(items: Iterable[Mapping[str, Any]]) -> Catalogue:
    """Convert the flat catalogue format (one object per service) into a Catalogue.

    Service ids become uuid5("service:" + id); venue access facts move onto the venues.
    """
    orgs: dict[str, dict[str, Any]] = {}
    venues: dict[str, dict[str, Any]] = {}
    services = []
    for item in items:
        org_id = str(uuid.uuid5(HSDS_NAMESPACE, f"organization:{item['organization']}"))
        orgs.setdefault(org_id, {"id": org_id, "name": item["organization"],
                                 "description": item["organization"]})
        venue_access = [a for a in item.get("access", []) if a in VENUE_ACCESS]
        location_ids = []
        for loc in item.get("locations", []):
            key = f"location:{item['id']}:{loc['name']}:{loc.get('postcode', '')}"
            venue_id = str(uuid.uuid5(HSDS_NAMESPACE, key))
            address, _, town = loc.get("address", "").rpartition(", ")
            venues[venue_id] = {
                "id": venue_id, "name": loc["name"], "address_1": address or loc.get("address", ""),
                "town": town, "postcode": loc.get("postcode", ""), "latitude": loc["latitude"],
                "longitude": loc["longitude"], "access": venue_access,
            }
            location_ids.append(venue_id)
        contact = item.get("contact") or {}
        services.append({
            **{k: item.get(k) for k in ("name", "description", "status", "categories", "activities",
                                         "conditions", "intensity", "languages", "min_age",
                                         "max_age", "coverage_outward_codes", "by_appointment",
                                         "cost", "last_verified")},
            "id": service_uuid(item["id"]),
            "organization_id": org_id,
            "access": [a for a in item.get("access", []) if a not in VENUE_ACCESS],
            "location_ids": location_ids,
            "schedule": [{**s, "location_id": None} for s in item.get("schedule", [])],
            "free": "free" in item.get("access", []),
            "phone": contact.get("phone"), "email": contact.get("email"),
            "website": contact.get("website"),
        })
    return Catalogue(list(orgs.values()), list(venues.values()), services)
