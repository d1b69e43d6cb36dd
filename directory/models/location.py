"""Venues where services meet: address, position and access facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from ._common import Timestamps, new_public_id
from .taxonomy import Term, location_terms

if TYPE_CHECKING:
    from .service import Service

service_locations = sa.Table(
    "service_locations",
    Base.metadata,
    sa.Column("service_id", sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("location_id", sa.ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
    # Candidate generation goes from venues near a person to their services.
    sa.Index("ix_service_locations_location_id", "location_id"),
)


class Location(Timestamps, Base):
    __tablename__ = "locations"
    __table_args__ = (
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_in_range"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_in_range"),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)", name="coordinates_both_or_neither"
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    address_1: Mapped[str] = mapped_column(sa.String(200), default="")
    address_2: Mapped[str] = mapped_column(sa.String(200), default="")
    town: Mapped[str] = mapped_column(sa.String(100), default="")
    postcode: Mapped[str] = mapped_column(sa.String(10), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float, index=True)
    longitude: Mapped[float | None] = mapped_column(sa.Float, index=True)
    access_notes: Mapped[str] = mapped_column(sa.Text, default="")
    # The organisation that added the venue through the provider area (None: added by an admin,
    # the demo loader or an import). Its providers may choose it for their listings.
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )

    access_terms: Mapped[list[Term]] = relationship(secondary=location_terms, order_by=Term.code)
    services: Mapped[list[Service]] = relationship(
        secondary=service_locations, back_populates="locations"
    )

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def access_codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.access_terms)

    def __repr__(self) -> str:
        return f"<Location {self.name!r} {self.postcode}>"
