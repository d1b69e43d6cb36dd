"""The provider's listing form <-> a listing snapshot (directory.listings), and a new venue.

The form stays a flat MultiDict from request to page, so whatever someone typed comes back
exactly as they typed it, whether the page is shown again for an error, a preview, an added
or removed session, or a conflict. Field names are the snapshot's (`name`, `categories`, ...);
weekly sessions are `session-<i>-day|starts|ends|location` rows, and a venue being added is
`venue-name|address|town|postcode|latitude|longitude`.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from werkzeug.datastructures import MultiDict

from .. import geocoding
from ..listings import FIELDS, TAG, TERM_FIELDS, TEXT_LIMITS
from ..models import (
    CoverageArea,
    Day,
    Location,
    Organization,
    Service,
    ServiceLanguage,
    ServiceStatus,
    Taxonomy,
    Term,
    WeeklySession,
    new_public_id,
)

TEXT = tuple(TEXT_LIMITS)
FLAGS = ("is_free", "by_appointment", "accepts_referrals")
AGES = ("min_age", "max_age")
LISTS = (*TERM_FIELDS, "languages", "locations")
SESSION_PARTS = ("day", "starts", "ends", "location")
SESSION_KEY = re.compile(r"^session-(\d+)-(day|starts|ends|location|remove)$")
SECONDS = re.compile(r"^(\d\d:\d\d):\d\d(\.\d+)?$")  # some browsers send 10:00:00
# A session's venue select: the venue being added on this same form (it has no id yet).
NEW_VENUE = "new"
VENUE_FIELDS = ("venue-name", "venue-address", "venue-town", "venue-postcode",
                "venue-latitude", "venue-longitude")
VENUE_LIMITS = {"venue-name": 200, "venue-address": 200, "venue-town": 100}
# How far a corrected position may be from the postcode's own (postcodes cover a few streets;
# rural ones more), before we take it for a typing slip.
NEAR_KM = 20.0
MAX_SESSIONS = 30


def blank() -> dict[str, Any]:
    """The snapshot a new listing starts from."""
    return {
        **{name: "" for name in TEXT}, "is_free": False, "by_appointment": False,
        "accepts_referrals": False,
        "min_age": None, "max_age": None, **{name: [] for name in TERM_FIELDS},
        "languages": ["en"], "coverage": [], "locations": [], "sessions": [],
    }


def to_form(snap: Mapping[str, Any]) -> MultiDict[str, str]:
    """The form fields that show a snapshot."""
    form: MultiDict[str, str] = MultiDict()
    for name in TEXT:
        form[name] = snap.get(name) or ""
    for name in FLAGS:
        if snap.get(name):
            form[name] = "y"
    for name in AGES:
        form[name] = "" if snap.get(name) is None else str(snap[name])
    for name in LISTS:
        for value in snap.get(name) or ():
            form.add(name, value)
    form["coverage"] = ", ".join(snap.get("coverage") or ())
    for i, row in enumerate(snap.get("sessions") or ()):
        for part in SESSION_PARTS:
            form[f"session-{i}-{part}"] = row.get(part) or ""
    return form


# --- the weekly session rows ------------------------------------------------------------------


def session_indexes(form: Mapping[str, Any]) -> list[int]:
    found = {int(m[1]) for key in form if (m := SESSION_KEY.match(key)) and m[2] != "remove"}
    return sorted(found)


def session_rows(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    """The session rows as typed, in form order, each with its form index."""
    return [{"index": i, **{part: form.get(f"session-{i}-{part}", "") for part in SESSION_PARTS}}
            for i in session_indexes(form)]


def removed_row(form: Mapping[str, Any]) -> int | None:
    """The row whose Remove button was pressed, if one was."""
    for key in form:
        m = SESSION_KEY.match(key)
        if m and m[2] == "remove":
            return int(m[1])
    return None


def renumber(form: MultiDict[str, str], drop: int | None = None,
             add: bool = False) -> MultiDict[str, str]:
    """The same form with session rows numbered 0.. again, one dropped or a blank one added."""
    rows = [r for r in session_rows(form) if r["index"] != drop]
    if add and len(rows) < MAX_SESSIONS:
        rows.append({"index": None, **{part: "" for part in SESSION_PARTS}})
    out: MultiDict[str, str] = MultiDict(
        [(k, v) for k, v in form.items(multi=True) if not SESSION_KEY.match(k) and k != "action"]
    )
    for i, row in enumerate(rows):
        for part in SESSION_PARTS:
            out[f"session-{i}-{part}"] = row[part]
    return out


# --- form -> raw snapshot, errors -> form ids --------------------------------------------------


@dataclass
class Parsed:
    """The raw snapshot for validate_listing, and which form row each of its sessions came from."""

    raw: dict[str, Any]
    rows: list[int] = field(default_factory=list)


def _clock(text: str) -> str:
    text = (text or "").strip()
    m = SECONDS.match(text)
    return m[1] if m else text


def to_raw(form: MultiDict[str, str], known: Container[str] = (),
           new_venue: str | None = None) -> Parsed:
    """The raw snapshot the form describes. `known` are the venues the organisation may use;
    `new_venue` is the public id given to a venue being added on this form: it joins the
    listing's venues and stands for "new" in session rows."""
    # Stripped here as validate_listing would afterwards, so that "   " counts as empty for its
    # "Enter the name" check (it checks the length before stripping).
    raw: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXT}
    for name in FLAGS:
        raw[name] = bool(form.get(name))
    for name in AGES:
        raw[name] = form.get(name, "").strip() or None
    for name in LISTS:
        raw[name] = [v for v in form.getlist(name) if v.strip()]
    raw["coverage"] = [c for c in re.split(r"[,;\s]+", form.get("coverage", "")) if c]
    sessions, rows = [], []
    for row in session_rows(form):
        if not (row["day"] or row["starts"].strip() or row["ends"].strip()):
            continue  # a blank row (from "Add another session") is not a session
        where = row["location"] or None
        if where == NEW_VENUE and new_venue:
            where = new_venue
        sessions.append({"day": row["day"], "starts": _clock(row["starts"]),
                         "ends": _clock(row["ends"]), "location": where})
        rows.append(row["index"])
    raw["sessions"] = sessions
    # A venue chosen for a session is one of the listing's venues: no need to tick it twice.
    wanted = [*raw["locations"], *([new_venue] if new_venue else []),
              *(s["location"] for s in sessions if s["location"] in known)]
    raw["locations"] = list(dict.fromkeys(wanted))
    return Parsed(raw, rows)


