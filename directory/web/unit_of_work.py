"""The web's one way to commit: every form route writes inside `unit_of_work.commit(session)`.

The block's changes are committed together when it ends; if anything in it (or the commit)
fails, the whole request's changes are rolled back, so nothing is half-saved. Two kinds of
failure are ordinary, not bugs, and come out as `Refused` with the message to show:

- a conflict: another request changed the same rows first (`StaleDataError` from the
  database's version check, or `moderation.Conflict` from the form's stamp), which always
  reads as CONFLICT ("This listing changed since you opened the page, ...");
- a refusal by the domain (`moderation.NotAllowed`: approving a change already decided, say),
  which reads as the domain's own words.

A route that has more to say (the editor shows a conflict's differences) catches `Refused`;
one that redirects either way uses `Flashing`, which shows the message on the next page; one
that does neither leaves it to directory.web.errors, which shows the message with a 409.
Any other exception is re-raised after the rollback, for the route or the error pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import flash
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import moderation

# The one conflict message; `what` names the thing ("listing", "change", "account").
CONFLICT = ("This {what} changed since you opened the page, so nothing was changed. "
            "Check the {what} as it is now, then try again.")
CONFLICTS: tuple[type[Exception], ...] = (StaleDataError, moderation.Conflict)
REFUSALS: tuple[type[Exception], ...] = (moderation.NotAllowed,)


class Refused(Exception):
    """Nothing was saved: someone else changed it first (conflict), or the domain said no."""

    def __init__(self, message: str, *, conflict: bool) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict


class UnitOfWork:
    """What a route may do to the session inside the block: add new rows, or flush to get ids."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)

    def flush(self) -> None:
        self.session.flush()


def conflict_message(what: str = "listing") -> str:
    return CONFLICT.format(what=what)


@contextmanager
def commit(session: Session, *, what: str = "listing") -> Iterator[UnitOfWork]:
    """Commit what the block does, or roll it all back; conflicts and refusals become Refused."""
    try:
        yield UnitOfWork(session)
        session.commit()
    except CONFLICTS as err:
        session.rollback()
        raise Refused(conflict_message(what), conflict=True) from err
    except REFUSALS as err:
        session.rollback()
        raise Refused(_sentence(str(err)), conflict=False) from err
    except BaseException:
        session.rollback()
        raise


class Flashing:
    """`commit`, with a refusal flashed for the next page instead of raised, and `said`
    flashed once it is saved; `saved` says which. For routes that redirect either way:

        with unit_of_work.Flashing(session, said="Thank you."):
            moderation.confirm(session, service, today)
    """

    def __init__(self, session: Session, *, said: str = "", what: str = "listing") -> None:
        self._commit = commit(session, what=what)
        self.said = said
        self.saved = False

    def __enter__(self) -> UnitOfWork:
        return self._commit.__enter__()

    def __exit__(self, kind: Any, error: Any, trace: Any) -> bool:
        try:
            self._commit.__exit__(kind, error, trace)
        except Refused as refused:
            flash(refused.message)
            return True
        self.saved = kind is None
        if self.saved and self.said:
            flash(self.said)
        return False


def _sentence(text: str) -> str:
    text = text.strip() or "That cannot be done now"
    return text if text.endswith((".", "!", "?")) else f"{text}."
