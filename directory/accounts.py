"""Creating users and checking sign-ins. Takes a Session, flushes, never commits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .auth.passwords import hash_password, password_problem, verify_password
from .models import Organization, Role, User, utcnow

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
