"""Saved plans: a Link Worker's shortlist for a person, reachable only by an unguessable link.

A plan holds no name or identifier of the person: only the parts of the profile that shaped
the suggestions (goals, conditions, readiness, needs, languages, postcode district) and the
chosen services. The link's token is stored only as a hash, and the plan expires.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._common import utcnow


class SavedPlan(Base):
    __tablename__ = "saved_plans"
    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    profile: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    service_ids: Mapped[list[str]] = mapped_column(sa.JSON)
