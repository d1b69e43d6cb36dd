"""What voluntary groups send in and what admins decide: listing changes, join requests, reports,
and the audit trail of every change."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from ._common import utcnow

if TYPE_CHECKING:
    from .account import User
    from .organization import Organization
    from .service import Service


class ChangeKind(enum.StrEnum):
    CREATE = "create"  # a new listing: nothing public until approved
    EDIT = "edit"  # an edit of a published listing: the approved version stays public


class ChangeState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ListingChange(Base):
    """A provider's proposed listing: `proposed` is a full listing snapshot (directory.listings),
    `base` the published snapshot it was made from, so approval applies only what the provider
    changed, even if the listing moved on meanwhile (paused, say)."""

    __tablename__ = "listing_changes"
    # One pending change per listing, enforced by the database: two saves at the same moment
    # cannot both become pending (the second is refused as a conflict).
    __table_args__ = (
        sa.Index("uq_listing_changes_one_pending", "service_id", unique=True,
                 sqlite_where=sa.text("state = 'pending'"),
                 postgresql_where=sa.text("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ChangeKind]
    state: Mapped[ChangeState] = mapped_column(default=ChangeState.PENDING, index=True)
    base: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    proposed: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Optimistic locking: two people saving over the same pending change.
    revision: Mapped[int] = mapped_column(default=1)

    service: Mapped[Service] = relationship()
    organization: Mapped[Organization] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": revision}


class JoinState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class JoinRequest(Base):
    """A group asking to list its services; approval creates the organisation and its account."""

    __tablename__ = "join_requests"
    __table_args__ = (
        sa.CheckConstraint("length(trim(organization_name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("contact_email LIKE '%_@_%'", name="email_has_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    organization_name: Mapped[str] = mapped_column(sa.String(200))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    website: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[JoinState] = mapped_column(default=JoinState.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )

    organization: Mapped[Organization | None] = relationship()


class ReportState(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Report(Base):
    """Someone from the public saying a listing is wrong."""

    __tablename__ = "reports"
    __table_args__ = (sa.CheckConstraint("length(trim(problem)) > 0", name="problem_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    problem: Mapped[str] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    state: Mapped[ReportState] = mapped_column(default=ReportState.OPEN, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    service: Mapped[Service] = relationship()


class AuditEvent(Base):
    """One change to a listing, organisation, venue or account: who, when, and each field's old
    and new value. Append-only: the app has no way to edit or delete these, and the database
    refuses UPDATE and DELETE on the table (triggers, migration 0006)."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # No foreign key: the record outlives the account it names.
    actor_id: Mapped[int | None]
    # An email, or "cli", "import", "signed link".
    actor: Mapped[str] = mapped_column(sa.String(254))
    entity: Mapped[str] = mapped_column(sa.String(20))  # service, organization, location, user
    entity_id: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    action: Mapped[str] = mapped_column(sa.String(30))  # create, update, delete, approve, ...
    # {field: [old, new]}; secrets are recorded as changed, never their values.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str] = mapped_column(sa.Text, default="")
