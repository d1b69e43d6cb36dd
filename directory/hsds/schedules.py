"""HSDS schedules -> weekly sessions, and whether the service is by appointment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time, timedelta
from typing import Any

from ..models import Day
from . import ids
from .reader import Reader
from .records import SessionRecord

BYDAY = {"MO": Day.MON, "TU": Day.TUE, "WE": Day.WED, "TH": Day.THU, "FR": Day.FRI,
         "SA": Day.SAT, "SU": Day.SUN}
TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)


def ended_on(schedule: Mapping[str, Any]) -> date | None:
    """The last day a schedule runs, from valid_to, until, or dtstart with count (None: open)."""
    ends = []
    for key in ("valid_to", "until"):
        day = _day(schedule.get(key))
        if day:
            ends.append(day)
    start = _day(schedule.get("dtstart") or schedule.get("valid_from"))
    count = schedule.get("count")
    if start and isinstance(count, int) and not isinstance(count, bool) and count > 0:
        interval = schedule.get("interval")
        if not isinstance(interval, int):
            interval = 1
        ends.append(start + timedelta(weeks=(count - 1) * max(interval, 1)))
    return min(ends) if ends else None


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None


def read_schedules(
    r: Reader, raw: Mapping[str, Any], sal_locations: Mapping[str, str], venue_ids: set[str],
    today: date | None = None,
) -> tuple[list[SessionRecord], bool, bool]:
    """(weekly sessions, by appointment?, did any schedule end before today?).

    A schedule whose valid_to, until or count has passed shows no sessions. The same
    schedule given on the service and on its service_at_location (same id, or the same day
    and times) is one session, at the venue.
    """
    today = today or date.today()
    found: list[SessionRecord] = []
    appointment = ended = False
    seen_ids: set[str] = set()
    listed: list[tuple[object, str | None, str]] = []
    # Venues' schedules first, so a schedule repeated on the service keeps its venue.
    sals = raw.get("service_at_locations")
    for i, sal in enumerate(sals if isinstance(sals, list) else []):
        if isinstance(sal, Mapping) and isinstance(sal.get("schedules"), list):
            at_venue = sal_locations.get(ids.canonical_uuid(sal.get("id")) or "")
            where = f"service_at_locations[{i}].schedules"
            listed += [(s, at_venue, where) for s in sal["schedules"]]
    if isinstance(raw.get("schedules"), list):
        listed += [(s, None, "schedules") for s in raw["schedules"]]
    elif raw.get("schedules") is not None:
        r.error("schedules", "must be a list")
    counters: dict[str, int] = {}
    for schedule, at_venue, base in listed:
        n = counters[base] = counters.get(base, -1) + 1
        where = f"{base}[{n}]"
        if not isinstance(schedule, Mapping):
            r.error(where, "must be an object")
            continue
        schedule_id = str(schedule.get("id") or "").strip()
        if schedule_id and schedule_id in seen_ids:
            continue  # the service's schedule repeated on its service_at_location
        if schedule_id:
            seen_ids.add(schedule_id)
        last = ended_on(schedule)
        if last is not None and last < today:
            ended = True
            r.warn(where, f"ended on {last.isoformat()}; its sessions are not shown")
            continue
        starts = _day(schedule.get("valid_from"))
        if starts is not None and starts > today:
            r.warn(where, f"starts on {starts.isoformat()}; its sessions are shown already")
        freq = str(schedule.get("freq") or "").strip().upper()
        byday = str(schedule.get("byday") or "").strip().upper()
        description = str(schedule.get("description") or "").strip()
        if not freq and not byday:
            if description.casefold().rstrip(".").startswith("by appointment"):
                appointment = True
            else:
                r.warn(where, "only weekly schedules (freq WEEKLY, byday, opens_at, closes_at) "
                              "are kept")
            continue
        if freq not in ("", "WEEKLY") or (schedule.get("interval") not in (None, 1)):
            r.warn(where, f"only weekly schedules are kept; this one is {freq or 'not weekly'}")
            continue
        opens = _time(r, schedule, "opens_at", where)
        closes = _time(r, schedule, "closes_at", where)
        if opens is None or closes is None:
            if "opens_at" not in schedule or "closes_at" not in schedule:
                r.warn(where, "a weekly schedule needs opens_at and closes_at; left out")
            continue
        if closes <= opens:
            r.error(f"{where}.closes_at", "must be after opens_at")
            continue
        location_id = at_venue
        sal_id = ids.canonical_uuid(schedule.get("service_at_location_id"))
        if sal_id:
            location_id = sal_locations.get(sal_id)
            if location_id is None:
                r.warn(f"{where}.service_at_location_id", "is not one of the service's locations")
        elif schedule.get("location_id"):
            location_id = ids.external_id("location", schedule.get("location_id"))
        if location_id is not None and location_id not in venue_ids:
            location_id = None
        for token in (t.strip() for t in byday.split(",") if t.strip()):
            day = BYDAY.get(token)
            if day is None:
                r.warn(f"{where}.byday", f"'{token}' is not a day (MO to SU); left out")
                continue
            found.append(SessionRecord(day, opens, closes, location_id))
        if not byday:
            r.warn(f"{where}.byday", "a weekly schedule needs byday; left out")
    return _one_each(found), appointment, ended


def _one_each(sessions: list[SessionRecord]) -> list[SessionRecord]:
    """Sessions without repeats; one with no venue is dropped where the same is at a venue."""
    located = {(s.day, s.starts_at, s.ends_at) for s in sessions if s.location_id}
    kept = {s.key: s for s in sessions
            if s.location_id or (s.day, s.starts_at, s.ends_at) not in located}
    return list(kept.values())


def _time(r: Reader, schedule: Mapping[str, Any], key: str, where: str) -> time | None:
    value = schedule.get(key)
    if value is None:
        return None
    match = TIME.match(str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
        r.error(f"{where}.{key}", f"'{value}' is not a time (HH:MM:SS)")
        return None
    return time(int(match[1]), int(match[2]), int(match[3] or 0))
