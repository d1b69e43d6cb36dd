"""One counter that every committed change to the catalogue moves on.

Processes that keep derived data in memory (the matcher's candidates) compare it with the
value they built from, so a change made by any worker on any machine is noticed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class CatalogueVersion(Base):
    __tablename__ = "catalogue_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def _table() -> sa.Table:
    return CatalogueVersion.__table__  # type: ignore[return-value]


def bump(connection: sa.Connection) -> None:
    """Move the counter on, inside the caller's transaction (creating the row if needed)."""
    table = _table()
    updated = connection.execute(table.update().where(table.c.id == 1).values(value=table.c.value + 1))
    if not updated.rowcount:
        connection.execute(table.insert().values(id=1, value=1))


def current(connection: sa.Connection) -> int:
    """The counter's value as this connection sees it."""
    table = _table()
    return int(connection.execute(sa.select(table.c.value).where(table.c.id == 1)).scalar() or 0)
