"""A listing as plain data: the snapshot that moderation stores, diffs and applies.

A snapshot is everything a provider can change about a service, as JSON-safe values:
text and numbers, vocabulary ids, language and district codes, venue public ids, and the
weekly sessions. `snapshot()` reads one from a service, `LISTING_SCHEMA` validates one
(naming each bad field), `apply()` writes one (or only some of its fields) onto a service,
and `diff()` lists what differs, in words an admin can read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import plaintext
from .models import (
    CoverageArea,
    Day,
    Location,
    Service,
    ServiceLanguage,
    Taxonomy,
    Term,
    WeeklySession,
    utcnow,
)
from .vocabulary import Vocabulary

# Field -> the plain label forms, diffs and the audit page use.
LABELS = {
    "name": "Name",
    "description": "What happens",
    "first_visit": "What to expect the first time",
    "cost": "Cost",
    "is_free": "Free",
    "min_age": "Youngest age",
    "max_age": "Oldest age",
    "phone": "Phone",
    "email": "Email",
    "website": "Website",
    "by_appointment": "By appointment only",
    "categories": "Kind of service",
    "activities": "Activities",
    "conditions": "Suits people with",
    "access": "Access and joining",
    "intensity": "How active",
    "languages": "Languages",
    "coverage": "Home visits cover",
    "locations": "Venues",
    "sessions": "When it meets",
    "accepts_referrals": "Takes referrals from Link Workers",
    "referral_needs": "What we need to know about a referral",
}
REQUIRED = {"name": "Enter the name of the service",
            "description": "Say what happens there, in a sentence or two"}
TEXT_LIMITS = {"name": 200, "description": 5000, "first_visit": 2000, "cost": 300,
               "phone": 40, "email": 254, "website": 500, "referral_needs": 2000}
TERM_FIELDS: dict[str, Taxonomy] = {
    "categories": Taxonomy.CATEGORY,
    "activities": Taxonomy.ACTIVITY,
    "conditions": Taxonomy.CONDITION,
    "access": Taxonomy.ACCESS,
    "intensity": Taxonomy.INTENSITY,
}
FIELDS = tuple(LABELS)
DAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
             "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
TAG = plaintext.TAG  # markup in a listing's text is refused (directory.plaintext)
PHONE = re.compile(r"^[0-9 +()\-]{6,40}$")
OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")


class ListingError(ValueError):
    """Invalid listing data: `errors` maps each field to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = dict(errors)


def _no_markup(text: str) -> None:
    if TAG.search(text or ""):
        raise ValidationError(
            "Write plain text: remove the HTML tags (anything like <b> or <script>)")


SINGLE_LINE = {"name", "cost", "phone", "email", "website"}


def _one_line(text: str) -> None:
    if (problem := plaintext.single_line_problem(text)) is not None:
        raise ValidationError(problem)


def _no_controls(text: str) -> None:
    if (problem := plaintext.multi_line_problem(text)) is not None:
        raise ValidationError(problem)


def _text(name: str, required: bool = False) -> fields.String:
    limit = TEXT_LIMITS[name]
    checks: list[Any] = [
        validate.Length(max=limit, error=f"Use {limit} characters or fewer"), _no_markup,
        _one_line if name in SINGLE_LINE else _no_controls,
    ]
    if required:
        checks.append(validate.Length(min=1))
    messages: dict[str, Any] = {"required": REQUIRED.get(name, ""), "invalid": "Enter text"}
    if required:
        checks[-1] = validate.Length(min=1, error=REQUIRED[name])
        return fields.String(required=True, validate=checks, error_messages=messages)
    return fields.String(load_default="", allow_none=True, validate=checks, error_messages=messages)


class SessionIn(Schema):
    class Meta:
        unknown = RAISE

    day = fields.String(required=True, validate=validate.OneOf(DAY_NAMES, error="Choose a day"),
                        error_messages={"required": "Choose a day"})
    starts = fields.String(required=True, validate=validate.Regexp(
        HHMM, error="Enter a start time like 10:00"),
        error_messages={"required": "Enter a start time"})
    ends = fields.String(required=True, validate=validate.Regexp(
        HHMM, error="Enter an end time like 11:30"),
        error_messages={"required": "Enter an end time"})
    location = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        starts, ends = data.get("starts", ""), data.get("ends", "")
        if HHMM.match(starts) and HHMM.match(ends) and ends <= starts:
            raise ValidationError("The end time must be after the start time", "ends")


