"""Terms of other taxonomies (LGA/esd lists, a council's own, ...) that imported services carry.

Our own vocabulary lives in `terms` and never changes shape on import; a term from any other
taxonomy is kept here with its HSDS id, so it can be shown and exported as it came.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

if TYPE_CHECKING:
    from .service import Service


class ExternalTaxonomy(Base):
    __tablename__ = "external_taxonomies"
    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True)  # HSDS taxonomy id
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    uri: Mapped[str | None] = mapped_column(sa.String(500))
    version: Mapped[str | None] = mapped_column(sa.String(100))

    def __repr__(self) -> str:
        return f"<ExternalTaxonomy {self.name!r}>"


class ExternalTerm(Base):
    __tablename__ = "external_terms"
    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True)  # HSDS taxonomy_term id
    taxonomy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("external_taxonomies.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str | None] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    term_uri: Mapped[str | None] = mapped_column(sa.String(500))
    # The HSDS id of the parent term, kept as given (the parent may never have been imported).
    parent_public_id: Mapped[str | None] = mapped_column(sa.String(36))

    taxonomy: Mapped[ExternalTaxonomy | None] = relationship()

    def __repr__(self) -> str:
        return f"<ExternalTerm {self.name!r}>"


class ServiceExternalTerm(Base):
    """One service carries one external term (an HSDS attribute)."""

    __tablename__ = "service_external_terms"

    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    external_term_id: Mapped[int] = mapped_column(
        sa.ForeignKey("external_terms.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    service: Mapped[Service] = relationship()
    term: Mapped[ExternalTerm] = relationship()
