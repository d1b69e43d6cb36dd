"""Saving and opening a person's plan. Takes a Session, flushes, never commits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Exists, and_, delete, exists, not_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from . import browse
from .models import (
    ChangeKind,
    ChangeState,
    ListingChange,
    SavedPlan,
    Service,
    ServiceStatus,
    User,
    utcnow,
)
from .service_facts import ServiceFacts

# Listings a plan may hold and show: published ones, including those paused or closed since
# (the plan page says so). Never a draft or a listing waiting for its first approval, whose
# text no admin has seen; a new listing paused before approval is still unapproved.
SHOWN = (ServiceStatus.ACTIVE, ServiceStatus.PAUSED, ServiceStatus.CLOSED)


def _change(service_id: InstrumentedAttribute[int],
            *conditions: ColumnElement[bool]) -> Exists:
    return exists().where(ListingChange.service_id == service_id, *conditions)


def published() -> ColumnElement[bool]:
    """SQL: the service is, or has been, published (its text approved)."""
    never_approved = and_(
        _change(Service.id, ListingChange.kind == ChangeKind.CREATE),
        not_(_change(Service.id, ListingChange.state == ChangeState.APPROVED)),
    )
    return and_(Service.status.in_(SHOWN), not_(never_approved))

# Only these parts of a profile are kept with a saved plan: nothing that names or pins down
# the person (no notes, age, gender or full postcode).
KEPT_FIELDS = ("goals", "conditions", "readiness", "needs", "languages", "max_distance_km")


# A plan's code is read off paper and typed into a phone, so it leaves out characters that
# look alike in print or handwriting (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V): 21 characters,
# 12 of them, about 53 bits, shown in threes ("ACE-FGH-JKM-NPR"), stored only hashed.
CODE_ALPHABET = "34679ACEFGHJKMNPRTWXY"
CODE_LENGTH = 12


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 3] for i in range(0, CODE_LENGTH, 3))


def normal_code(text: str) -> str:
    """A code as typed ("ace fgh-jkm npr") as it was given; other text unchanged."""
    squeezed = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(squeezed) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in squeezed):
        return "-".join(squeezed[i:i + 3] for i in range(0, CODE_LENGTH, 3))
    return text


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def save_plan(
    session: Session,
    profile: Mapping[str, Any],
    service_ids: Sequence[str],
    *,
    days: int,
    district: str | None,
    user: User | None,
    now: datetime | None = None,
) -> str:
    """Store a plan and return the secret token for its link (shown once, stored hashed)."""
    now = now or utcnow()
    token = new_code()
    wanted = list(dict.fromkeys(service_ids))
    allowed = set(session.scalars(select(Service.public_id).where(
        Service.public_id.in_(wanted), published())))
    service_ids = [i for i in wanted if i in allowed]  # a plan holds published listings only
    kept = {key: profile[key] for key in KEPT_FIELDS if key in profile}
    if district:
        kept["district"] = district
    session.add(SavedPlan(
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
        created_by_id=user.id if user is not None else None,
        profile=kept,
        service_ids=list(dict.fromkeys(service_ids)),
    ))
    session.flush()
    return token


def find_plan(session: Session, token: str, now: datetime | None = None) -> SavedPlan | None:
    """The unexpired plan for a link token, or None."""
    if not token or len(token) > 100:
        return None
    # Links made before codes were short (secrets.token_urlsafe) still open.
    hashes = list(dict.fromkeys((_hash(normal_code(token)), _hash(token))))
    plan = session.scalar(select(SavedPlan).where(SavedPlan.token_hash.in_(hashes)))
    if plan is None:
        return None
    expires = plan.expires_at
    if not expires.tzinfo:
        expires = expires.replace(tzinfo=(now or utcnow()).tzinfo)
    return plan if expires > (now or utcnow()) else None


def delete_expired(session: Session, now: datetime | None = None) -> int:
    """Remove plans past their expiry; returns how many went."""
    result = session.execute(delete(SavedPlan).where(SavedPlan.expires_at <= (now or utcnow())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def plan_services(session: Session, service_ids: Sequence[str]) -> list[ServiceFacts]:
    """The chosen services that are published, in the order chosen, as the read model's facts
    (as the public pages read them): anything else (a draft, a listing never approved) is
    left out."""
    wanted = list(dict.fromkeys(service_ids))
    allowed = set(session.scalars(select(Service.public_id).where(
        Service.public_id.in_(wanted), published())))
    views = browse.service_views(session, [i for i in wanted if i in allowed], statuses=SHOWN)
    return [views[i] for i in wanted if i in views]
