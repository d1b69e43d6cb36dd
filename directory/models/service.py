"""Services (the HSDS sense: a community group or activity), their weekly sessions and reach."""

from __future__ import annotations

import enum
import json
from datetime import date, time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..db import Base
from ._common import Timestamps, new_public_id
from .location import Location, service_locations
from .taxonomy import Taxonomy, Term, service_terms

if TYPE_CHECKING:
    from .organization import Organization
    from .suggestion import TagSuggestion


class ServiceStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class Day(enum.StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def weekday(self) -> int:
        """Monday is 0, as in date.weekday() (not `index`: that would hide str.index)."""
        return list(Day).index(self)


class Service(Timestamps, Base):
    __tablename__ = "services"
    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("min_age IS NULL OR min_age >= 0", name="min_age_not_negative"),
        sa.CheckConstraint("max_age IS NULL OR max_age >= 0", name="max_age_not_negative"),
        sa.CheckConstraint(
            "min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_range_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The HSDS id: a UUID, the service's only public identifier.
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_public_id)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ServiceStatus] = mapped_column(default=ServiceStatus.DRAFT, index=True)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    cost: Mapped[str] = mapped_column(sa.String(300), default="")
    is_free: Mapped[bool] = mapped_column(default=False)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    by_appointment: Mapped[bool] = mapped_column(default=False)
    first_visit: Mapped[str] = mapped_column(sa.Text, default="")
    # When someone last confirmed the listing is right; kept apart from updated_at.
    last_verified: Mapped[date | None]
    # What an imported feed said that we keep and show as it was said: alternate_name,
    # fees_description, eligibility_description, wait_time, contacts, schedule_note (JSON).
    details: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Where the listing came from: "demo", "web", or an HSDS feed's address.
    source: Mapped[str] = mapped_column(sa.String(500), default="web")
    # Warm referrals (directory.referrals): whether the group takes them, and what it asks
    # Link Workers to know first; changed through the moderated listing edit like any field.
    accepts_referrals: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    referral_needs: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Optimistic locking: every UPDATE checks and moves this on, so a save made from a stale
    # form is refused instead of overwriting someone else's change.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    organization: Mapped[Organization] = relationship(back_populates="services")
    locations: Mapped[list[Location]] = relationship(
        secondary=service_locations, back_populates="services", order_by=Location.name
    )
    terms: Mapped[list[Term]] = relationship(
        secondary=service_terms, order_by=(Term.taxonomy, Term.code)
    )
    sessions: Mapped[list[WeeklySession]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="WeeklySession.sort_key"
    )
    language_rows: Mapped[list[ServiceLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="ServiceLanguage.code"
    )
    coverage_rows: Mapped[list[CoverageArea]] = relationship(
        cascade="all, delete-orphan", order_by="CoverageArea.outward_code"
    )
    suggestions: Mapped[list[TagSuggestion]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="TagSuggestion.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def codes(self, taxonomy: Taxonomy | str) -> list[str]:
        """The vocabulary ids of this service's terms in one taxonomy.

        Takes the enum or its value ("sp-access", as templates pass it); an unknown name is a
        ValueError rather than an empty list, so a typo can never read as "no terms"."""
        wanted = Taxonomy(taxonomy)
        return [t.code for t in self.terms if t.taxonomy == wanted]

    @property
    def languages(self) -> list[str]:
        return [row.code for row in self.language_rows]

    @property
    def coverage(self) -> list[str]:
        return [row.outward_code for row in self.coverage_rows]

    @property
    def feed_details(self) -> dict[str, Any]:
        """Service.details read back ({} when the listing has none)."""
        return json.loads(self.details) if self.details else {}

    @property
    def is_active(self) -> bool:
        return self.status is ServiceStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Service {self.name!r} {self.status.value}>"


class WeeklySession(Base):
    """One weekly meeting: a day, a start and an end, optionally at one of the venues."""

    __tablename__ = "weekly_sessions"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[Day]
    # 0 for Monday .. 6 for Sunday, kept for ordering and next-session queries.
    sort_key: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    location_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="SET NULL")
    )

    service: Mapped[Service] = relationship(back_populates="sessions")
    location: Mapped[Location | None] = relationship()

    @validates("day")
    def _as_day(self, _key: str, value: str) -> Day:
        return Day(value)



@sa.event.listens_for(WeeklySession, "before_insert")
@sa.event.listens_for(WeeklySession, "before_update")
def _set_sort_key(_mapper: object, _connection: object, row: WeeklySession) -> None:
    row.sort_key = Day(row.day).weekday * 1440 + row.starts_at.hour * 60 + row.starts_at.minute


class ServiceLanguage(Base):
    """A language (ISO 639-1) the service can be taken part in."""

    __tablename__ = "service_languages"
    __table_args__ = (sa.CheckConstraint("length(code) = 2", name="iso_639_1"),)

    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)


class CoverageArea(Base):
    """A postcode district (outward code) that a home-visit service reaches."""

    __tablename__ = "service_coverage"
    __table_args__ = (sa.CheckConstraint("length(outward_code) >= 2", name="outward_code_length"),)

    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    outward_code: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
