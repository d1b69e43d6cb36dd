"""Tags the directory suggests for a service from its own words, and what admins decided."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from ._common import utcnow
from .taxonomy import Term

# At or above this confidence a suggestion is used by search and the matcher at once.
HIGH_CONFIDENCE = 0.7


class SuggestionState(enum.StrEnum):
    SUGGESTED = "suggested"  # not yet looked at; applied to the service if confident enough
    ACCEPTED = "accepted"  # an admin agreed: an ordinary tag now
    REJECTED = "rejected"  # an admin disagreed: never applied or suggested again


class TagSuggestion(Base):
    """One suggested vocabulary term for one service, with why it was suggested.

    `applied` says the term is on the service (in service_terms) because of this
    suggestion: high-confidence suggestions are applied at once, and accepting one applies
    it. Rejecting removes it.
    """

    __tablename__ = "tag_suggestions"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "term_id", name="uq_tag_suggestions_service_term"),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id", ondelete="RESTRICT"))
    confidence: Mapped[float] = mapped_column(sa.Float)
    # The words that led to it, e.g. "walking group" (description), and which field.
    evidence: Mapped[str] = mapped_column(sa.String(300), default="")
    source: Mapped[str] = mapped_column(sa.String(40), default="description")
    # The crosswalk rule that made it ("activity:walking-group"), for decisions in bulk.
    rule: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    state: Mapped[SuggestionState] = mapped_column(default=SuggestionState.SUGGESTED, index=True)
    applied: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    term: Mapped[Term] = relationship()

    @property
    def is_high(self) -> bool:
        return self.confidence >= HIGH_CONFIDENCE
