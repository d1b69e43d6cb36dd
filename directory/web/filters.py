"""Template filters and globals shared by every page: days, times, dates and next sessions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Flask, current_app, url_for

from ..models import Service

DAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
             "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}


def day_name(code: str) -> str:
    return DAY_NAMES.get(code, code)


def clock(value: time) -> str:
    """'10:30am', '2pm', '12 noon': how times are written on NHS.UK."""
    if value.hour == 12 and value.minute == 0:
        return "12 noon"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}{suffix}" if value.minute else f"{hour}{suffix}"


def long_date_time(value: datetime) -> str:
    return f"{value:%A} {value.day} {value:%B} at {clock(value.time())}"


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def next_dates(service: Service, today: date, count: int = 3) -> list[datetime]:
    """The next `count` session starts on or after today, earliest first."""
    starts: list[datetime] = []
    for s in service.sessions:
        ahead = (s.day.weekday - today.weekday()) % 7
        first = datetime.combine(today + timedelta(days=ahead), s.starts_at)
        starts.extend(first + timedelta(weeks=n) for n in range(count))
    return sorted(starts)[:count]


def map_pairs(items: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Vocabulary entries as (id, label) pairs for tick boxes."""
    return [(item["id"], item["label"]) for item in items]


def service_url(public_id: str) -> str | None:
    """The public page of a service, once the public pages provide one."""
    if "public.service_detail" not in current_app.view_functions:
        return None
    return url_for("public.service_detail", public_id=public_id)


def init_app(app: Flask) -> None:
    for fn in (day_name, clock, long_date_time, long_date, next_dates, map_pairs):
        app.add_template_filter(fn)
    app.add_template_global(service_url)
