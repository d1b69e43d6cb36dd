"""Warm referrals: sending one, answering it, messages, reminders and erasure.

Functions take a Session first, flush and never commit (the view or command commits once).
Every read and every change of a referral is written to the audit trail, labelled by the
service only: nothing about the person goes into the audit, the log or an email. Status
changes are a conditional UPDATE (`... WHERE status IN (allowed)`), so of two answers given
at the same moment one wins and the other is told the referral was answered already.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from . import audit, freshness, mail, plaintext
from .models import (
    ContactMethod,
    Referral,
    ReferralMessage,
    ReferralStatus,
    Role,
    Service,
    User,
    utcnow,
)

# The form lives with the other schemas; views and commands reach it through this module.
from .schemas.referral import FORM_FIELDS as FORM_FIELDS
from .schemas.referral import ReferralError as ReferralError
from .schemas.referral import load_form as load_form

log = logging.getLogger(__name__)

# The statement read to the person; a referral records which version they agreed to.
CONSENT_VERSION = "2026-12"
CONSENT_STATEMENTS = {
    "2026-12": (
        "I would like to tell this group that you are thinking of coming, so that someone "
        "expects you and can welcome you. I will send them your first name or initials, how "
        "you would like them to contact you, the first session you plan to go to, whether you "
        "would like someone to meet you, and a short note that I will read to you now. Nothing "
        "else about you goes to them. The group will tell me whether you went. You can change "
        "your mind at any time and I will withdraw the referral, which deletes these details. "
        "They are deleted anyway 90 days after the referral ends. Are you happy for me to send "
        "it?"
    ),
}
CONSENT_STATEMENT = CONSENT_STATEMENTS[CONSENT_VERSION]

METHOD_LABELS = {
    ContactMethod.PHONE: "Phone call", ContactMethod.TEXT: "Text message",
    ContactMethod.EMAIL: "Email", ContactMethod.LINK_WORKER: "Through the Link Worker only",
}
STATUS_LABELS = {
    ReferralStatus.SENT: "Waiting for the group", ReferralStatus.ACCEPTED: "Accepted",
    ReferralStatus.DECLINED: "Declined", ReferralStatus.ATTENDED: "Attended the first session",
    ReferralStatus.DID_NOT_ATTEND: "Did not come", ReferralStatus.WITHDRAWN: "Withdrawn",
    ReferralStatus.CLOSED: "Closed",
}
OPEN = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
# What each audited step is called on the referral's history.
HISTORY_WORDS = {
    "send": "Sent", "read": "Read", "accept": "Accepted", "decline": "Declined",
    "attended": "Marked as attended the first session", "did_not_attend": "Marked as did not come",
    "withdraw": "Withdrawn", "close": "Closed", "message": "Message written",
    "remind": "Reminder sent to the Link Worker", "escalate": "Admins told it has no answer",
    "erase": "Personal details deleted",
}

# action -> (who may take it, the statuses it may follow, the status it gives, its timestamp)
ACTIONS: dict[str, tuple[str, tuple[ReferralStatus, ...], ReferralStatus, str]] = {
    "accept": ("group", (ReferralStatus.SENT,), ReferralStatus.ACCEPTED, "accepted_at"),
    "decline": ("group", (ReferralStatus.SENT,), ReferralStatus.DECLINED, "declined_at"),
    "attended": ("group", (ReferralStatus.ACCEPTED,), ReferralStatus.ATTENDED, "attended_at"),
    "did_not_attend": ("group", (ReferralStatus.ACCEPTED,), ReferralStatus.DID_NOT_ATTEND,
                       "did_not_attend_at"),
    "withdraw": ("sender", OPEN, ReferralStatus.WITHDRAWN, "withdrawn_at"),
    "close": ("sender", OPEN, ReferralStatus.CLOSED, "closed_at"),
}
TERMINAL = {"decline", "attended", "did_not_attend", "withdraw", "close"}

class Conflict(Exception):
    """The referral moved on since the page was opened (answered, withdrawn, erased)."""

    def __init__(self, referral: Referral) -> None:
        super().__init__(f"The referral is already {STATUS_LABELS[referral.status].lower()}")
        self.referral = referral


def now() -> datetime:
    """The clock: the real time, or midday UTC of the app's TODAY setting when one is set."""
    if has_app_context() and current_app.config.get("TODAY"):
        return datetime.combine(freshness.today(), time(12), tzinfo=UTC)
    return utcnow()


# --- who may see what ----------------------------------------------------------------------------


def side(user: Any, referral: Referral) -> str | None:
    """"sender", "group" or "admin" for someone who may read the referral; None otherwise."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return None
    if user.role is Role.ADMIN:
        return "admin"
    if user.role is Role.LINK_WORKER and referral.sender_id == user.id:
        return "sender"
    if user.role is Role.PROVIDER and any(o.id == referral.organization_id
                                          for o in user.organizations):
        return "group"
    return None


def can_take(user: Any, referral: Referral, action: str) -> bool:
    """Whether this user's side may take this action (admins may take any)."""
    who = side(user, referral)
    return who == "admin" or (who is not None and ACTIONS[action][0] == who)


