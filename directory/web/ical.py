"""iCalendar (RFC 5545) for a service's weekly sessions: one weekly repeating event each.

Times are UK wall-clock times with TZID=Europe/London and the zone's rules included, so
calendars keep "10am every Tuesday" through the clock changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from ..service_facts import ServiceFacts, SessionFacts

PRODID = "-//Community Support Directory//Public pages//EN"
BYDAY = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
LONDON_RULES = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a character."""
    pieces: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += ch
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _first_start(s: SessionFacts, now: datetime) -> datetime:
    ahead = (s.day.weekday - now.weekday()) % 7
    start = datetime.combine(now.date() + timedelta(days=ahead), s.starts_at)
    return start if start >= now else start + timedelta(days=7)


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _event(service: ServiceFacts, s: SessionFacts, n: int, now: datetime, url: str,
           stamp: str) -> list[str]:
    start = _first_start(s, now)
    end = datetime.combine(start.date(), s.ends_at)
    venue = s.location or (service.locations[0] if service.locations else None)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{service.public_id}-{n}@community-support-directory",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID=Europe/London:{_local(start)}",
        f"DTEND;TZID=Europe/London:{_local(end)}",
        f"RRULE:FREQ=WEEKLY;BYDAY={BYDAY[s.day.value]}",
        f"SUMMARY:{escape(service.name)}",
    ]
    if venue is not None:
        where = [venue.name, venue.address_1, venue.address_2, venue.town, venue.postcode]
        lines.append("LOCATION:" + escape(", ".join(p for p in where if p)))
    about = [f"Run by {service.organization.name}.", service.description]
    if service.phone:
        about.append(f"Phone: {service.phone}")
    about.append(f"Check before you go: {url}")
    lines += ["DESCRIPTION:" + escape("\n\n".join(p for p in about if p)), f"URL:{url}",
              "END:VEVENT"]
    return lines


def calendar(service: ServiceFacts, url: str, now: datetime,
             stamp: datetime | None = None) -> str:
    """The whole calendar file, with CRLF line endings. `now` is UK local time."""
    stamp_text = (stamp or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines: list[str] = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}",
                        "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                        f"X-WR-CALNAME:{escape(service.name)}", *LONDON_RULES]
    for n, s in enumerate(service.sessions, start=1):
        lines += _event(service, s, n, now, url, stamp_text)
    lines.append("END:VCALENDAR")
    return _join(lines)


def _join(lines: Iterable[str]) -> str:
    return "".join(fold(line) + "\r\n" for line in lines)
