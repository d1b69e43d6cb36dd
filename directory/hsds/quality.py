"""What an import left to act on: a CSV of every problem, a data-quality summary, and
marking a whole stale import as checked (one audited action)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import audit, freshness
from ..models import (
    Service,
    SuggestionState,
    TagSuggestion,
    Taxonomy,
    Term,
    WeeklySession,
    service_locations,
    service_terms,
)
from .records import Problem


def write_problems(path: Path, skipped: Sequence[Problem], warnings: Sequence[Problem],
                   changes: Sequence[Problem] = ()) -> None:
    """One CSV row per skipped record's reason, per warning and per field an update changed:
    kind, id, field, reason."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["kind", "record_id", "field", "reason"])
        for kind, problems in (("skipped", skipped), ("warning", warnings), ("updated", changes)):
            for p in problems:
                out.writerow([kind, p.record, p.field, p.reason])


@dataclass
class Quality:
    services: int
    no_location: int
    no_schedule: int
    no_contact: int
    stale: int  # last verified more than 12 months ago: left out of matching until checked
    no_suggested_tag: int
    no_activity: int

    def lines(self) -> list[str]:
        return [
            f"{self.services} services from this source:",
            f"  {self.stale} stale (their own dates say not checked for 12 months; the matcher "
            "leaves them out until an admin marks the import checked)",
            f"  {self.no_location} without a location, {self.no_schedule} without a schedule, "
            f"{self.no_contact} without a phone, email or website",
            f"  {self.no_activity} with no activity, {self.no_suggested_tag} with no suggested tag",
        ]


def quality(session: Session, source: str, today: date) -> Quality:
    ids = sa.select(Service.id).where(Service.source == source).scalar_subquery()

    def count(*where: sa.ColumnElement[bool]) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(Service)
                              .where(Service.id.in_(ids), *where)) or 0

    activity = (sa.select(service_terms.c.service_id).join(Term, Term.id == service_terms.c.term_id)
                .where(Term.taxonomy == Taxonomy.ACTIVITY))
    return Quality(
        services=count(),
        no_location=count(Service.id.not_in(sa.select(service_locations.c.service_id))),
        no_schedule=count(Service.id.not_in(sa.select(WeeklySession.service_id)),
                          Service.by_appointment.is_(False)),
        no_contact=count(Service.phone.is_(None), Service.email.is_(None),
                         Service.website.is_(None)),
        stale=count(Service.last_verified < freshness.expired_before(today)),
        no_suggested_tag=count(Service.id.not_in(sa.select(TagSuggestion.service_id))),
        no_activity=count(Service.id.not_in(activity)),
    )


def mark_checked(session: Session, source: str, today: date) -> int:
    """Confirm every service of one import as checked today: one audited action. Flushes."""
    services = list(session.scalars(sa.select(Service).where(Service.source == source)))
    audit.mark(session, "mark import checked", note=source[:200])
    for service in services:
        service.last_verified = today
    if services:
        audit.record(session, "import", 0, source[:200], "mark import checked",
                     note=f"{len(services)} services confirmed as checked on {today.isoformat()}")
    session.flush()
    return len(services)


def pending_suggestions(session: Session, source: str) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(TagSuggestion).join(Service)
        .where(Service.source == source, TagSuggestion.state == SuggestionState.SUGGESTED)) or 0
