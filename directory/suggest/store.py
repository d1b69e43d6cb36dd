"""Suggestions written for services, and the admin's decisions on them. Flush, never commit.

A suggestion at or above HIGH_CONFIDENCE, for a service whose own listing has no category,
activity, condition or intensity (a feed that carries none of our vocabulary), is applied at
once: its term goes on the service
(so search and the matcher use it straight away) and the suggestion row says it was applied
and is still only suggested. Accepting makes it an ordinary tag (the row stays, as a record
of where it came from); rejecting takes the term off and keeps the row, so it is never
suggested again. Every decision is written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from .. import audit
from ..models import (
    HIGH_CONFIDENCE,
    ExternalTerm,
    Service,
    ServiceExternalTerm,
    SuggestionState,
    TagSuggestion,
    Taxonomy,
    Term,
    utcnow,
)
from .engine import suggest


@dataclass
class SuggestReport:
    services: int = 0
    suggested: int = 0  # new suggestion rows
    applied: int = 0  # of which applied at once
    withdrawn: int = 0  # suggestions the service's words no longer support


def _foreign_labels(session: Session, service_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for sid, name in session.execute(
        sa.select(ServiceExternalTerm.service_id, ExternalTerm.name)
        .join(ExternalTerm, ExternalTerm.id == ServiceExternalTerm.external_term_id)
        .where(ServiceExternalTerm.service_id.in_(list(service_ids)))
    ):
        out.setdefault(sid, []).append(name)
    return out


def suggest_for(session: Session, services: Iterable[Service], report: SuggestReport) -> None:
    """(Re)compute the suggestions of these services (loaded with terms and suggestions)."""
    services = list(services)
    terms = {(t.taxonomy, t.code): t for t in session.scalars(sa.select(Term))}
    foreign = _foreign_labels(session, [s.id for s in services])
    for service in services:
        report.services += 1
        found = {s.key: s for s in suggest(service.name, service.description,
                                           foreign.get(service.id, []))}
        rows = {(r.term.taxonomy, r.term.code): r for r in service.suggestions}
        applied_ids = {r.term_id for r in service.suggestions if r.applied}
        own = {(t.taxonomy, t.code) for t in service.terms if t.id not in applied_ids}
        curated = any(taxonomy is not Taxonomy.ACCESS for taxonomy, _ in own)
        for key, row in rows.items():
            if row.state is SuggestionState.SUGGESTED and key not in found:
                if row.applied:
                    service.terms = [t for t in service.terms if t.id != row.term_id]
                service.suggestions.remove(row)
                report.withdrawn += 1
        for key, s in found.items():
            if key in own or key not in terms or key in rows:
                if key in rows and rows[key].state is SuggestionState.SUGGESTED:
                    row = rows[key]
                    row.confidence, row.evidence, row.rule = s.confidence, s.evidence[:300], s.rule
                continue
            if s.taxonomy is Taxonomy.INTENSITY:
                continue
            term = terms[key]
            # A listing that already says what it is in our terms (beyond how it is reached)
            # was tagged by someone: suggestions for it wait for review.
            high = s.confidence >= HIGH_CONFIDENCE and not curated
            service.suggestions.append(TagSuggestion(
                term=term, term_id=term.id, confidence=s.confidence, evidence=s.evidence[:300],
                source=s.source, rule=s.rule[:120], applied=high))
            if high:
                service.terms.append(term)
                report.applied += 1
            report.suggested += 1
    session.flush()


def run_suggestions(session: Session, service_ids: Sequence[int],
                    chunk: int = 500) -> SuggestReport:
    """Suggest tags for these services (internal ids), a chunk at a time; commits each chunk."""
    report = SuggestReport()
    for start in range(0, len(service_ids), chunk):
        ids = list(service_ids[start : start + chunk])
        rows = session.scalars(sa.select(Service).where(Service.id.in_(ids)).options(
            selectinload(Service.terms),
            selectinload(Service.suggestions).selectinload(TagSuggestion.term)))
        suggest_for(session, rows, report)
        session.commit()
        session.expunge_all()
    return report


# --- decisions ------------------------------------------------------------------------------


class NoSuchSuggestion(LookupError):
    """The suggestion does not exist or was already decided."""


def _audit(session: Session, row: TagSuggestion, action: str) -> None:
    audit.record(session, "service", row.service_id, row.term.label, action,
                 note=f"{row.term.taxonomy.value}:{row.term.code} ({row.evidence})",
                 changes={"tag": [row.term.code, action]})


def decide(session: Session, row: TagSuggestion, accept: bool) -> None:
    """Accept (an ordinary tag from now on) or reject (off the service, never again)."""
    if row.state is not SuggestionState.SUGGESTED:
        raise NoSuchSuggestion(row.id)
    service = session.get(Service, row.service_id)
    assert service is not None
    row.state = SuggestionState.ACCEPTED if accept else SuggestionState.REJECTED
    row.decided_at = utcnow()
    on = any(t.id == row.term_id for t in service.terms)
    if accept and not on:
        service.terms.append(row.term)
    elif not accept and on:
        service.terms = [t for t in service.terms if t.id != row.term_id]
    row.applied = accept
    _audit(session, row, "accept tag" if accept else "reject tag")
    session.flush()


def pending(session: Session, *, service_id: int | None = None, rule: str | None = None,
            limit: int | None = None) -> list[TagSuggestion]:
    """Undecided suggestions, most confident first."""
    q = (sa.select(TagSuggestion).options(selectinload(TagSuggestion.term))
         .where(TagSuggestion.state == SuggestionState.SUGGESTED)
         .order_by(TagSuggestion.confidence.desc(), TagSuggestion.id))
    if service_id is not None:
        q = q.where(TagSuggestion.service_id == service_id)
    if rule is not None:
        q = q.where(TagSuggestion.rule == rule)
    return list(session.scalars(q.limit(limit) if limit else q))


def decide_all(session: Session, rows: Iterable[TagSuggestion], accept: bool) -> int:
    """Decide several (a whole service's, or every one a rule made); returns how many."""
    count = 0
    for row in rows:
        decide(session, row, accept)
        count += 1
    return count


def suggested_codes(session: Session, service_ids: Sequence[int]) -> dict[int, set[str]]:
    """service id -> codes on it only because a suggestion was applied (still undecided)."""
    out: dict[int, set[str]] = {}
    for sid, code in session.execute(
        sa.select(TagSuggestion.service_id, Term.code).join(Term, Term.id == TagSuggestion.term_id)
        .where(TagSuggestion.service_id.in_(list(service_ids)), TagSuggestion.applied,
               TagSuggestion.state == SuggestionState.SUGGESTED)
    ):
        out.setdefault(sid, set()).add(code)
    return out
