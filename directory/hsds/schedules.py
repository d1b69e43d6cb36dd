"""HSDS schedules -> weekly sessions, and whether the service is by appointment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from typing import Any

from ..models import Day
from . import ids
from .reader import Reader
from .records import SessionRecord

BYDAY = {"MO": Day.MON, "TU": Day.TUE, "WE": Day.WED, "TH": Day.THU, "FR": Day.FRI,
         "SA": Day.SAT, "SU": Day.SUN}
TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)


def read_schedules(
    r: Reader, raw: Mapping[str, Any], sal_locations: Mapping[str, str], venue_ids: set[str]
) -> tuple[list[SessionRecord], bool]:
    found: list[SessionRecord] = []
    appointment = False
    listed: list[tuple[object, str | None, str]] = []
    if isinstance(raw.get("schedules"), list):
        listed += [(s, None, "schedules") for s in raw["schedules"]]
    elif raw.get("schedules") is not None:
        r.error("schedules", "must be a list")
    sals = raw.get("service_at_locations")
    for i, sal in enumerate(sals if isinstance(sals, list) else []):
        if isinstance(sal, Mapping) and isinstance(sal.get("schedules"), list):
            at_venue = sal_locations.get(ids.canonical_uuid(sal.get("id")) or "")
            where = f"service_at_locations[{i}].schedules"
            listed += [(s, at_venue, where) for s in sal["schedules"]]
    counters: dict[str, int] = {}
    for schedule, at_venue, base in listed:
        n = counters[base] = counters.get(base, -1) + 1
        where = f"{base}[{n}]"
        if not isinstance(schedule, Mapping):
            r.error(where, "must be an object")
            continue
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
    return found, appointment


def _time(r: Reader, schedule: Mapping[str, Any], key: str, where: str) -> time | None:
    value = schedule.get(key)
    if value is None:
        return None
    match = TIME.match(str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
        r.error(f"{where}.{key}", f"'{value}' is not a time (HH:MM:SS)")
        return None
    return time(int(match[1]), int(match[2]), int(match[3] or 0))
