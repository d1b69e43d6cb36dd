"""What providers may change, and what admins decide: the one place listing changes are made.

- A new listing, or an edit by a provider, becomes a pending `ListingChange`; the public and
  the matcher keep seeing the last approved version until an admin approves it.
- A trusted organisation's edits (and an admin's) publish at once; the audit still records them.
- Pausing, closing and reopening publish at once: taking a wrong listing down never waits.
- Every save names the version it was made from (`Stamp`); a save from a form opened before
  someone else's save is refused with `Conflict`, and nothing is written.

Functions take a Session, flush, and never commit; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit, listings
from .models import (
    AuditEvent,
    ChangeKind,
    ChangeState,
    ListingChange,
    Organization,
    Role,
    Service,
    ServiceStatus,
    User,
    utcnow,
)


class Conflict(Exception):
    """The listing changed since the form was opened."""

    message = ("This listing changed since you opened it. Your changes are below, not saved: "
               "check the listing as it is now, then save again.")


class NotAllowed(Exception):
    """The action does not fit the listing's state (approving a decided change, say)."""


@dataclass(frozen=True)
class Stamp:
    """Which version a form was opened at: the service's version and its pending change's."""

    service: int
    change: int

    def __str__(self) -> str:
        return f"{self.service}.{self.change}"

    @classmethod
    def parse(cls, text: str | None) -> Stamp | None:
        try:
            a, b = (text or "").split(".")
            return cls(int(a), int(b))
        except ValueError:
            return None


def pending_change(session: Session, service: Service) -> ListingChange | None:
    return session.scalar(
        select(ListingChange).where(ListingChange.service_id == service.id,
                                    ListingChange.state == ChangeState.PENDING)
    )


def stamp(session: Session, service: Service) -> Stamp:
    change = pending_change(session, service)
    return Stamp(service.version, change.revision if change else 0)


def working_copy(session: Session, service: Service) -> dict[str, Any]:
    """What the provider edits: their pending change if there is one, else the published listing."""
    change = pending_change(session, service)
    return dict(change.proposed) if change else listings.snapshot(service)


def publishes_at_once(user: User, organization: Organization) -> bool:
    return user.role is Role.ADMIN or organization.trusted


def create(session: Session, organization: Organization, snap: Mapping[str, Any], user: User,
           today: date) -> Service:
    """A new listing: pending approval, or published at once for a trusted organisation."""
    service = Service(organization=organization, name=snap["name"], status=ServiceStatus.PENDING,
                      source="web")
    session.add(service)
    listings.apply(session, service, snap)
    if publishes_at_once(user, organization):
        service.status = ServiceStatus.ACTIVE
        service.last_verified = today
        session.flush()
        return service
    session.flush()
    session.add(ListingChange(service=service, organization=organization, kind=ChangeKind.CREATE,
                              base={}, proposed=dict(snap), submitted_by=user))
    session.flush()
    return service


def submit(session: Session, service: Service, snap: Mapping[str, Any], user: User,
           opened: Stamp | None, today: date) -> ListingChange | None:
    """Save an edit. Returns the pending change, or None when it was published at once."""
    # The pending change is read once, and the version check is made against that very row:
    # reading it again could find one another save committed meanwhile and overwrite it.
    change = pending_change(session, service)
    _check(session, service, opened, change=change)
    at_once = publishes_at_once(user, service.organization)
    if at_once and (change is None or change.kind is ChangeKind.EDIT):
        trusted = " (trusted organisation)" if service.organization.trusted else ""
        audit.mark(session, "update", "published at once" + trusted)
        listings.apply(session, service, snap)
        service.last_verified = today
        if change is not None:  # the direct edit replaces what was waiting
            change.state, change.decided_by = ChangeState.REJECTED, user
            change.decided_at = utcnow()
            change.reason = "Replaced by a later edit that was published at once."
        session.flush()
        return None
    if change is None:
        # A turned-down new listing is still new: it goes back as a CREATE.
        kind = ChangeKind.CREATE if _never_published(session, service) else ChangeKind.EDIT
        change = ListingChange(service=service, organization=service.organization, kind=kind,
                               base={} if kind is ChangeKind.CREATE else listings.snapshot(service),
                               proposed=dict(snap), submitted_by=user)
        session.add(change)
    else:
        change.proposed = dict(snap)
        change.submitted_by, change.submitted_at = user, utcnow()
    if change.kind is ChangeKind.CREATE:
        # Not public yet, so the draft itself can follow the provider's words.
        listings.apply(session, service, snap)
        if service.status is ServiceStatus.DRAFT:
            service.status = ServiceStatus.PENDING
    try:
        session.flush()  # the change's number, for the record
    except IntegrityError as err:
        if "listing_changes" not in str(err.orig) and "one_pending" not in str(err.orig):
            raise
        # Another save of the same version became the pending change a moment ago (the
        # database allows one per listing): this one is refused, not silently made a second.
        raise Conflict() from None
    base = change.base or {}
    names = listings.venue_names(session, [base, snap])
    audit.record(session, "service", service.id, service.name, "submit",
                 note=f"change #{change.id} waiting for approval",
                 changes=audit.snapshot_changes(base, snap, names))
    session.flush()
    return change