# --- writing ---------------------------------------------------------------------------------


def _label(referral: Referral) -> str:
    return f"referral to {referral.service.name}"[:200]


def _audit(session: Session, referral: Referral, action: str, **changes: Any) -> None:
    audit.record(session, "referral", referral.id, _label(referral), action,
                 changes={k: [audit.plain(a), audit.plain(b)] for k, (a, b) in changes.items()})


def send(session: Session, sender: User, service: Service, data: Mapping[str, Any],
         at: datetime | None = None, form_key: str | None = None) -> Referral:
    """A new referral to the service's organisation; the caller commits. A second send with
    the same form key (a double submit) is an IntegrityError when it flushes."""
    if not service.accepts_referrals or not service.is_active:
        raise ReferralError({"service": ["This listing does not take referrals"]})
    at = at or now()
    referral = Referral(
        form_key=form_key,
        service=service, organization_id=service.organization_id, sender_id=sender.id,
        status=ReferralStatus.SENT, sent_at=at, person_name=data["person_name"],
        contact_method=ContactMethod(data["contact_method"]), contact=data["contact"] or None,
        note=data["note"] or None, first_session=data["first_session"],
        meet_at_door=bool(data["meet_at_door"]), consent_version=CONSENT_VERSION,
        consent_by_id=sender.id, consent_at=at,
    )
    session.add(referral)
    session.flush()
    _audit(session, referral, "send", status=(None, "sent"))
    session.flush()
    return referral


def read(session: Session, referral: Referral) -> None:
    """Note in the audit trail that the signed-in user (or command) read it."""
    _audit(session, referral, "read")
    session.flush()


def take(session: Session, referral: Referral, action: str, reason: str = "",
         at: datetime | None = None) -> None:
    """Move the referral on (accept, decline, attended, ...), or Conflict when it already has."""
    _who, allowed, status, stamp = ACTIONS[action]
    if action == "decline":
        reason = reason.strip()
        problem = (plaintext.multi_line_problem(reason) or
                   (None if reason else "Say why, so the Link Worker can tell the person"))
        if problem is None and len(reason) > 1000:
            problem = "Keep the reason to 1000 characters or fewer"
        if problem:
            raise ReferralError({"reason": [problem]})
    at = at or now()
    values: dict[str, Any] = {"status": status, stamp: at}
    if action in ("accept", "decline"):
        values["answered_at"] = at
    if action in TERMINAL:
        values["closed_at"] = at
    if action == "decline":
        values["decline_reason"] = reason
    old = referral.status
    done = session.execute(
        update(Referral).where(Referral.id == referral.id, Referral.status.in_(allowed),
                               Referral.erased_at.is_(None))
        .values(**values).execution_options(synchronize_session=False))
    session.refresh(referral)
    if getattr(done, "rowcount", 0) != 1:
        raise Conflict(referral)
    _audit(session, referral, action, status=(old, status))
    if action == "withdraw":
        erase(session, referral, at, why="withdrawn")
    session.flush()


def add_message(session: Session, referral: Referral, author: User, body: str,
                at: datetime | None = None) -> ReferralMessage:
    """A message on the referral from the author's side; the caller commits."""
    body = (body or "").strip()
    problem = plaintext.multi_line_problem(body) or (None if body else "Write a message")
    if problem is None and len(body) > 2000:
        problem = "Keep a message to 2000 characters or fewer"
    if problem:
        raise ReferralError({"body": [problem]})
    if referral.erased_at is not None or referral.status is ReferralStatus.WITHDRAWN:
        raise Conflict(referral)
    message = ReferralMessage(referral=referral, author_id=author.id,
                              from_group=side(author, referral) == "group", at=at or now(),
                              body=body)
    session.add(message)
    session.flush()
    _audit(session, referral, "message", messages=(None, "one more"))
    return message


