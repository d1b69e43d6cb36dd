"""Read queries for the public pages: only active services, with what the pages show loaded.

These belong with the other read queries in directory/browse.py; they live here until that
module can take them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Location, Service, ServiceStatus, WeeklySession


def _loaded() -> list:  # type: ignore[type-arg]
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
        .options(*_loaded())
    )
    return {s.public_id: s for s in rows}


def find_active_service(session: Session, public_id: str) -> Service | None:
    """The active service with this public id, or None (unknown, draft, paused or closed)."""
    if len(public_id) > 36 or "\x00" in public_id:  # no id is longer; PostgreSQL refuses NUL
        return None
    return session.scalar(
        select(Service)
        .where(Service.public_id == public_id, Service.status == ServiceStatus.ACTIVE)
        .options(*_loaded())
    )
