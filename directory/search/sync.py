"""Keep the index in step with the database: collect changed services before flush, write after commit.

Listeners sit on *our* sessionmaker only. Every write path (web, API, CLI, import) commits
through it, so every one of them refreshes the index the same way.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from flask import Flask
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..models import Location, Organization, Service, WeeklySession, new_public_id, version

KEY = "search.changed"


def _collect(session: Session, _context: Any, _instances: Any) -> None:
    # before_flush, not after_flush: loading related rows is allowed here, and new services
    # get their public id now so that it can be remembered.
    changed: set[str] = session.info.setdefault(KEY, set())
    before = len(changed)
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Service):
            if obj.public_id is None:
                obj.public_id = new_public_id()
            changed.add(obj.public_id)
        elif isinstance(obj, WeeklySession) and obj.service is not None:
            changed.add(obj.service.public_id)
        elif isinstance(obj, Location | Organization) and inspect(obj).persistent:
            changed.update(s.public_id for s in obj.services)
    if len(changed) > before or session.deleted:
        # In this transaction: readers elsewhere see the new version exactly when they can
        # see the change. (The connection, not the session, so no flush is started.)
        version.bump(session.connection())


def init_app(app: Flask, refresh: Any) -> None:
    """Wire the listeners; `refresh(app, ids)` re-reads those services and writes the index."""
    sessions = app.extensions["db"].sessions

    def after_commit(session: Session) -> None:
        ids = session.info.pop(KEY, None)
        if ids:
            refresh(app, ids)

    event.listen(sessions, "before_flush", _collect)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", lambda s: s.info.pop(KEY, None))
