"""Helpers for the admin area, joining, reports and reminders: providers, pending changes, mail."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory import listings, mail, moderation
from directory.models import ListingChange, Organization, Role, Service, User

from ..conftest import DEMO_PASSWORD
from ..factories import make_user

TODAY = date(2026, 12, 1)


@pytest.fixture
def outbox(app: Flask) -> Callable[[], list[EmailMessage]]:
    """The messages the app has sent so far (no SMTP server in tests: they land in the outbox)."""
    return lambda: mail.outbox(app.config["OUTBOX_DIR"])


def body(message: EmailMessage) -> str:
    return message.get_content()


def links(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", body(message))


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def make_provider(db: Session, org: Organization, email: str = "provider@example.org") -> User:
    return make_user(db, email, Role.PROVIDER, password=DEMO_PASSWORD, organizations=(org,))


def submit_edit(db: Session, service: Service, user: User, **changes: Any) -> ListingChange:
    """A provider's edit waiting for approval, made through the real domain function."""
    snap = listings.snapshot(service)
    snap.update(changes)
    change = moderation.submit(db, service, snap, user, moderation.stamp(db, service), TODAY)
    db.commit()
    assert change is not None, "published at once: was the organisation trusted?"
    return change


def csrf_from(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found[1]
