"""One counter that every committed change to the catalogue moves on, and what each move changed.

Processes that keep derived data (the matcher's candidates in memory, each machine's search
index on disk) compare it with the value they built from, so a change made by any worker on
any machine is noticed. The change log says which services each version touched, so a
search index can catch up by rewriting just those (see directory/search/sync.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._common import utcnow

# The log is pruned of entries older than KEEP, looking every PRUNE_EVERY versions. An index
# left further behind than what is kept is rebuilt instead.
KEEP = timedelta(days=30)
PRUNE_EVERY = 1000


class CatalogueVersion(Base):
    __tablename__ = "catalogue_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Log entries up to this version have been pruned.
    pruned_through: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")


class CatalogueChange(Base):
    """Service (public id) changed, created or deleted by the transaction that reached version."""

    __tablename__ = "catalogue_changes"

    version: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    service_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


def _table() -> sa.Table:
    return CatalogueVersion.__table__  # type: ignore[return-value]


def _changes() -> sa.Table:
    return CatalogueChange.__table__  # type: ignore[return-value]


def bump(connection: sa.Connection, service_ids: Iterable[str] = ()) -> int:
    """Move the counter on and log service_ids against the new value, inside the caller's
    transaction; returns the new value.

    The UPDATE locks the counter's row until the transaction ends, so versions are given
    out in commit order: whoever reads value N can also read every change up to N.
    """
    table = _table()
    updated = connection.execute(
        table.update().where(table.c.id == 1).values(value=table.c.value + 1)
    )
    if not updated.rowcount:  # a database made without the migrations (which add the row)
        connection.execute(table.insert().values(id=1, value=1, pruned_through=0))
    value = current(connection)
    now = utcnow()
    rows = [
        {"version": value, "service_id": public_id, "changed_at": now}
        for public_id in sorted(set(service_ids))
    ]
    if rows:
        connection.execute(_changes().insert(), rows)
    if value % PRUNE_EVERY == 0:
        prune(connection, now - KEEP)
    return value


def prune(connection: sa.Connection, before: datetime) -> None:
    """Forget the log's entries from before `before`, remembering how far it was cut."""
    changes = _changes()
    cut = connection.execute(
        sa.select(sa.func.max(changes.c.version)).where(changes.c.changed_at < before)
    ).scalar()
    if cut is None:
        return
    connection.execute(changes.delete().where(changes.c.version <= cut))
    table = _table()
    connection.execute(
        table.update()
        .where(table.c.id == 1, table.c.pruned_through < cut)
        .values(pruned_through=cut)
    )


def current(connection: sa.Connection) -> int:
    """The counter's value as this connection sees it."""
    table = _table()
    return int(connection.execute(sa.select(table.c.value).where(table.c.id == 1)).scalar() or 0)


def state(connection: sa.Connection) -> tuple[int, int]:
    """(value, pruned_through): the counter, and how far back the change log was cut."""
    table = _table()
    query = sa.select(table.c.value, table.c.pruned_through).where(table.c.id == 1)
    row = connection.execute(query).first()
    return (int(row.value), int(row.pruned_through)) if row else (0, 0)


def changed_between(connection: sa.Connection, after: int, upto: int) -> set[str]:
    """Public ids of the services changed by versions after..upto (after excluded)."""
    changes = _changes()
    query = sa.select(changes.c.service_id).distinct().where(
        changes.c.version > after, changes.c.version <= upto
    )
    return set(connection.execute(query).scalars())
