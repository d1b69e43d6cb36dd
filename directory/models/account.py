"""Accounts: users with one role, and for providers the organisations they belong to."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from ._common import Timestamps

if TYPE_CHECKING:
    from .organization import Organization


class Role(enum.StrEnum):
    ADMIN = "admin"
    LINK_WORKER = "link_worker"
    PROVIDER = "provider"
    COMMISSIONER = "commissioner"  # reads the insights page, changes nothing


memberships = sa.Table(
    "memberships",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    ),
)


class User(Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("email LIKE '%_@_%'", name="email_has_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role]
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Kept in each signed-in session and checked on every request: raising it (sign-out,
    # a new password, an admin disabling the account) ends every session of this user.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    organizations: Mapped[list[Organization]] = relationship(
        secondary=memberships, back_populates="members"
    )

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class RateLimitCounter(Base):
    """One rate-limit window (directory.auth.throttle): shared by every worker and machine
    that uses the database, so a limit is one limit however many processes serve."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)