def approve(session: Session, change: ListingChange, admin: User, today: date) -> Service:
    """Publish a pending change: only the fields the provider changed are written, over the
    listing as it is now."""
    if change.state is not ChangeState.PENDING:
        raise NotAllowed("This change has already been decided")
    service = change.service
    audit.mark(session, "approve", f"change #{change.id}")
    if change.kind is ChangeKind.CREATE:
        listings.apply(session, service, change.proposed)
        if service.status in (ServiceStatus.PENDING, ServiceStatus.DRAFT):
            service.status = ServiceStatus.ACTIVE
    else:
        listings.apply(session, service, change.proposed,
                       only=listings.changed_fields(change.base, change.proposed))
    service.last_verified = today  # the group has just gone through the listing
    change.state, change.decided_by, change.decided_at = ChangeState.APPROVED, admin, utcnow()
    session.flush()
    return service


def reject(session: Session, change: ListingChange, admin: User, reason: str) -> None:
    """Turn a change down with a reason the provider sees; the published listing is unchanged."""
    if change.state is not ChangeState.PENDING:
        raise NotAllowed("This change has already been decided")
    reason = (reason or "").strip()
    if not reason:
        raise listings.ListingError({"reason": ["Say why, so the group can put it right"]})
    if len(reason) > 2000:
        raise listings.ListingError({"reason": ["Use 2000 characters or fewer"]})
    change.state, change.decided_by, change.decided_at = ChangeState.REJECTED, admin, utcnow()
    change.reason = reason
    if change.kind is ChangeKind.CREATE and change.service.status is ServiceStatus.PENDING:
        change.service.status = ServiceStatus.DRAFT
    audit.record(session, "service", change.service_id, change.service.name, "reject",
                 note=f"change #{change.id}: {reason}")
    session.flush()


STATUS_ACTIONS = {"pause": ServiceStatus.PAUSED, "close": ServiceStatus.CLOSED,
                  "reopen": ServiceStatus.ACTIVE}


def set_status(session: Session, service: Service, action: str, opened: Stamp | None,
               user: User | None = None) -> None:
    """Pause, close or reopen at once (no approval), from a form opened at `opened`. A listing
    an admin closed stays closed until an admin reopens it."""
    if action not in STATUS_ACTIONS:
        raise NotAllowed("Unknown action")
    _check(session, service, opened, listing_only=True)
    if action == "reopen":
        if service.status not in (ServiceStatus.PAUSED, ServiceStatus.CLOSED):
            raise NotAllowed("Only a paused or closed listing can be reopened")
        if (service.status is ServiceStatus.CLOSED and (user is None or user.role is not Role.ADMIN)
                and closed_by_admin(session, service)):
            raise NotAllowed("This listing was closed by the directory team, so only they can "
                             "reopen it. Contact them if it should be back")
        if _never_published(session, service):
            raise NotAllowed("This listing has not been approved yet, so it cannot be reopened. "
                             "Edit it and send it for approval")
    elif service.status not in (ServiceStatus.ACTIVE, ServiceStatus.PAUSED, ServiceStatus.PENDING,
                                ServiceStatus.DRAFT):
        raise NotAllowed("This listing is already closed")
    audit.mark(session, action)
    service.status = STATUS_ACTIONS[action]
    service.updated_at = utcnow()
    session.flush()


def closed_by_admin(session: Session, service: Service) -> bool:
    """Whether the listing's latest closure (from the audit trail) was an admin's."""
    closer = session.scalar(
        select(AuditEvent.actor_id).where(AuditEvent.entity == "service",
                                          AuditEvent.entity_id == service.id,
                                          AuditEvent.action == "close")
        .order_by(AuditEvent.id.desc()).limit(1))
    return closer is not None and session.scalar(
        select(User.role).where(User.id == closer)) is Role.ADMIN


def never_approved(changes: Iterable[ListingChange]) -> bool:
    """Sent in through the provider area as a new listing and never approved, so never public
    (pending, or turned down), judged from the listing's changes."""
    changes = list(changes)
    return (any(c.kind is ChangeKind.CREATE for c in changes)
            and not any(c.state is ChangeState.APPROVED for c in changes))


def _never_published(session: Session, service: Service) -> bool:
    return never_approved(session.scalars(
        select(ListingChange).where(ListingChange.service_id == service.id)))


def confirm(session: Session, service: Service, today: date) -> None:
    """"This listing is still correct": the last-checked date becomes today."""
    audit.mark(session, "confirm")
    service.last_verified = today
    session.flush()


def _check(session: Session, service: Service, opened: Stamp | None, listing_only: bool = False,
           change: ListingChange | None = None) -> None:
    if opened is None:
        raise Conflict()
    if listing_only:
        now = Stamp(service.version, 0)
    else:
        now = Stamp(service.version, change.revision if change else 0)
    if now.service != opened.service or (not listing_only and now.change != opened.change):
        raise Conflict()
