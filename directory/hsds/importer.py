"""Upsert HSDS services by id, a batch at a time, through the app's own sessions.

Each batch is parsed, checked against what the database holds, written and committed: the
commit is what every other write path does, so the search index follows (its listeners sit
on the app's sessionmaker). A record that is unchanged is not written at all, so importing
the same feed twice changes nothing, and a changed feed updates only what changed.

Organisations, venues and other-taxonomy terms are shared between services. Within one
import the first record that describes one decides what it holds; later records that
describe it differently do not flip it back and forth.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from ..models import (
    HIGH_CONFIDENCE,
    CoverageArea,
    Day,
    ExternalTaxonomy,
    ExternalTerm,
    Location,
    Organization,
    Service,
    ServiceExternalTerm,
    ServiceLanguage,
    SuggestionState,
    TagSuggestion,
    Taxonomy,
    Term,
    WeeklySession,
    service_locations,
    service_terms,
    utcnow,
)
from ..vocabulary import Vocabulary
from .parse import Locate, TermIndex, parse_service
from .queries import load_options
from .records import (
    DAY_ORDER,
    ExternalTermRecord,
    LocationRecord,
    OrganizationRecord,
    Problem,
    ServiceRecord,
    TaxonomyRecord,
)
from .shapes import count_unused

BATCH = 1000
Written = tuple[Service, ServiceRecord]


class VocabularyMissing(RuntimeError):
    """The database holds no vocabulary terms: `directory init` has not been run."""


class ImportStopped(RuntimeError):
    """A batch could not be written; str() says which records and why."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)  # why records were skipped
    warnings: list[Problem] = field(default_factory=list)  # what was left out of kept records
    unused: Counter[str] = field(default_factory=Counter)  # fields with values we cannot use
    imported_ids: list[str] = field(default_factory=list)  # HSDS ids of the services kept
    changes: list[Problem] = field(default_factory=list)  # what differed on updated services

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    def summary(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.skipped} skipped")


def organization_state(org: Organization) -> tuple[object, ...]:
    return (org.name, org.description, org.email, org.phone, org.website)


def location_state(loc: Location) -> tuple[object, ...]:
    return (loc.name, loc.address_1, loc.address_2, loc.town, loc.postcode, loc.latitude,
            loc.longitude, tuple(sorted(t.code for t in loc.access_terms)), loc.access_notes)


def taxonomy_state(taxonomy: ExternalTaxonomy) -> tuple[object, ...]:
    return (taxonomy.name, taxonomy.description, taxonomy.uri, taxonomy.version)


def term_state(term: ExternalTerm) -> tuple[object, ...]:
    return (term.name, term.description, term.code, term.term_uri, term.parent_public_id,
            term.taxonomy.public_id if term.taxonomy else None)


# What each place of service_state (and ServiceRecord.state) holds, to say what changed.
STATE_FIELDS = (
    "name", "description", "status", "min_age", "max_age", "cost", "is_free", "phone", "email",
    "website", "by_appointment", "first_visit", "last_verified", "organization", "terms",
    "attributes", "locations", "schedules", "languages", "service_areas", "details",
)


def changed_fields(have: Sequence[object], want: Sequence[object]) -> list[str]:
    """The names of the places where two service states differ."""
    return [name for name, a, b in zip(STATE_FIELDS, have, want, strict=True) if a != b]


def service_state(service: Service, external_ids: Iterable[str]) -> tuple[object, ...]:
    """Everything ServiceRecord.state says, read from the database."""
    return (
        service.name, service.description, service.status, service.min_age, service.max_age,
        service.cost, service.is_free, service.phone, service.email, service.website,
        service.by_appointment, service.first_visit, service.last_verified,
        service.organization.public_id,
        tuple(sorted((t.taxonomy, t.code) for t in service.terms
                     if t.id not in suggested_terms(service))),
        tuple(sorted(external_ids)),
        tuple(sorted(loc.public_id for loc in service.locations)),
        tuple(sorted((DAY_ORDER[Day(s.day)], s.starts_at, s.ends_at,
                      s.location.public_id if s.location else "") for s in service.sessions)),
        tuple(sorted(service.languages)),
        tuple(sorted(service.coverage)),
        service.details,
    )


