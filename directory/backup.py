"""Back up and restore a SQLite directory with SQLite's online backup API.

Both work while the app is serving: `backup` copies a consistent snapshot page by page
(readers and writers carry on; a write during the copy makes SQLite start it again), and
`restore` writes the backup into the live database file in one transaction, through
SQLite's own locking, so running workers see the old database or the restored one, never
a mixture, and a crash part way leaves the old one. Replacing the file by renaming would
not do: processes that have it open would go on reading the old file.

PostgreSQL has its own tools (pg_dump and pg_restore); these refuse it with a pointer.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from . import migrate

BUSY_TIMEOUT_S = 30.0
PG_HINT = ("this database is {name}: back it up with `pg_dump --format=custom --file OUT "
           "DBNAME` and restore with `pg_restore --clean --if-exists --dbname DBNAME IN`")


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why (one line)."""


class InvalidBackup(BackupError):
    """The file is not an intact database of this directory at a revision we know."""


class NotSQLite(BackupError):
    """The directory's database is not SQLite: use the database's own tools."""


@dataclass(frozen=True)
class Summary:
    path: Path
    revision: str | None
    services: int
    size_bytes: int


def database_file(engine: sa.Engine) -> Path:
    """The SQLite file behind engine; NotSQLite for any other database."""
    if engine.dialect.name != "sqlite":
        raise NotSQLite(PG_HINT.format(name=engine.dialect.name))
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"cannot back up the SQLite database {name or ':memory:'!r}")
    return Path(name).resolve()


def backup(engine: sa.Engine, out: Path) -> Summary:
    """Copy the live database to out (written beside it, then renamed into place)."""
    source = database_file(engine)
    out = out.resolve()
    if out == source:
        raise BackupError("the backup would overwrite the database itself")
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    if not out.parent.is_dir():
        raise BackupError(f"no folder {out.parent}")
    temp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with _connect(source, read_only=True) as live, _connect(temp) as copy:
            live.backup(copy)
        os.replace(temp, out)
    except sqlite3.Error as err:
        raise BackupError(f"the backup failed: {err}") from err
    finally:
        temp.unlink(missing_ok=True)
    return inspect(out)


def inspect(path: Path) -> Summary:
    """Check path is an intact database of this app at a revision we know; say what it holds."""
    if not path.is_file():
        raise InvalidBackup(f"no file {path}")
    try:
        with _connect(path, read_only=True) as conn:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise InvalidBackup(f"{path} is damaged: {check}")
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "services", "organizations"} <= tables:
                raise InvalidBackup(f"{path} is not a database of this directory")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            services = conn.execute("SELECT count(*) FROM services").fetchone()[0]
    except sqlite3.DatabaseError as err:  # "file is not a database" and the like
        raise InvalidBackup(f"{path} is not a SQLite database ({err})") from err
    revision = revision[0] if revision else None
    if revision is None or not _known_revision(revision):
        raise InvalidBackup(f"{path} is at revision {revision or 'none'}, which this version "
                          "of the directory does not know")
    return Summary(path, revision, services, path.stat().st_size)


def restore(engine: sa.Engine, source: Path, keep_previous: Path | None = None) -> Summary:
    """Replace the live database's contents with source's, in one transaction.

    The current database is first copied to keep_previous (if given). Then the schema is
    brought up to date: a backup from an older version is migrated forward. The search
    index is not touched here: rebuild it afterwards.
    """
    live = database_file(engine)
    found = inspect(source.resolve())
    if source.resolve() == live:
        raise BackupError("that file is the live database itself")
    if keep_previous is not None and live.exists():
        backup(engine, keep_previous)
    engine.dispose()  # no pooled connection of ours holds a read lock meanwhile
    try:
        with _connect(found.path, read_only=True) as backup_db, _connect(live) as target:
            backup_db.backup(target)  # pages=-1: every page in one step, one transaction
    except sqlite3.Error as err:
        raise BackupError(f"the restore failed, the database is unchanged: {err}") from err
    migrate.upgrade(engine)
    engine.dispose()
    return found


def _connect(path: Path, read_only: bool = False) -> closing[sqlite3.Connection]:
    """A connection that `with` closes (sqlite3's own `with` only commits)."""
    if read_only:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    else:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    return closing(conn)


def _known_revision(revision: str) -> bool:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        return False
