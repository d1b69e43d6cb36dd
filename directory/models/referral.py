"""Warm referrals: a Link Worker handing a person over to a group, with their consent.

The person's first name or initials, their contact, the Link Worker's note, a decline reason
and every message are personal: they are `Sealed` (Fernet-encrypted before they reach the
database) and set to NULL when the referral is withdrawn or its retention period ends. What
is left (the service, the status and its dates) holds nothing about the person and keeps
the counts.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from ..sealed import Sealed
from ._common import new_public_id, utcnow

if TYPE_CHECKING:
    from .account import User
    from .organization import Organization
    from .service import Service


class ReferralStatus(enum.StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class ContactMethod(enum.StrEnum):
    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"
    LINK_WORKER = "link_worker"  # through the Link Worker only: no contact goes to the group


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (sa.Index("ix_referrals_status_sent", "status", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_public_id)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("services.id", ondelete="CASCADE"), index=True)
    # The receiving organisation when it was sent: only its providers may read it.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[ReferralStatus] = mapped_column(default=ReferralStatus.SENT)
    # The random key of the form it was sent from: a double submit finds the first referral.
    form_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    declined_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    attended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    did_not_attend_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Any end: declined, attended, did not come, withdrawn or closed. Retention counts from it.
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    first_session: Mapped[date | None]
    meet_at_door: Mapped[bool] = mapped_column(default=False)
    contact_method: Mapped[ContactMethod]
    consent_version: Mapped[str] = mapped_column(sa.String(20))
    consent_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    consent_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # Personal: sealed, and NULL once erased.
    person_name: Mapped[str | None] = mapped_column(Sealed)
    contact: Mapped[str | None] = mapped_column(Sealed)
    note: Mapped[str | None] = mapped_column(Sealed)
    decline_reason: Mapped[str | None] = mapped_column(Sealed)

    service: Mapped[Service] = relationship()
    organization: Mapped[Organization] = relationship()
    sender: Mapped[User | None] = relationship(foreign_keys=[sender_id])
    messages: Mapped[list[ReferralMessage]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ReferralMessage.id")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def __repr__(self) -> str:
        return f"<Referral {self.public_id} {self.status.value}>"


class ReferralMessage(Base):
    """One message on a referral, from the Link Worker's side or the group's."""

    __tablename__ = "referral_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    from_group: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    body: Mapped[str | None] = mapped_column(Sealed)

    referral: Mapped[Referral] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
