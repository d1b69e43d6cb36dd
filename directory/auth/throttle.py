"""Where the rate limits count: Flask-Limiter (through `limits`) in the app's database.

`limits` offers memory, Redis, Memcached and MongoDB. Memory is per process, so each gunicorn
worker kept its own count and a limit of 5 a minute let 5 per worker through. Without Redis
the counts live in the `rate_limits` table, one row per window, updated with a single
INSERT ... ON CONFLICT DO UPDATE (SQLite and PostgreSQL), so every worker and every machine on
the database shares them. Set DIRECTORY_RATELIMIT_STORAGE_URI=redis://... to use Redis instead.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from flask import Flask
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from ..models import RateLimitCounter

SCHEME = "directory+db"
TABLE = RateLimitCounter.metadata.tables[RateLimitCounter.__tablename__]


class DatabaseStorage(Storage):
    """A `limits` storage (fixed windows) over the directory's own database."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        # The app's own engine (pool), passed in by configure(); gunicorn's post_fork resets it.
        self.engine: sa.Engine = options["engine"]
        self._calls = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        dialect = self.engine.dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TABLE)
        expired = TABLE.c.expires_at <= now
        row = insert.values(key=key, hits=amount, expires_at=now + expiry)
        statement = row.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={"hits": sa.case((expired, amount), else_=TABLE.c.hits + amount),
                  "expires_at": sa.case((expired, now + expiry), else_=TABLE.c.expires_at)},
        )
        with self.engine.begin() as connection:
            connection.execute(statement)
            hits = connection.scalar(sa.select(TABLE.c.hits).where(TABLE.c.key == key))
            self._calls += 1
            if self._calls % 200 == 0:  # old windows go now and then
                connection.execute(sa.delete(TABLE).where(TABLE.c.expires_at < now - 3600))
        return int(hits or 0)

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            hits = connection.scalar(sa.select(TABLE.c.hits).where(
                TABLE.c.key == key, TABLE.c.expires_at > time.time()))
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires = connection.scalar(sa.select(TABLE.c.expires_at).where(TABLE.c.key == key))
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return int(connection.execute(sa.delete(TABLE)).rowcount or 0)

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(TABLE).where(TABLE.c.key == key))


def configure(app: Flask) -> None:
    """Count in the database unless a storage (Redis, say) is configured."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri or uri == "database":
        app.config["RATELIMIT_STORAGE_URI"] = f"{SCHEME}://"
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"engine": app.extensions["db"].engine}