class ListingSchema(Schema):
    """The shape and limits of a snapshot; vocabulary and venue checks need the context."""

    class Meta:
        unknown = RAISE

    name = _text("name", required=True)
    description = _text("description", required=True)
    first_visit = _text("first_visit")
    cost = _text("cost")
    phone = _text("phone")
    email = _text("email")
    website = _text("website")
    referral_needs = _text("referral_needs")
    is_free = fields.Boolean(load_default=False)
    accepts_referrals = fields.Boolean(load_default=False)
    by_appointment = fields.Boolean(load_default=False)
    min_age = fields.Integer(load_default=None, allow_none=True, strict=False,
                             validate=validate.Range(0, 120, error="Enter an age from 0 to 120"),
                             error_messages={"invalid": "Enter an age in whole years"})
    max_age = fields.Integer(load_default=None, allow_none=True, strict=False,
                             validate=validate.Range(0, 120, error="Enter an age from 0 to 120"),
                             error_messages={"invalid": "Enter an age in whole years"})
    categories = fields.List(fields.String(), load_default=list)
    activities = fields.List(fields.String(), load_default=list)
    conditions = fields.List(fields.String(), load_default=list)
    access = fields.List(fields.String(), load_default=list)
    intensity = fields.List(fields.String(), load_default=list)
    languages = fields.List(fields.String(), load_default=list)
    coverage = fields.List(fields.String(), load_default=list)
    locations = fields.List(fields.String(), load_default=list)
    sessions = fields.List(fields.Nested(SessionIn), load_default=list)

    @validates_schema
    def _rules(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            errors["max_age"] = ["The oldest age must be the same as or more than the youngest"]
        if data.get("phone") and not PHONE.match(data["phone"]):
            errors["phone"] = ["Enter a phone number like 0191 123 4567"]
        if data.get("email") and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", data["email"]):
            errors["email"] = ["Enter an email address like name@example.org"]
        if data.get("website") and not re.match(r"^https?://[^\s/]+\.[^\s]+$", data["website"]):
            errors["website"] = ["Enter a web address starting https://"]
        if errors:
            raise ValidationError(errors)


LISTING_SCHEMA = ListingSchema()


@dataclass(frozen=True)
class Context:
    """What a snapshot is checked against: the vocabulary, the venues this organisation may use,
    and a way to tell a real postcode district."""

    vocab: Vocabulary
    venues: Mapping[str, Location]  # public id -> venue
    known_district: Any  # callable(str) -> bool


def validate_listing(raw: Mapping[str, Any], context: Context) -> dict[str, Any]:
    """A clean snapshot from raw data, or ListingError naming every bad field."""
    # Spaces around text are dropped first, so a name of only spaces counts as missing.
    raw = {k: v.strip() if isinstance(v, str) else v for k, v in raw.items()}
    try:
        data: dict[str, Any] = LISTING_SCHEMA.load(raw)
    except ValidationError as err:
        messages = err.normalized_messages()
        data = {}
    else:
        messages = {}
    errors: dict[str, list[str]] = {k: _flat(v) for k, v in messages.items() if k != "sessions"}
    if "sessions" in messages:
        for index, problems in messages["sessions"].items():
            if isinstance(problems, dict):
                for field, texts in problems.items():
                    errors[f"sessions.{index}.{field}"] = _flat(texts)
            else:
                errors[f"sessions.{index}"] = _flat(problems)
    if not data:
        raise ListingError(errors)

    vocab = context.vocab
    for field, section in (("categories", "categories"), ("activities", "activities"),
                           ("conditions", "conditions"), ("access", "access"),
                           ("intensity", "intensity")):
        unknown = [c for c in data[field] if c not in vocab.ids(section)]
        if unknown:
            errors[field] = [f"Not a choice here: {', '.join(unknown)}"]
        data[field] = sorted(set(data[field]))
    if not errors.get("categories") and not 1 <= len(data["categories"]) <= 3:
        errors["categories"] = ["Choose one, two or three kinds of service"]
    if not errors.get("activities") and len(data["activities"]) > 5:
        errors["activities"] = ["Choose up to five activities"]
    if not errors.get("intensity") and len(data["intensity"]) > 1:
        errors["intensity"] = ["Choose one level of activity"]

    languages = sorted({c.strip().lower() for c in data["languages"] if c.strip()}) or ["en"]
    bad = [c for c in languages if c not in vocab.languages]
    if bad:
        errors["languages"] = [f"Not a language we list: {', '.join(bad)}"]
    data["languages"] = languages

    coverage = sorted({c.strip().upper() for c in data["coverage"] if c.strip()})
    bad = [c for c in coverage if not OUTWARD.match(c) or not context.known_district(c)]
    if bad:
        errors["coverage"] = [f"Not a postcode district: {', '.join(bad)} "
                              "(use the first half, like NE4)"]
    if coverage and "home-visit" not in data["access"] and "coverage" not in errors:
        errors["coverage"] = ["Districts are only for home visits: tick 'Home visits' too, "
                              "or leave this empty"]
    data["coverage"] = coverage

    venue_ids = list(dict.fromkeys(data["locations"]))
    strange = [v for v in venue_ids if v not in context.venues]
    if strange:
        errors["locations"] = ["Choose venues from your own list, or add a new one"]
    data["locations"] = sorted(venue_ids, key=lambda v: (context.venues[v].name, v)
                               if v in context.venues else ("", v))
    for index, row in enumerate(data["sessions"]):
        where = row.get("location") or None
        if where is not None and where not in venue_ids:
            errors[f"sessions.{index}.location"] = ["Choose one of this listing's venues"]
        row["location"] = where
    data["sessions"] = sorted(data["sessions"], key=lambda r: (list(DAY_NAMES).index(r["day"]),
                                                               r["starts"], r["ends"]))
    for name in TEXT_LIMITS:
        data[name] = (data.get(name) or "").strip()
    if errors:
        raise ListingError(errors)
    return {name: data[name] for name in FIELDS}


def _flat(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flat(v)]
    if isinstance(messages, list):
        return [m for v in messages for m in _flat(v)]
    return [str(messages)]


# --- reading and writing services ----------------------------------------------------------


def snapshot(service: Service) -> dict[str, Any]:
    """The listing as it stands, in the snapshot's shape."""
    return {
        "name": service.name,
        "description": service.description or "",
        "first_visit": service.first_visit or "",
        "cost": service.cost or "",
        "is_free": bool(service.is_free),
        "min_age": service.min_age,
        "max_age": service.max_age,
        "phone": service.phone or "",
        "email": service.email or "",
        "website": service.website or "",
        "by_appointment": bool(service.by_appointment),
        "accepts_referrals": bool(service.accepts_referrals),
        "referral_needs": service.referral_needs or "",
        **{field: sorted(service.codes(taxonomy)) for field, taxonomy in TERM_FIELDS.items()},
        "languages": sorted(service.languages) or ["en"],
        "coverage": sorted(service.coverage),
        "locations": sorted((loc.public_id for loc in service.locations),
                            key=lambda v: next((loc.name, v) for loc in service.locations
                                               if loc.public_id == v)),
        "sessions": [
            {"day": Day(s.day).value, "starts": s.starts_at.strftime("%H:%M"),
             "ends": s.ends_at.strftime("%H:%M"),
             "location": s.location.public_id if s.location else None}
            for s in service.sessions
        ],
    }


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return [f for f in FIELDS if before.get(f) != after.get(f)]


def apply(session: Session, service: Service, snap: Mapping[str, Any],
          only: Iterable[str] | None = None) -> None:
    """Write the snapshot's fields (or `only` those) onto the service; the caller commits."""
    with session.no_autoflush:  # one flush, so the audit sees the whole change at once
        _apply(session, service, snap, only)


def _apply(session: Session, service: Service, snap: Mapping[str, Any],
           only: Iterable[str] | None) -> None:
    wanted = set(FIELDS if only is None else only)
    for name in ("name", "description", "first_visit", "cost"):
        if name in wanted:
            setattr(service, name, snap[name])
    # Snapshots stored before referrals existed have neither field: they stay as they are.
    for name, empty in (("accepts_referrals", False), ("referral_needs", "")):
        if name in wanted and name in snap:
            setattr(service, name, snap[name] or empty)
    for name in ("phone", "email", "website"):
        if name in wanted:
            setattr(service, name, snap[name] or None)
    for name in ("is_free", "by_appointment", "min_age", "max_age"):
        if name in wanted:
            setattr(service, name, snap[name])
    if wanted & set(TERM_FIELDS):
        by_key = {(t.taxonomy, t.code): t for t in session.scalars(select(Term))}
        keep = [t for t in service.terms
                if not any(t.taxonomy is TERM_FIELDS[f] for f in wanted & set(TERM_FIELDS))]
        for field in sorted(wanted & set(TERM_FIELDS)):
            keep += [by_key[(TERM_FIELDS[field], code)] for code in snap[field]]
        service.terms = keep
    if "languages" in wanted and sorted(service.languages) != list(snap["languages"]):
        service.language_rows = [ServiceLanguage(code=c) for c in snap["languages"]]
    if "coverage" in wanted and sorted(service.coverage) != list(snap["coverage"]):
        service.coverage_rows = [CoverageArea(outward_code=c) for c in snap["coverage"]]
    venues = _venues(session, [*snap.get("locations", []),
                               *(s["location"] for s in snap.get("sessions", [])
                                 if s.get("location"))])
    if "locations" in wanted:
        service.locations = [venues[v] for v in snap["locations"] if v in venues]
    if "sessions" in wanted and snapshot(service)["sessions"] != list(snap["sessions"]):
        service.sessions = [
            WeeklySession(day=Day(s["day"]), starts_at=time.fromisoformat(s["starts"]),
                          ends_at=time.fromisoformat(s["ends"]),
                          location=venues.get(s["location"]) if s.get("location") else None)
            for s in snap["sessions"]
        ]
    # Always an UPDATE of the row, so the version check runs even when only related rows changed.
    service.updated_at = utcnow()


def _venues(session: Session, public_ids: Iterable[str]) -> dict[str, Location]:
    ids = set(public_ids)
    if not ids:
        return {}
    found = session.scalars(select(Location).where(Location.public_id.in_(ids)))
    return {loc.public_id: loc for loc in found}


# --- words for changes -----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


def describe(field: str, value: Any, vocab: Vocabulary, venue_names: Mapping[str, str]) -> str:
    """One snapshot value in words ("Tuesday 10:00 to 11:30 at Fenham Hall")."""
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field in TERM_FIELDS:
        section = field if field != "intensity" else "intensity"
        return ", ".join(vocab.label(section, c) for c in value)
    if field == "locations":
        return ", ".join(venue_names.get(v, v) for v in value)
    if field == "sessions":
        return "; ".join(
            f"{DAY_NAMES[s['day']]} {s['starts']} to {s['ends']}"
            + (f" at {venue_names.get(s['location'], s['location'])}" if s.get("location") else "")
            for s in value
        )
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def venue_names(session: Session, snaps: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Venue public id -> name, for the venues these snapshots name."""
    snaps = list(snaps)
    ids = {v for snap in snaps for v in snap.get("locations") or []}
    ids |= {s["location"] for snap in snaps for s in snap.get("sessions") or []
            if s.get("location")}
    return {v: loc.name for v, loc in _venues(session, ids).items()}


def diff(session: Session, before: Mapping[str, Any], after: Mapping[str, Any],
         vocab: Vocabulary) -> list[FieldChange]:
    """Field-by-field differences in words, in form order."""
    fields_ = changed_fields(before, after)
    names = venue_names(session, [before, after])
    return [FieldChange(f, LABELS[f], describe(f, before.get(f), vocab, names),
                        describe(f, after.get(f), vocab, names)) for f in fields_]
