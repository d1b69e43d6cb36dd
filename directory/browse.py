"""Read queries used by the public pages and the API. Take a Session; never write."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Service, ServiceStatus, Taxonomy, Term, service_terms


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