def erase(session: Session, referral: Referral, at: datetime, why: str) -> None:
    """Delete the personal fields and messages; the status and dates stay for the counts."""
    session.execute(delete(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
                    .execution_options(synchronize_session=False))
    session.execute(update(Referral).where(Referral.id == referral.id).values(
        person_name=None, contact=None, note=None, decline_reason=None, erased_at=at)
        .execution_options(synchronize_session=False))
    session.expire(referral)
    audit.record(session, "referral", referral.id, _label(referral), "erase", note=why)
    session.flush()


def erase_expired(session: Session, at: datetime, days: int) -> int:
    """Erase every referral closed more than `days` ago; how many were erased."""
    due = list(session.scalars(
        select(Referral).where(Referral.erased_at.is_(None), Referral.closed_at.is_not(None),
                               Referral.closed_at <= at - timedelta(days=days))
        .options(selectinload(Referral.service))))
    for referral in due:
        erase(session, referral, at, why=f"{days} days after it closed")
    return len(due)


# --- reading ----------------------------------------------------------------------------------


def find_by_form_key(session: Session, key: str) -> Referral | None:
    return session.scalar(select(Referral).where(Referral.form_key == key)) if key else None


def accepting(session: Session, public_ids: Iterable[str]) -> set[str]:
    """Which of these services take referrals (and are active)."""
    ids = list(public_ids)
    if not ids:
        return set()
    return set(session.scalars(select(Service.public_id).where(
        Service.public_id.in_(ids), Service.accepts_referrals.is_(True),
        Service.status == "active")))


def find(session: Session, public_id: str) -> Referral | None:
    return session.scalar(select(Referral).where(Referral.public_id == public_id)
                          .options(selectinload(Referral.service),
                                   selectinload(Referral.messages)))


def sent_by(session: Session, user: User) -> list[Referral]:
    """A Link Worker's referrals (an admin's view: everyone's), newest first."""
    query = select(Referral).options(selectinload(Referral.service))
    if user.role is not Role.ADMIN:
        query = query.where(Referral.sender_id == user.id)
    return list(session.scalars(query.order_by(Referral.sent_at.desc(), Referral.id.desc())))


def received_by(session: Session, user: User) -> list[Referral]:
    """Referrals to the provider's organisations (an admin's view: every one), newest first."""
    query = select(Referral).options(selectinload(Referral.service))
    if user.role is not Role.ADMIN:
        query = query.where(Referral.organization_id.in_([o.id for o in user.organizations]))
    return list(session.scalars(query.order_by(Referral.sent_at.desc(), Referral.id.desc())))


def counts(session: Session) -> dict[str, int]:
    """How many referrals there are in each status: anonymous, kept after erasure."""
    found = {s.value: 0 for s in ReferralStatus}
    for status, count in session.execute(
            select(Referral.status, func.count()).group_by(Referral.status)):
        found[ReferralStatus(status).value] = count
    return found


def working_days(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end` (bank holidays count)."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    days = weeks * 5
    for i in range(1, extra + 1):
        if (start + timedelta(days=i)).weekday() < 5:
            days += 1
    return days


def age_text(referral: Referral, at: datetime) -> str:
    """"today", "1 day", "12 days": how long since it was sent."""
    days = (at.date() - referral.sent_at.date()).days
    return "today" if days <= 0 else "1 day" if days == 1 else f"{days} days"


# --- notices ----------------------------------------------------------------------------------


def _emails(users: Iterable[User]) -> list[str]:
    return sorted({u.email for u in users if u.active})


def notify(to: list[str], subject: str, link: str) -> bool:
    """An email with only a link (nothing about the person); False, logged, if it failed."""
    if not to:
        return True
    body = ("There is news on a referral on the Community Support Directory.\n\n"
            f"Sign in to read it: {link}\n\n"
            "For the person's privacy this email holds none of their details.\n")
    try:
        for address in to:
            mail.send(address, subject, body)
    except Exception:  # after the commit a failed email must never become an error page
        log.exception("could not send a referral notice")
        return False
    return True


def group_emails(referral: Referral) -> list[str]:
    return _emails(u for u in referral.organization.members if u.role is Role.PROVIDER)


def admin_emails(session: Session) -> list[str]:
    return _emails(session.scalars(select(User).where(User.role == Role.ADMIN)))


@dataclass
class Reminders:
    reminded: list[Referral]
    escalated: list[Referral]
    failed: int = 0


def remind(session: Session, at: datetime, base_url: str, remind_days: int,
           escalate_days: int, dry_run: bool = False) -> Reminders:
    """Remind each sender of referrals unanswered for `remind_days` working days and tell the
    admins of those unanswered for `escalate_days`; each once. The caller commits."""
    waiting = list(session.scalars(
        select(Referral).where(Referral.status == ReferralStatus.SENT)
        .options(selectinload(Referral.service), selectinload(Referral.sender))
        .order_by(Referral.sent_at, Referral.id)))
    outcome = Reminders([], [])
    admins = admin_emails(session)
    for referral in waiting:
        waited = working_days(referral.sent_at.date(), at.date())
        link = f"{base_url.rstrip('/')}/referrals/{referral.public_id}"
        if waited >= remind_days and referral.reminded_at is None:
            outcome.reminded.append(referral)
            if not dry_run:
                to = _emails([referral.sender]) if referral.sender else admins
                ok = notify(to, f"Your referral to {referral.service.name} has had no answer",
                            link)
                outcome.failed += not ok
                referral.reminded_at = at
                _audit(session, referral, "remind")
        if waited >= escalate_days and referral.escalated_at is None:
            outcome.escalated.append(referral)
            if not dry_run:
                ok = notify(admins, "A referral has had no answer for "
                            f"{escalate_days} working days", link)
                outcome.failed += not ok
                referral.escalated_at = at
                _audit(session, referral, "escalate")
    session.flush()
    return outcome