def suggested_terms(service: Service) -> set[int]:
    """Ids of the terms on the service only because a suggestion was applied."""
    return {s.term_id for s in service.suggestions
            if s.applied and s.state is SuggestionState.SUGGESTED}


class Importer:
    """One import run: feed it raw HSDS services; it reports what it did with each."""

    def __init__(
        self,
        session: Session,
        vocab: Vocabulary,
        source: str,
        locate: Locate | None = None,
        batch_size: int = BATCH,
    ) -> None:
        self.session = session
        self.source = source[:500]
        self.locate = locate
        self.batch_size = batch_size
        self.report = ImportReport()
        self.terms = {(t.taxonomy, t.code): t for t in session.scalars(sa.select(Term))}
        if not self.terms:
            raise VocabularyMissing("The vocabulary is not loaded: run `directory init` first")
        self.index = dataclasses.replace(
            TermIndex.from_vocabulary(vocab),
            codes=frozenset(self.terms),
            by_uuid={t.public_id: key for key, t in self.terms.items()},
        )
        # What this run has settled: HSDS id -> row, and which rows it changed.
        self.orgs: dict[str, Organization] = {}
        self.venues: dict[str, Location] = {}
        self.taxonomies: dict[str, ExternalTaxonomy] = {}
        self.external: dict[str, ExternalTerm] = {}
        # ("organization" | "location" | "taxonomy" | "term", HSDS id) settled or changed.
        self.settled: set[tuple[str, str]] = set()
        self.changed: set[tuple[str, str]] = set()
        self.service_ids: set[str] = set()

    def run(self, items: Iterable[object]) -> ImportReport:
        """Import every item, a batch at a time; raises ImportStopped if the database refuses
        a batch (the batches before it stay imported)."""
        batch: list[object] = []
        for raw in items:
            batch.append(raw)
            if len(batch) >= self.batch_size:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)
        return self.report

    def _write(self, batch: Sequence[object]) -> None:
        counts = (self.report.created, self.report.updated, self.report.unchanged,
                  self.report.skipped)
        try:
            self._batch(batch)
        except SQLAlchemyError as err:
            self.session.rollback()
            (self.report.created, self.report.updated, self.report.unchanged,
             self.report.skipped) = counts
            first = sum(counts) + 1
            reason = str(err.orig if isinstance(err, DBAPIError) else err).splitlines()[0]
            raise ImportStopped(f"the database refused records {first} to "
                                f"{first + len(batch) - 1}: {reason}") from None

    # --- one batch ----------------------------------------------------------------------

    def _batch(self, raws: Sequence[object]) -> None:
        start = self.report.seen
        records: list[ServiceRecord] = []
        for n, raw in enumerate(raws):
            if isinstance(raw, Mapping):
                count_unused(raw, self.report.unused)
            parsed = parse_service(raw, self.index, self.locate, start + n)
            self.report.warnings.extend(parsed.warnings)
            record = parsed.record
            if record is not None and record.id in self.service_ids:
                parsed.errors.append(Problem(record.id, "id", "appears more than once in the feed"))
                record = None
            if record is None:
                self._skip(parsed.errors)
                continue
            self.service_ids.add(record.id)
            self.report.imported_ids.append(record.id)
            records.append(record)
        self._load_shared(records)
        kept = []
        for record in records:
            resolved = self._resolve(record)
            if resolved is not None:
                kept.append(resolved)
        self.session.flush()  # new organisations, venues and terms get their ids
        existing = {s.public_id: s for s in self.session.scalars(
            sa.select(Service).where(Service.public_id.in_([r.id for r in kept]))
            .options(*load_options())
        )}
        links = self._external_links([s.id for s in existing.values()])
        written: list[object] = list(existing.values())
        created: list[Written] = []
        moved: list[Written] = []  # services whose venues change
        for record in kept:
            service = existing.get(record.id)
            if service is None:
                objects = self._create(record)
                written.extend(objects)
                created.append((objects[0], record))  # type: ignore[arg-type]
                self.report.created += 1
            elif self._update(service, record, links.get(service.id, {})):
                if {v.public_id for v in service.locations} != {v.id for v in record.locations}:
                    moved.append((service, record))
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        self.session.flush()  # new services get their ids
        self._link_rows(created, moved)
        self.session.commit()  # the same commit as every write path: the index follows
        for obj in written:  # keep the session small on a large feed
            if obj in self.session:
                self.session.expunge(obj)

    def _link_rows(self, created: Sequence[Written], moved: Sequence[Written]) -> None:
        """Write new services' term links, and venue links, as rows in one statement each.

        Appending to Service.locations would also touch each venue's `services` (the
        backref), which marks the venue changed and has the search index re-read every
        service that meets there: on a large feed, most of the index every batch. Term links
        go in as rows because a new service has a score of them; the unit of work spends
        longer on those than on everything else it writes.
        """
        if moved:
            self.session.execute(service_locations.delete().where(
                service_locations.c.service_id.in_([s.id for s, _ in moved])))
        venues = [{"service_id": service.id, "location_id": self.venues[venue.id].id}
                  for service, record in (*created, *moved) for venue in record.locations]
        if venues:
            self.session.execute(service_locations.insert(), venues)
        terms = [{"service_id": service.id, "term_id": self.terms[key].id}
                 for service, record in created for key in (*record.terms, *record.suggested)]
        if terms:
            self.session.execute(service_terms.insert(), terms)
        marked = [{"service_id": service.id, "term_id": self.terms[key].id,
                   "confidence": HIGH_CONFIDENCE, "evidence": "marked suggested by the feed",
                   "source": "feed", "rule": "feed:suggested", "applied": True,
                   "state": SuggestionState.SUGGESTED.value, "created_at": utcnow()}
                  for service, record in created for key in record.suggested]
        if marked:
            self.session.execute(sa.insert(TagSuggestion.__table__), marked)  # type: ignore[arg-type]

    def _skip(self, errors: Sequence[Problem]) -> None:
        self.report.skipped += 1
        self.report.problems.extend(errors)

    def _load_shared(self, records: Sequence[ServiceRecord]) -> None:
        """Read the organisations, venues and terms these records name that we have not yet."""

        def missing(cache: dict[str, Any], wanted: Iterable[str]) -> list[str]:
            return sorted(set(wanted) - cache.keys())

        for org in self.session.scalars(sa.select(Organization).where(Organization.public_id.in_(
            missing(self.orgs, (r.organization.id for r in records))
        ))):
            self.orgs[org.public_id] = org
        for venue in self.session.scalars(
            sa.select(Location).options(selectinload(Location.access_terms)).where(
                Location.public_id.in_(
                    missing(self.venues, (v.id for r in records for v in r.locations)))
            )
        ):
            self.venues[venue.public_id] = venue
        wanted_terms = [t for r in records for t in r.external_terms]
        for term in self.session.scalars(
            sa.select(ExternalTerm).options(selectinload(ExternalTerm.taxonomy)).where(
                ExternalTerm.public_id.in_(missing(self.external, (t.id for t in wanted_terms)))
            )
        ):
            self.external[term.public_id] = term
        for taxonomy in self.session.scalars(sa.select(ExternalTaxonomy).where(
            ExternalTaxonomy.public_id.in_(
                missing(self.taxonomies, (t.taxonomy.id for t in wanted_terms if t.taxonomy))
            )
        )):
            self.taxonomies[taxonomy.public_id] = taxonomy

    def _resolve(self, record: ServiceRecord) -> ServiceRecord | None:
        """Settle the record's organisation, venues and terms; None (skipped) if one is unknown."""
        errors = []
        if not self._settle_organization(record.organization):
            errors.append(Problem(record.id, "organization_id",
                                  f"unknown organization {record.organization.id}"))
        for n, venue in enumerate(record.locations):
            if not self._settle_venue(venue):
                errors.append(Problem(record.id, f"service_at_locations[{n}].location_id",
                                      f"unknown location {venue.id}"))
        missing_terms = [key for key in record.terms if key not in self.terms]
        for taxonomy, code in missing_terms:
            errors.append(
                Problem(record.id, "attributes", f"unknown {taxonomy.value} term '{code}'"))
        if errors:
            self._skip(errors)
            return None
        external = []
        for term in record.external_terms:
            if self._settle_external(term):
                external.append(term)
            else:
                self.report.warnings.append(Problem(
                    record.id, "attributes", f"taxonomy term {term.id} is not described; left out"))
        return dataclasses.replace(record, external_terms=tuple(external))

    def _settle_organization(self, rec: OrganizationRecord) -> bool:
        org = self.orgs.get(rec.id)
        if rec.name is None or ("organization", rec.id) in self.settled:
            return org is not None
        self.settled.add(("organization", rec.id))
        if org is None:
            org = self.orgs[rec.id] = Organization(public_id=rec.id)
            self.session.add(org)
        elif organization_state(org) == rec.state:
            return True
        org.name, org.description, org.email = rec.name, rec.description, rec.email
        org.phone, org.website = rec.phone, rec.website
        self.changed.add(("organization", rec.id))
        return True

    def _settle_venue(self, rec: LocationRecord) -> bool:
        venue = self.venues.get(rec.id)
        if rec.name is None or ("location", rec.id) in self.settled:
            return venue is not None
        self.settled.add(("location", rec.id))
        if venue is None:
            venue = self.venues[rec.id] = Location(public_id=rec.id, access_terms=[])
            self.session.add(venue)
        elif location_state(venue) == rec.state:
            return True
        venue.name, venue.address_1, venue.address_2 = rec.name, rec.address_1, rec.address_2
        venue.town, venue.postcode = rec.town, rec.postcode
        venue.latitude, venue.longitude = rec.latitude, rec.longitude
        venue.access_notes = rec.access_notes
        if sorted(t.code for t in venue.access_terms) != list(rec.access):
            venue.access_terms = [self.terms[(Taxonomy.ACCESS, code)] for code in rec.access]
        self.changed.add(("location", rec.id))
        return True

    def _settle_taxonomy(self, rec: TaxonomyRecord) -> ExternalTaxonomy:
        taxonomy = self.taxonomies.get(rec.id)
        if ("taxonomy", rec.id) in self.settled and taxonomy is not None:
            return taxonomy
        self.settled.add(("taxonomy", rec.id))
        if taxonomy is None:
            taxonomy = self.taxonomies[rec.id] = ExternalTaxonomy(public_id=rec.id)
            self.session.add(taxonomy)
        elif taxonomy_state(taxonomy) == rec.state:
            return taxonomy
        taxonomy.name, taxonomy.description = rec.name, rec.description
        taxonomy.uri, taxonomy.version = rec.uri, rec.version
        return taxonomy

    def _settle_external(self, rec: ExternalTermRecord) -> bool:
        term = self.external.get(rec.id)
        if rec.name is None or ("term", rec.id) in self.settled:
            return term is not None
        self.settled.add(("term", rec.id))
        taxonomy = self._settle_taxonomy(rec.taxonomy) if rec.taxonomy else None
        if term is None:
            term = self.external[rec.id] = ExternalTerm(public_id=rec.id)
            self.session.add(term)
        elif term_state(term) == rec.state:
            return True
        term.name, term.description, term.code = rec.name, rec.description, rec.code
        term.term_uri, term.parent_public_id, term.taxonomy = rec.term_uri, rec.parent_id, taxonomy
        self.changed.add(("term", rec.id))
        return True

    def _external_links(
        self, service_ids: Sequence[int]
    ) -> dict[int, dict[str, ServiceExternalTerm]]:
        links: dict[int, dict[str, ServiceExternalTerm]] = {}
        if service_ids:
            for link in self.session.scalars(
                sa.select(ServiceExternalTerm).options(selectinload(ServiceExternalTerm.term))
                .where(ServiceExternalTerm.service_id.in_(list(service_ids)))
            ):
                links.setdefault(link.service_id, {})[link.term.public_id] = link
        return links

    # --- writing services ---------------------------------------------------------------

    def _create(self, record: ServiceRecord) -> list[object]:
        service = Service(public_id=record.id, source=self.source)
        self._apply(service, record)
        self.session.add(service)
        links = [ServiceExternalTerm(service=service, term=self.external[t.id])
                 for t in record.external_terms]
        self.session.add_all(links)
        return [service, *links]

    def _update(
        self, service: Service, record: ServiceRecord, links: dict[str, ServiceExternalTerm]
    ) -> bool:
        depends = {("organization", record.organization.id),
                   *(("location", v.id) for v in record.locations),
                   *(("term", t.id) for t in record.external_terms)}
        differs = changed_fields(service_state(service, links), record.state)
        through = sorted(depends & self.changed)
        if not differs and not through:
            return False
        changes = self.report.changes
        changes.extend(Problem(record.id, name, "changed in the feed") for name in differs)
        changes.extend(Problem(record.id, kind, f"{kind} {public_id} changed in the feed")
                       for kind, public_id in through)
        self._apply(service, record)
        wanted = {t.id for t in record.external_terms}
        for public_id, link in links.items():
            if public_id not in wanted:
                self.session.delete(link)
        for public_id in wanted - links.keys():
            self.session.add(ServiceExternalTerm(service=service, term=self.external[public_id]))
        return True

    def _apply(self, service: Service, record: ServiceRecord) -> None:
        """Make the service say what the record says, touching only what differs."""
        values = {
            "name": record.name, "description": record.description, "status": record.status,
            "min_age": record.min_age, "max_age": record.max_age, "cost": record.cost,
            "is_free": record.is_free, "phone": record.phone, "email": record.email,
            "website": record.website, "by_appointment": record.by_appointment,
            "first_visit": record.first_visit, "last_verified": record.last_verified,
            "source": self.source, "details": record.details,
        }
        for key, value in values.items():
            if getattr(service, key, None) != value:
                setattr(service, key, value)
        # By id, not through Service.organization: see _link_venues for why.
        org_id = self.orgs[record.organization.id].id
        if service.organization_id != org_id:
            service.organization_id = org_id
        # A new service's term links are written by _link_rows.
        # Terms applied from suggestions stay: the feed never said them, so it cannot unsay them.
        kept = [t for t in service.terms if t.id in suggested_terms(service)] if service.id else []
        terms = set(record.terms) | {(t.taxonomy, t.code) for t in kept}
        if service.id is not None and {(t.taxonomy, t.code) for t in service.terms} != terms:
            service.terms = [*(self.terms[key] for key in record.terms),
                             *(t for t in kept if (t.taxonomy, t.code) not in record.terms)]
        current = sorted((DAY_ORDER[Day(s.day)], s.starts_at, s.ends_at,
                          s.location.public_id if s.location else "") for s in service.sessions)
        if current != sorted(s.key for s in record.sessions):
            service.sessions = [
                WeeklySession(day=s.day, starts_at=s.starts_at, ends_at=s.ends_at,
                              location=self.venues.get(s.location_id or ""))
                for s in sorted(record.sessions, key=lambda s: s.key)
            ]
        have = {row.code: row for row in service.language_rows}
        for code in have.keys() - set(record.languages):
            service.language_rows.remove(have[code])
        service.language_rows.extend(
            ServiceLanguage(code=c) for c in record.languages if c not in have
        )
        areas = {row.outward_code: row for row in service.coverage_rows}
        for code in areas.keys() - set(record.coverage):
            service.coverage_rows.remove(areas[code])
        service.coverage_rows.extend(
            CoverageArea(outward_code=c) for c in record.coverage if c not in areas
        )
        # The feed's own last change when it says one, so a mirror says the same date.
        service.updated_at = record.last_modified or utcnow()
        if service.created_at is None:
            service.created_at = service.updated_at
