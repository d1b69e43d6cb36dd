"""Service rows -> the plain facts the public pages show, as dicts both HTML and JSON use.

Plain English throughout: "Tuesdays, 10:30am to midday", "You can refer yourself".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from ..freshness import is_stale
from ..freshness import today as freshness_today
from ..models import VENUE_ACCESS, Service, Taxonomy, WeeklySession
from ..service_facts import ServiceFacts, SessionFacts
from ..vocabulary import Vocabulary
from .params import DAYS

# The ORM's service (the provider's preview) or the read model's facts of one (every other page).
AnyService = Service | ServiceFacts

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    LONDON: Any = ZoneInfo("Europe/London")
except (ImportError, ZoneInfoNotFoundError):  # no tz database: fall back to server time
    LONDON = None

# Access ids that make a service reachable without travelling (as the search index has them).
REMOTE_LABELS = {"online": "Online", "telephone": "By phone", "home-visit": "Home visits"}
REMOTE = frozenset(REMOTE_LABELS)
# Access facts worth showing on a result, most useful first.
KEY_ACCESS = ("drop-in", "booking-required", "professional-referral", "wheelchair-accessible",
              "step-free", "hearing-loop", "women-only", "men-only", "interpreter-available",
              "dementia-friendly", "accompanied-first-visit")
STEP_FREE = frozenset({"step-free", "wheelchair-accessible"})  # a venue you can get into
GOOD_TO_KNOW = ("beginners-welcome", "accompanied-first-visit", "miss-sessions-ok",
                "carers-welcome", "interpreter-available", "dementia-friendly")
LANGUAGES = {"en": "English", "ur": "Urdu", "bn": "Bengali", "pa": "Punjabi", "ar": "Arabic",
             "pl": "Polish", "zh": "Chinese", "fa": "Persian (Farsi)", "ku": "Kurdish",
             "so": "Somali", "ro": "Romanian", "cy": "Welsh"}


def local_now() -> datetime:
    """Now on a UK clock, without a time zone (sessions are UK wall-clock times)."""
    if LONDON is None:
        return datetime.now().replace(microsecond=0)
    return datetime.now(LONDON).replace(tzinfo=None, microsecond=0)


# --- words for times and dates ----------------------------------------------------------------


def time_text(t: time) -> str:
    """10:00 -> '10am', 10:30 -> '10:30am', 12:00 -> 'midday', 0:00 -> 'midnight'."""
    if (t.hour, t.minute) == (12, 0):
        return "midday"
    if (t.hour, t.minute) == (0, 0):
        return "midnight"
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def date_text(day: date, today: date | None = None) -> str:
    """'Tuesday 2 December', with the year when it is not this year."""
    text = f"{day:%A} {day.day} {day:%B}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def when_text(moment: datetime, today: date | None = None) -> str:
    """'Today at 10am', 'Tomorrow at 2pm' or 'Tuesday 2 December at 10:30am'."""
    today = today or local_now().date()
    if moment.date() == today:
        day = "Today"
    elif moment.date() == today + timedelta(days=1):
        day = "Tomorrow"
    else:
        day = date_text(moment.date(), today)
    return f"{day} at {time_text(moment.time())}"


def session_text(s: WeeklySession | SessionFacts) -> str:
    return f"{DAYS[s.day.value]}s, {time_text(s.starts_at)} to {time_text(s.ends_at)}"


def next_dates(
    sessions: Sequence[WeeklySession | SessionFacts], now: datetime, count: int = 3
) -> list[dict[str, Any]]:
    """The next `count` meetings from now, over all weekly sessions, soonest first."""
    found: list[tuple[datetime, datetime, WeeklySession | SessionFacts]] = []
    today = now.date()
    for s in sessions:
        # Each day in the next `count` weeks (and a day) on which the session meets.
        for offset in range((s.day.weekday - today.weekday()) % 7, 7 * count + 1, 7):
            day = today + timedelta(days=offset)
            start = datetime.combine(day, s.starts_at)
            if start >= now:
                found.append((start, datetime.combine(day, s.ends_at), s))
    found.sort(key=lambda item: (item[0], item[2].id or 0))
    return [
        {"starts": start, "ends": end, "venue": s.location.name if s.location else None,
         "text": f"{date_text(start.date(), now.date())}, {time_text(start.time())} "
                 f"to {time_text(end.time())}"}
        for start, end, s in found[:count]
    ]


def next_start(sessions: Sequence[WeeklySession | SessionFacts], now: datetime) -> datetime | None:
    """When the service next meets, on or after now."""
    found = next_dates(sessions, now, 1)
    return found[0]["starts"] if found else None


def km_text(km: float) -> str:
    """'1.2 km (0.7 miles)'."""
    miles = km / 1.609344
    return f"{km:.1f} km ({miles:.1f} {'mile' if f'{miles:.1f}' == '1.0' else 'miles'})"


# --- facts about a service --------------------------------------------------------------------


def access_codes(service: AnyService) -> list[str]:
    """The service's own access facts and its venues', as the search index has them."""
    venue = {code for loc in service.locations for code in loc.access_codes}
    return sorted(set(service.codes(Taxonomy.ACCESS)) | venue)


def remote_modes(codes: list[str] | set[str]) -> list[str]:
    return [label for code, label in REMOTE_LABELS.items() if code in codes]


def cost_text(service: AnyService) -> str:
    if service.cost.strip():
        return service.cost.strip()
    if service.is_free or "free" in service.codes(Taxonomy.ACCESS):
        return "Free"
    return "Ask the organisers about any cost"


def age_text(min_age: int | None, max_age: int | None) -> str | None:
    if min_age is None and max_age is None:
        return None
    if max_age is None:
        return f"Aged {min_age} and over"
    if min_age is None or min_age == 0:
        return f"Aged {max_age} and under"
    return f"Aged {min_age} to {max_age}"


def join_steps(service: AnyService, codes: list[str]) -> list[str]:
    steps = []
    if "drop-in" in codes:
        steps.append("Drop in: you do not need to book")
    if "booking-required" in codes:
        steps.append("Book before you go")
    if service.by_appointment:
        steps.append("By appointment only")
    if "self-referral" in codes:
        steps.append("You can refer yourself")
    if "professional-referral" in codes:
        steps.append("You need a referral from a professional, such as your GP or a Link Worker")
    return steps or ["Contact the organisers to ask how to join"]


def safe_website(url: str | None) -> str | None:
    """Only web addresses are linked; anything else (javascript:, data:) is dropped."""
    if not url:
        return None
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if not scheme:
        url, scheme = f"https://{url}", "https"
    parts = urlsplit(url)
    return parts.geturl() if scheme in ("http", "https") and parts.netloc else None


def phone_link(phone: str) -> str:
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def detail(service: AnyService, vocab: Vocabulary, now: datetime) -> dict[str, Any]:
    """Everything the service page shows, in the order it shows it."""
    codes = access_codes(service)
    own = service.codes(Taxonomy.ACCESS)
    labels = lambda section, items: [vocab.label(section, c) for c in items]  # noqa: E731
    return {
        "id": service.public_id,
        "name": service.name,
        "organization": service.organization.name,
        "description": service.description,
        "first_visit": service.first_visit,
        "categories": [{"id": c, "label": vocab.label("categories", c)}
                       for c in service.codes(Taxonomy.CATEGORY)],
        "activities": labels("activities", service.codes(Taxonomy.ACTIVITY)),
        "intensity": labels("intensity", service.codes(Taxonomy.INTENSITY)),
        "who": {
            "ages": age_text(service.min_age, service.max_age),
            "min_age": service.min_age,
            "max_age": service.max_age,
            "women_only": "women-only" in codes,
            "men_only": "men-only" in codes,
            "conditions": labels("conditions", service.codes(Taxonomy.CONDITION)),
            "languages": [LANGUAGES.get(c, c) for c in service.languages],
        },
        "sessions": [
            {"day": s.day.value, "starts": s.starts_at.strftime("%H:%M"),
             "ends": s.ends_at.strftime("%H:%M"), "text": session_text(s),
             "venue": s.location.name if s.location else None}
            for s in service.sessions
        ],
        "next_dates": [
            {"starts": d["starts"].isoformat(), "ends": d["ends"].isoformat(),
             "venue": d["venue"], "text": d["text"]}
            for d in next_dates(service.sessions, now)
        ],
        "venues": [
            {"name": loc.name,
             "address": [line for line in (loc.address_1, loc.address_2, loc.town) if line],
             "postcode": loc.postcode,
             "latitude": loc.latitude, "longitude": loc.longitude,
             "step_free": not STEP_FREE.isdisjoint(loc.access_codes),
             "access": labels("access", [c for c in VENUE_ACCESS if c in loc.access_codes]),
             "access_notes": loc.access_notes}
            for loc in service.locations
        ],
        "remote": bool(REMOTE & set(own)),
        "remote_modes": remote_modes(own),
        "coverage": list(service.coverage),
        "cost": cost_text(service),
        "by_appointment": service.by_appointment,
        "free": service.is_free or "free" in own,
        "how_to_join": join_steps(service, codes),
        "good_to_know": labels("access", [c for c in GOOD_TO_KNOW if c in codes]),
        "access": codes,
        "contact": {"phone": service.phone, "email": service.email,
                    "website": safe_website(service.website)},
        "last_verified": service.last_verified.isoformat() if service.last_verified else None,
        "stale": is_stale(service.last_verified, freshness_today()),
    }
