"""Read queries used by the public pages and the API. Take a Session; never write."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .models import Location, Service, ServiceStatus, Taxonomy, Term, WeeklySession, service_terms


def full_service_options() -> list:  # type: ignore[type-arg]
    """Everything a service page, or a fully nested HSDS service, shows, in a few queries."""
    return [
        selectinload(Service.organization),
        selectinload(Service.terms),
        selectinload(Service.locations).selectinload(Location.access_terms),
        selectinload(Service.sessions).selectinload(WeeklySession.location),
        selectinload(Service.language_rows),
        selectinload(Service.coverage_rows),
    ]


def active_services(session: Session, public_ids: Iterable[str]) -> dict[str, Service]:
    """public id -> service, for those of the ids that are active (the index may lag)."""
    ids = list(public_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(Service)
        .where(Service.public_id.in_(ids), Service.status == ServiceStatus.ACTIVE)
        .options(*full_service_options())
    )
    return {s.public_id: s for s in rows}


def find_active_service(session: Session, public_id: str) -> Service | None:
    """The active service with this public id, or None (unknown, draft, paused or closed)."""
    if len(public_id) > 36 or "\x00" in public_id:  # no id is longer; PostgreSQL refuses NUL
        return None
    return session.scalar(
        select(Service)
        .where(Service.public_id == public_id, Service.status == ServiceStatus.ACTIVE)
        .options(*full_service_options())
    )


def count_active_services(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Service).where(Service.status == ServiceStatus.ACTIVE)
    ) or 0


def category_counts(session: Session) -> list[tuple[Term, int]]:
    """Every category with how many active services it has, in vocabulary order of label."""
    count = func.count(Service.id)
    rows = session.execute(
        select(Term, count)
        .outerjoin(service_terms, service_terms.c.term_id == Term.id)
        .outerjoin(
            Service,
            (Service.id == service_terms.c.service_id) & (Service.status == ServiceStatus.ACTIVE),
        )
        .where(Term.taxonomy == Taxonomy.CATEGORY)
        .group_by(Term.id)
        .order_by(Term.label)
    ).all()
    return [(term, n) for term, n in rows]
