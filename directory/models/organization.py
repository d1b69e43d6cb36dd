"""Organisations: the voluntary groups and public bodies that run services."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from ._common import Timestamps, new_public_id

if TYPE_CHECKING:
    from .account import User
    from .service import Service


class Organization(Timestamps, Base):
    __tablename__ = "organizations"
    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    # A trusted organisation's edits publish at once (they are still recorded).
    trusted: Mapped[bool] = mapped_column(default=False)

    services: Mapped[list[Service]] = relationship(back_populates="organization")
    members: Mapped[list[User]] = relationship(
        secondary="memberships", back_populates="organizations"
    )

    def __repr__(self) -> str:
        return f"<Organization {self.name!r}>"
