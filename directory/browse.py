"""Read queries for the public pages: counts, categories, and the pages' view of services
(the read model's facts, service_facts). Take a Session; never write."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Service, ServiceStatus, Taxonomy, Term, service_terms
from .service_facts import Parts, ServiceFacts, read_services


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


# --- the public pages' view of a service ---------------------------------------------------------
#
# The pages show the read model's facts (service_facts) as they are: they carry the models'
# attribute names, so web.present works on them and on the provider's unsaved ORM listing alike.


def active_service_views(
    session: Session, public_ids: Sequence[str], *, full: bool = False
) -> dict[str, ServiceFacts]:
    """public id -> facts, for those of the ids that are active (the index may lag)."""
    return service_views(session, public_ids, full=full)


def service_views(
    session: Session, public_ids: Sequence[str], *, full: bool = False,
    statuses: Collection[ServiceStatus] = (ServiceStatus.ACTIVE,),
) -> dict[str, ServiceFacts]:
    """public id -> facts, for those of the ids whose status is one of `statuses`.

    A card (a result, the workspace, the plan) needs the service, its terms, venues and
    sessions; `full` adds its languages, coverage areas and feed details for its page.
    """
    parts = Parts.PAGE if full else Parts.CARD
    return read_services(session, public_ids, parts=parts, statuses=statuses)


def read_active_service(session: Session, public_id: str) -> ServiceFacts | None:
    """The facts of the active service with this public id, with everything its page shows."""
    if len(public_id) > 36 or "\x00" in public_id:  # no id is longer; PostgreSQL refuses NUL
        return None
    return active_service_views(session, [public_id], full=True).get(public_id)
