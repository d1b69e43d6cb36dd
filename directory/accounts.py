"""Creating users and checking sign-ins. Takes a Session, flushes, never commits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .auth.passwords import hash_password, password_problem, verify_password
from .models import Organization, Role, User, utcnow

# No spaces or control characters anywhere: an address ends up in mail headers.
_PART = r"[^@\s\x00-\x1f\x7f-\x9f]+"
EMAIL = re.compile(rf"^{_PART}@{_PART}\.{_PART}$")


class AccountError(ValueError):
    """Bad account details; `field` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    session: Session,
    email: str,
    password: str,
    role: Role | str,
    organizations: Iterable[Organization] = (),
) -> User:
    """A new user with a hashed password; raises AccountError naming the bad field."""
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise AccountError("email", "Enter an email address like name@example.org")
    try:
        role = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError("role", f"Role must be one of: {choices}") from None
    if (problem := password_problem(password)) is not None:
        raise AccountError("password", problem)
    if find_user_by_email(session, email) is not None:
        raise AccountError("email", f"There is already an account for {email}")
    orgs = list(organizations)
    if orgs and role is not Role.PROVIDER:
        raise AccountError("org", "Only provider accounts belong to organisations")
    user = User(email=email, password_hash=hash_password(password), role=role, organizations=orgs)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (without saying which was wrong)."""
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def change_password(session: Session, user: User, password: str, *, was: str | None = None) -> bool:
    """Give user a new (valid) password and end all their sessions.

    With `was` (the hash a single-use link was made for), the change happens only if the hash
    is still that one, checked in the same UPDATE that writes the new one: of two requests sent
    at the same moment with one link, exactly one succeeds. Returns whether it changed."""
    new_hash = hash_password(password)
    query = update(User).where(User.id == user.id)
    if was is not None:
        query = query.where(User.password_hash == was)
    result = session.execute(
        query.values(password_hash=new_hash, session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    from . import audit  # the UPDATE is not an ORM change, so the audit is told directly

    audit.record(session, "user", user.id, user.email, "update",
                 changes={"password_hash": ["(hidden)", "(changed)"]})
    session.expire(user, ["password_hash", "session_version"])
    return True


def end_sessions(session: Session, user: User) -> None:
    """Sign the user out everywhere: every session cookie issued before now stops working."""
    session.execute(update(User).where(User.id == user.id)
                    .values(session_version=User.session_version + 1)
                    .execution_options(synchronize_session=False))
    session.expire(user, ["session_version"])
