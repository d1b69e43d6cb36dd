"""Vocabulary terms (categories, activities, conditions, access, intensity) and their links."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class Taxonomy(enum.StrEnum):
    CATEGORY = "sp-category"
    ACTIVITY = "sp-activity"
    CONDITION = "sp-condition"
    ACCESS = "sp-access"
    INTENSITY = "sp-intensity"


# vocabulary.yaml section -> taxonomy
SECTIONS: dict[str, Taxonomy] = {
    "categories": Taxonomy.CATEGORY,
    "activities": Taxonomy.ACTIVITY,
    "conditions": Taxonomy.CONDITION,
    "access": Taxonomy.ACCESS,
    "intensity": Taxonomy.INTENSITY,
}

# Access facts that belong to a venue rather than to a service.
VENUE_ACCESS = (
    "wheelchair-accessible",
    "step-free",
    "accessible-toilet",
    "hearing-loop",
    "near-bus-stop",
    "parking",
)


class Term(Base):
    """One controlled term; `code` is the vocabulary id, e.g. "walking-group"."""

    __tablename__ = "terms"
    __table_args__ = (
        sa.UniqueConstraint("taxonomy", "code", name="uq_terms_taxonomy_code"),
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    taxonomy: Mapped[Taxonomy]
    code: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[str] = mapped_column(sa.String(200))
    # An activity's category code; empty for the other taxonomies.
    parent_code: Mapped[str | None] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<Term {self.taxonomy.value}:{self.code}>"


service_terms = sa.Table(
    "service_terms",
    Base.metadata,
    sa.Column("service_id", sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("term_id", sa.ForeignKey("terms.id", ondelete="RESTRICT"), primary_key=True),
    # Candidate generation looks services up by term ("who serves this goal?").
    sa.Index("ix_service_terms_term_id", "term_id"),
)

location_terms = sa.Table(
    "location_terms",
    Base.metadata,
    sa.Column("location_id", sa.ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("term_id", sa.ForeignKey("terms.id", ondelete="RESTRICT"), primary_key=True),
)
