"""Reminders to check listings: one message per provider, listing their groups' active listings
not confirmed for six months, each with its own signed "still correct" link.

The links open /confirm/<token>, which shows the listing and a button; confirming needs no
sign-in and works for tokens.CONFIRM_DAYS days.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import audit, freshness, mail, tokens
from .models import Organization, Role, Service, ServiceStatus, User


@dataclass(frozen=True)
class Reminder:
    """One message: who it goes to and the listings (with their links) it asks about."""

    user: User
    services: tuple[Service, ...]


def due(session: Session, today: date) -> list[Reminder]:
    """Every active provider with at least one active listing due for a check, by email."""
    providers = session.scalars(
        select(User)
        .where(User.role == Role.PROVIDER, User.active.is_(True))
        .options(selectinload(User.organizations).selectinload(Organization.services))
        .order_by(User.email)
    )
    found = []
    for user in providers:
        services = sorted(
            {s for org in user.organizations for s in org.services
             if s.status is ServiceStatus.ACTIVE and freshness.is_stale(s.last_verified, today)},
            key=lambda s: (s.name.lower(), s.public_id),
        )
        if services:
            found.append(Reminder(user, tuple(services)))
    return found


def confirm_link(base_url: str, service: Service, user: User) -> str:
    token = tokens.make("confirm", {"s": service.public_id, "u": user.id})
    return f"{base_url.rstrip('/')}/confirm/{token}"


def message(reminder: Reminder, base_url: str) -> tuple[str, str]:
    """The subject and plain-text body of one reminder."""
    count = len(reminder.services)
    subject = ("Please check your listing on the Community Support Directory" if count == 1
               else f"Please check your {count} listings on the Community Support Directory")
    lines = [
        "Hello,",
        "",
        "People find your group through the Community Support Directory. These listings have "
        "not been checked for more than 6 months, so we show them as 'may be out of date'. "
        "After 12 months Link Workers stop being offered them.",
        "",
    ]
    for service in reminder.services:
        checked = (f"last checked {service.last_verified:%d %B %Y}" if service.last_verified
                   else "never checked")
        lines += [
            f"* {service.name} ({service.organization.name}, {checked})",
            f"  If it is still right, open this link and press the button "
            f"(no need to sign in; it works for {tokens.CONFIRM_DAYS} days):",
            f"  {confirm_link(base_url, service, reminder.user)}",
            "",
        ]
    lines += [
        f"If something has changed, sign in to update it: {base_url.rstrip('/')}/provider/",
        "",
        "Thank you for keeping your listings right.",
    ]
    return subject, "\n".join(lines) + "\n"


@dataclass
class Outcome:
    sent: list[Reminder]
    failed: list[tuple[Reminder, str]]


def send(session: Session, reminders: Iterable[Reminder], base_url: str) -> Outcome:
    """Send each reminder and note it in each listing's history; the caller commits."""
    outcome = Outcome([], [])
    for reminder in reminders:
        subject, body = message(reminder, base_url)
        try:
            mail.send(reminder.user.email, subject, body)
        except (OSError, smtplib.SMTPException) as err:
            outcome.failed.append((reminder, str(err) or type(err).__name__))
            continue
        outcome.sent.append(reminder)
        for service in reminder.services:
            audit.record(session, "service", service.id, service.name, "remind",
                         note=f"reminder to check sent to {reminder.user.email}")
    session.flush()
    return outcome
