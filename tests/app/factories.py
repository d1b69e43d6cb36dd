"""make_* helpers that build valid rows and commit them, so each test states only what matters."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import accounts
from directory.models import (
    Location,
    Organization,
    Role,
    Service,
    ServiceLanguage,
    ServiceStatus,
    Taxonomy,
    Term,
    User,
    WeeklySession,
)


def term(db: Session, taxonomy: Taxonomy, code: str) -> Term:
    found = db.scalar(select(Term).where(Term.taxonomy == taxonomy, Term.code == code))
    assert found is not None, f"no term {taxonomy}:{code}"
    return found


def make_org(db: Session, name: str = "Benwell Breathers", **fields: Any) -> Organization:
    org = Organization(name=name, **fields)
    db.add(org)
    db.commit()
    return org


def make_location(db: Session, name: str = "Fenham Hall", **fields: Any) -> Location:
    values: dict[str, Any] = {
        "address_1": "1 Fenham Hall Drive", "town": "Fenham", "postcode": "NE4 9XA",
        "latitude": 54.9812, "longitude": -1.6553,
    }
    values.update(fields)
    loc = Location(name=name, **values)
    db.add(loc)
    db.commit()
    return loc


def make_service(
    db: Session,
    name: str = "Breathe Easy Fenham",
    *,
    org: Organization | None = None,
    status: ServiceStatus = ServiceStatus.ACTIVE,
    activities: tuple[str, ...] = ("breathing-support",),
    categories: tuple[str, ...] = ("ltc-management",),
    sessions: tuple[tuple[str, str, str], ...] = (("tue", "10:00", "11:30"),),
    locations: tuple[Location, ...] | None = None,
    **fields: Any,
) -> Service:
    org = org or make_org(db, f"{name} group")
    terms = [term(db, Taxonomy.CATEGORY, c) for c in categories]
    terms += [term(db, Taxonomy.ACTIVITY, a) for a in activities]
    service = Service(
        name=name,
        organization=org,
        status=status,
        terms=terms,
        locations=list(locations) if locations is not None else [make_location(db)],
        language_rows=[ServiceLanguage(code="en")],
        last_verified=fields.pop("last_verified", date(2026, 11, 1)),
        description=fields.pop("description", f"{name}: a friendly weekly group."),
        **fields,
    )
    for day, start, end in sessions:
        service.sessions.append(
            WeeklySession(day=day, starts_at=time.fromisoformat(start), ends_at=time.fromisoformat(end))
        )
    db.add(service)
    db.commit()
    return service


def make_user(
    db: Session,
    email: str = "worker@example.org",
    role: Role = Role.LINK_WORKER,
    *,
    password: str = "correct horse battery",
    organizations: tuple[Organization, ...] = (),
) -> User:
    user = accounts.create_user(db, email, password, role, organizations)
    db.commit()
    return user