def field_id(key: str, rows: list[int]) -> str:
    """The id of the form field a validate_listing error key belongs beside."""
    if key.startswith("sessions."):
        _, position, *rest = key.split(".")
        try:
            index = rows[int(position)]
        except (ValueError, IndexError):
            return "sessions"
        part = rest[0] if rest and rest[0] in SESSION_PARTS else "day"
        return f"session-{index}-{part}"
    return key if key in FIELDS else "name"


def form_errors(errors: Mapping[str, list[str]], rows: list[int]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        out.setdefault(field_id(key, rows), []).extend(messages)
    return out


# --- a new venue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VenueDraft:
    name: str
    address: str
    town: str
    postcode: str
    latitude: float
    longitude: float
    found: tuple[float, float]  # the postcode's own position


def wants_venue(form: Mapping[str, Any]) -> bool:
    return any((form.get(name) or "").strip() for name in VENUE_FIELDS[:4])


def read_venue(form: MultiDict[str, str],
               geocoder: geocoding.Geocoder) -> tuple[VenueDraft | None, dict[str, list[str]]]:
    """Check the new venue's fields; geocode its postcode. When the position is left empty, the
    postcode's position is written into the form so the provider sees it (and may correct it)."""
    errors: dict[str, list[str]] = {}
    values = {name: (form.get(name) or "").strip() for name in VENUE_FIELDS}
    if not values["venue-name"]:
        errors["venue-name"] = ["Enter the venue's name"]
    for name, limit in VENUE_LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = [f"Use {limit} characters or fewer"]
        elif TAG.search(values[name]):
            errors[name] = ["Write plain text: remove the HTML tags "
                            "(anything like <b> or <script>)"]
    found: tuple[float, float] | None = None
    if not values["venue-postcode"]:
        errors["venue-postcode"] = ["Enter the venue's postcode"]
    else:
        try:
            place = geocoder.resolve_postcode(values["venue-postcode"])
        except geocoding.GeocodingError as err:
            errors["venue-postcode"] = [str(err)]
        else:
            found = (place.latitude, place.longitude)
            form["venue-postcode"] = values["venue-postcode"] = place.label
    position = _position(values, errors)
    if found is not None and position is None and not (
            errors.get("venue-latitude") or errors.get("venue-longitude")):
        position = (round(found[0], 6), round(found[1], 6))
        form["venue-latitude"], form["venue-longitude"] = (str(position[0]), str(position[1]))
    if found and position and geocoding.distance_km(found, position) > NEAR_KM:
        errors["venue-latitude"] = [
            f"This position is more than {NEAR_KM:.0f} km from {values['venue-postcode']}: "
            "check the numbers, or empty both boxes to use the postcode's position"]
    if errors or found is None or position is None:
        return None, errors
    return VenueDraft(values["venue-name"], values["venue-address"], values["venue-town"],
                      values["venue-postcode"], position[0], position[1], found), {}


def _position(values: Mapping[str, str],
              errors: dict[str, list[str]]) -> tuple[float, float] | None:
    lat_text, lon_text = values["venue-latitude"], values["venue-longitude"]
    if not lat_text and not lon_text:
        return None
    numbers: list[float] = []
    for name, text, limit, word in (("venue-latitude", lat_text, 90, "latitude"),
                                    ("venue-longitude", lon_text, 180, "longitude")):
        if not text:
            errors[name] = [f"Enter the {word} too, "
                            "or empty both boxes to use the postcode's position"]
            continue
        try:
            number = float(text)
        except ValueError:
            example = "54.97" if limit == 90 else "-1.61"
            errors[name] = [f"Enter the {word} as a number, like {example}"]
            continue
        if not -limit <= number <= limit:  # also refuses nan and inf
            errors[name] = [f"Enter a {word} from -{limit} to {limit}"]
            continue
        numbers.append(number)
    return (numbers[0], numbers[1]) if len(numbers) == 2 else None


def new_location(draft: VenueDraft, organization: Organization) -> Location:
    """The venue as a row, not yet added to any session (the caller adds it when saving)."""
    return Location(public_id=new_public_id(), name=draft.name, address_1=draft.address,
                    town=draft.town, postcode=draft.postcode, latitude=draft.latitude,
                    longitude=draft.longitude, organization_id=organization.id)


# --- the preview ------------------------------------------------------------------------------


def preview_service(snap: Mapping[str, Any], organization_name: str,
                    venues: Mapping[str, Location], terms: Mapping[tuple[Taxonomy, str], Term],
                    last_verified: date | None) -> Service:
    """A transient Service showing the snapshot, for the public page's facts (present.detail).

    Nothing here is ever added to the database session: the organisation and venues are
    copies, so no persistent row's collections gain a transient object.
    """
    copies: dict[str, Location] = {}
    used = [*snap["locations"], *(s["location"] for s in snap["sessions"] if s.get("location"))]
    for public_id in used:
        loc = venues.get(public_id)
        if loc is not None and public_id not in copies:
            copy = Location(public_id=public_id, name=loc.name, address_1=loc.address_1 or "",
                            address_2=loc.address_2 or "", town=loc.town or "",
                            postcode=loc.postcode or "", latitude=loc.latitude,
                            longitude=loc.longitude, access_notes=loc.access_notes or "")
            copy.access_terms = list(loc.access_terms) if loc.id is not None else []
            copies[public_id] = copy
    service = Service(
        name=snap["name"], description=snap["description"], first_visit=snap["first_visit"],
        cost=snap["cost"], is_free=snap["is_free"], min_age=snap["min_age"],
        max_age=snap["max_age"], phone=snap["phone"] or None, email=snap["email"] or None,
        website=snap["website"] or None, by_appointment=snap["by_appointment"],
        accepts_referrals=snap.get("accepts_referrals", False),
        referral_needs=snap.get("referral_needs", ""),
        status=ServiceStatus.DRAFT, last_verified=last_verified,
    )
    service.organization = Organization(name=organization_name)
    service.terms = [terms[(taxonomy, code)] for name, taxonomy in TERM_FIELDS.items()
                     for code in snap[name] if (taxonomy, code) in terms]
    service.language_rows = [ServiceLanguage(code=c) for c in snap["languages"]]
    service.coverage_rows = [CoverageArea(outward_code=c) for c in snap["coverage"]]
    service.locations = [copies[v] for v in snap["locations"] if v in copies]
    service.sessions = [
        WeeklySession(day=Day(s["day"]), starts_at=time.fromisoformat(s["starts"]),
                      ends_at=time.fromisoformat(s["ends"]),
                      location=copies.get(s["location"]) if s.get("location") else None)
        for s in snap["sessions"]
    ]
    return service
