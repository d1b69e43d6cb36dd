"""Signed links: a listing's one-click "still correct" link and a new account's set-password
link. Signed with the app's secret (itsdangerous); the issue date is inside the token and
checked against the app's clock (`freshness.today()`), so a test can let time pass."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .freshness import today

CONFIRM_DAYS = 14
PASSWORD_DAYS = 14
# A "forgot your password?" link: the day it was asked for and the next (the clock is a date).
RESET_DAYS = 1


class BadToken(ValueError):
    """The link is not one of ours, was changed, or has expired."""


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"directory.{purpose}")


def make(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps({**payload, "issued": today().isoformat()})


def read(purpose: str, token: str, valid_days: int) -> dict[str, Any]:
    """The payload of a token made for `purpose`, or BadToken."""
    try:
        payload = _serializer(purpose).loads(token)
        issued = date.fromisoformat(payload["issued"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise BadToken("This link is not valid. Check you copied all of it.") from None
    if today() > issued + timedelta(days=valid_days):
        raise BadToken("This link has expired. Sign in to check your listings, "
                       "or ask for a new link.")
    return dict(payload)
