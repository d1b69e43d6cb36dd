"""Keep the index in step with the database: collect changed services before flush, write
after commit.

Listeners sit on *our* sessionmaker only. Every write path (web, API, CLI, import) commits
through it, so every one of them refreshes the index the same way.

Each transaction that changes services moves the catalogue version on (models.version) and
logs the public ids it changed against the new version. The machine that made the change
rewrites those documents straight after the commit; every other machine's index is behind
by then, and catches up the next time it is searched (`search.catch_up`): the index folder
records the version it is in step with, and the log says which services changed since.
"""

from __future__ import annotations

import weakref
from itertools import chain
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import instance_state

from ..models import Location, Organization, Service, WeeklySession, new_public_id, version

KEY = "search.changed"
# The catalogue versions this transaction's bumps reached: the first and the last.
VERSIONS = "search.versions"
# A savepoint rolled back: the versions recorded may not be the ones committed.
UNSURE = "search.unsure"


def _collect(session: Session, _context: Any, _instances: Any) -> None:
    # before_flush, not after_flush: loading related rows is allowed here, and new services
    # get their public id now so that it can be remembered.
    changed: set[str] = session.info.setdefault(KEY, set())
    found: set[str] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Service):
            if obj.public_id is None:
                obj.public_id = new_public_id()
            found.add(obj.public_id)
        elif isinstance(obj, WeeklySession) and obj.service is not None:
            found.add(obj.service.public_id)
        elif isinstance(obj, Location | Organization) and instance_state(obj).persistent:
            found.update(s.public_id for s in obj.services)
    found -= changed
    if found or session.deleted:
        changed |= found
        # In this transaction: readers elsewhere see the new version, and the log of what
        # it changed, exactly when they can see the change. (The connection, not the
        # session, so no flush is started.)
        value = version.bump(session.connection(), found)
        first, _last = session.info.get(VERSIONS, (value, value))
        session.info[VERSIONS] = (first, value)


def _forget(session: Session) -> None:
    for key in (KEY, VERSIONS, UNSURE):
        session.info.pop(key, None)


def _savepoint_rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:
        session.info[UNSURE] = True


def init_app(app: Flask, refresh: Any) -> None:
    """Wire the listeners; `refresh(app, ids, since, upto)` re-reads those services and
    writes the index, which is then in step with version upto if it was with since."""
    sessions = app.extensions["db"].sessions
    # SQLAlchemy keeps session listeners in a WeakKeyDictionary keyed by the sessionmaker's
    # class; a listener holding the app strongly would keep that key, and so every app ever
    # built (its engine, index readers and caches), alive for the life of the process.
    app_ref = weakref.ref(app)

    def after_commit(session: Session) -> None:
        app = app_ref()
        if app is None:
            return
        ids = session.info.pop(KEY, None) or set()
        versions = session.info.pop(VERSIONS, None)
        unsure = session.info.pop(UNSURE, False)
        if versions is not None and not unsure:
            first, last = versions
            refresh(app, ids, first - 1, last)
        elif ids:
            refresh(app, ids, None, None)

    event.listen(sessions, "before_flush", _collect)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", _forget)
    event.listen(sessions, "after_soft_rollback", _savepoint_rolled_back)
