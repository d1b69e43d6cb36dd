"""How old a listing's last check may be, and the clock every freshness decision reads.

A listing nobody has confirmed for six months "may be out of date" (public pages, search, the
provider area); after twelve months it stops being suggested by the matcher and is flagged to
admins. The clock is injectable (config key ``TODAY``) so a test can let a year pass.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_app_context

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    _LONDON: ZoneInfo | None = ZoneInfo("Europe/London")
except (ImportError, ZoneInfoNotFoundError):  # no tz database: fall back to server time
    _LONDON = None

STALE_AFTER_MONTHS = 6
EXPIRED_AFTER_MONTHS = 12


def today() -> date:
    """The UK date, or the app's ``TODAY`` setting (a date or ISO string) when one is set."""
    if has_app_context():
        fixed = current_app.config.get("TODAY")
        if fixed:
            return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return datetime.now(_LONDON).date() if _LONDON else date.today()


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, clipped to the month's end
    (31 Jan + 1 = 28 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def is_stale(last_verified: date | None, today: date) -> bool:
    """Not confirmed for more than six months (or never): shown as "may be out of date"."""
    return last_verified is None or add_months(last_verified, STALE_AFTER_MONTHS) < today


def expired_before(today: date) -> date:
    """Listings last confirmed before this day are no longer suggested by the matcher."""
    return add_months(today, -EXPIRED_AFTER_MONTHS)


def is_expired(last_verified: date | None, today: date) -> bool:
    """Not confirmed for more than twelve months. A listing never confirmed is not expired here:
    the directory dates every listing it publishes, and a feed without dates is trusted as sent."""
    return last_verified is not None and last_verified < expired_before(today)
