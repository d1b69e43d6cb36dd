"""The Link Worker workspace: match form, suggestions with reasons, shortlist and the plan.

Nothing about the person is stored while the Link Worker works: the profile and the
shortlist travel in the form itself (POST, so not in addresses or logs). Only "Save plan
and get a link" writes anything, and then only the non-identifying parts of the profile.

Every button in the form posts the whole form and gets the whole page back, landing on
`#results` (the shortlist, then the suggestions). workspace.js sends the same posts with
fetch and swaps the page's panel in place, so nothing reloads at the top; without it the
page still works the same way.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

import matcher
from matcher.geo import haversine_km

from .. import browse, freshness, geocoding, plans, referrals, vocabulary
from ..auth.permissions import role_required
from ..db import get_session
from ..matching import run_match
from ..models import Role
from ..schemas.match import load_profile
from . import plan_page, present, results
from .params import parse as parse_search

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

PARTS = {"morning": ("08:00", "12:00"), "afternoon": ("12:00", "17:00"),
         "evening": ("17:00", "22:00")}
DAYS = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
        ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday"))
PLAN_DAYS = plan_page.PLAN_DAYS
# Form field that each contract error belongs beside.
ERROR_FIELDS = {"location": "place", "max_distance_km": "distance", "availability": "times"}
# What each field is called on the form, to name it in the error summary.
FIELD_NAMES = {
    "goals": "What the person wants", "conditions": "Long-term conditions",
    "place": "Postcode or place", "distance": "How far they can travel",
    "readiness": "How ready they are", "times": "When they can go", "needs": "What they need",
    "age": "Age", "gender": "Gender", "languages": "Languages", "text": "Their words",
}
# Languages to choose by name: the vocabulary's common local ones first, then others the
# directory's services may list. ISO 639-1 codes, as the match contract takes them.
MORE_LANGUAGES = {
    "am": "Amharic", "de": "German", "es": "Spanish", "fr": "French", "gu": "Gujarati",
    "hi": "Hindi", "it": "Italian", "lt": "Lithuanian", "lv": "Latvian", "ps": "Pashto",
    "pt": "Portuguese", "sk": "Slovak", "ta": "Tamil", "ti": "Tigrinya", "tr": "Turkish",
    "uk": "Ukrainian", "ru": "Russian", "cs": "Czech", "hu": "Hungarian", "ml": "Malayalam",
    "ne": "Nepali", "sw": "Swahili", "th": "Thai", "vi": "Vietnamese", "ja": "Japanese",
    "ko": "Korean", "el": "Greek", "he": "Hebrew", "nl": "Dutch", "sq": "Albanian",
    "bg": "Bulgarian", "hr": "Croatian", "sr": "Serbian", "gd": "Scottish Gaelic",
    "ga": "Irish", "yo": "Yoruba", "ig": "Igbo", "ha": "Hausa", "ur": "Urdu",
}
SHORTLIST_MAX = 20
LOOKUP_SHOWN = 5
# The needs a Link Worker can ask for on the form, in the order shown.
FORM_NEEDS = ("free", "low-cost", "wheelchair-accessible", "step-free", "accessible-toilet",
              "hearing-loop", "near-bus-stop", "parking", "drop-in", "accompanied-first-visit",
              "women-only", "men-only", "online", "telephone", "home-visit", "dementia-friendly")


def languages() -> list[tuple[str, str]]:
    """(code, name) for the language pickers, by name."""
    names = {**MORE_LANGUAGES, **present.LANGUAGES}
    for code in vocabulary.current().languages:
        names.setdefault(code, code)
    return sorted(names.items(), key=lambda item: item[1])


def ordered_goals(form: MultiDict[str, str]) -> list[str]:
    """The ticked goals, most important first: the order they were ticked in (workspace.js
    keeps it in `goal_order`), then any others in the form's order."""
    ticked = list(dict.fromkeys(form.getlist("goals")))
    said = [g for g in (form.get("goal_order") or "").split(",") if g in ticked]
    return list(dict.fromkeys(said + ticked))


def to_payload(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The match contract's profile from the workspace form, and errors the form alone shows."""
    errors: dict[str, list[str]] = {}
    known = {code for code, _name in languages()}
    chosen = [c.strip().lower() for c in form.getlist("languages") if c.strip()]
    if any(c not in known for c in chosen):
        errors["languages"] = ["Choose the languages they can take part in from the list"]
    payload: dict[str, Any] = {
        "goals": ordered_goals(form),
        "conditions": form.getlist("conditions"),
        "needs": form.getlist("needs"),
        "readiness": form.get("readiness") or "ready",
        "languages": list(dict.fromkeys(chosen)) or ["en"],
        "text": form.get("text", "").strip(),
        "exclude": form.getlist("exclude"),
        "limit": 10,
    }
    raw = form.get("distance", "").strip()
    if raw:
        try:
            payload["max_distance_km"] = float(raw)
            if not math.isfinite(payload["max_distance_km"]):
                raise ValueError(raw)
        except ValueError:
            payload.pop("max_distance_km", None)
            errors["distance"] = ["Enter how far they can travel as a number of kilometres, like 5"]
    raw = form.get("age", "").strip()
    if raw:
        try:
            payload["age"] = int(raw)
        except ValueError:
            errors["age"] = ["Enter their age in whole years, like 67"]
    if form.get("gender"):
        payload["gender"] = form["gender"]
    windows = [
        {"day": day, "from": PARTS[part][0], "to": PARTS[part][1]}
        for day, _label in DAYS for part in PARTS if f"{day}-{part}" in form.getlist("times")
    ]
    if windows:
        payload["availability"] = windows
    place = form.get("place", "").strip()
    if place:
        try:
            found = geocoding.current().resolve(place)
        except geocoding.GeocodingError as err:
            errors["place"] = [f"Postcode or place: {err}"]
        else:
            payload["location"] = (
                {"postcode": found.label} if found.kind in ("postcode", "outward")
                else {"latitude": found.latitude, "longitude": found.longitude}
            )
    return payload, errors


def _flatten(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]


def _named(field: str, message: str) -> str:
    """The message, starting with its field's name unless it already says which field."""
    name = FIELD_NAMES.get(field)
    if not name or name.lower() in message.lower() or field.rstrip("s") in message.lower():
        return message
    return f"{name}: {message[0].lower()}{message[1:]}"


def _form_errors(err: ValidationError) -> dict[str, list[str]]:
    messages = err.normalized_messages()
    out: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = ERROR_FIELDS.get(key, key)
        out[name] = [_named(name, m) for m in _flatten(value)]
    return out


# --- the shortlist and what the buttons change --------------------------------------------------


def _shortlist(form: MultiDict[str, str]) -> list[str]:
    chosen = [i for i in form.getlist("shortlist") if i]
    for key in ("add", "add_anyway"):
        if form.get(key):
            chosen.append(form[key])
    if form.get("remove"):
        chosen = [i for i in chosen if i != form["remove"]]
    return list(dict.fromkeys(chosen))[:SHORTLIST_MAX]


def _outside(form: MultiDict[str, str], shortlist: list[str]) -> list[str]:
    """Shortlisted services added although a rule ruled them out ("add anyway")."""
    marked = form.getlist("outside") + ([form["add_anyway"]] if form.get("add_anyway") else [])
    return [i for i in dict.fromkeys(marked) if i in shortlist]


def apply_change(form: MultiDict[str, str]) -> MultiDict[str, str]:
    """The form with a "would bring it in" change applied: `distance:6.5`,
    `need:free>low-cost`, `need:step-free>` (drop it) or `time:thu-evening`."""
    change = form.get("change", "")
    if not change:
        return form
    out = MultiDict(form)
    kind, _, value = change.partition(":")
    if kind == "distance":
        out.setlist("distance", [value])
    elif kind == "need":
        old, _, new = value.partition(">")
        needs = [n for n in out.getlist("needs") if n != old]
        if new and new not in needs:
            needs.append(new)
        out.setlist("needs", needs)
    elif kind == "time" and value not in out.getlist("times"):
        out.add("times", value)
    out.pop("change", None)
    return out


@dataclass
class Fix:
    """One change to the profile that would bring a ruled-out service in."""

    label: str  # "Allow 6.5 km"
    change: str  # the `change` value apply_change understands


@dataclass
class RuledOut:
    service_id: str
    name: str
    text: str
    href: str | None
    fix: Fix | None = None


def _fix(w: matcher.WhyNot, service: Any, profile: matcher.Profile, payload: dict[str, Any],
         vocab: vocabulary.Vocabulary) -> Fix | None:
    """The one change that would bring this service in, when there is exactly one."""
    if w.exclusion is matcher.Exclusion.TOO_FAR:
        points = [v for v in service.locations if v.has_coordinates]
        origins = [o for o in (profile.origin, *profile.also_from) if o is not None]
        if not points or not origins:
            return None
        # Within reach of every reading of where they start (as the matcher measures).
        km = min(max(haversine_km(o, matcher.Point(v.latitude, v.longitude)) for o in origins)
                 for v in points)
        km = math.ceil(km * 2 + 1e-9) / 2
        if km > 50:
            return None
        text = f"{km:g}"
        return Fix(f"Allow {text} km", f"distance:{text}")
    if w.exclusion is matcher.Exclusion.NEEDS_NOT_MET:
        has = set(present.access_codes(service))
        missing = [n for n in payload.get("needs", []) if n not in has]
        if missing == ["free"] and "low-cost" in has:
            return Fix("Allow low cost", "need:free>low-cost")
        if missing == ["free"] and service.cost.strip():
            return Fix(f"Allow a cost ({service.cost.strip()[:40]})", "need:free>")
        if len(missing) == 1:
            return Fix(f"Do not require ‘{vocab.label('access', missing[0]).lower()}’",
                       f"need:{missing[0]}>")
        return None
    if w.exclusion is matcher.Exclusion.NOT_AVAILABLE and service.sessions:
        s = service.sessions[0]
        start = s.starts_at.strftime("%H:%M")
        for part, (begins, ends) in PARTS.items():
            if begins <= start < ends:
                day = dict(DAYS)[s.day.value]
                return Fix(f"Include {day} {part}s", f"time:{s.day.value}-{part}")
    return None


# --- what a card and a plan say about a service --------------------------------------------------


def card(service: Any, vocab: vocabulary.Vocabulary, now: datetime) -> dict[str, Any]:
    """What a Link Worker reads aloud (and the plan prints) about one service."""
    codes = present.access_codes(service)
    upcoming = present.next_dates(service.sessions, now, 1)
    join = present.join_steps(service, codes)
    extra = [vocab.label("access", c) for c in ("accompanied-first-visit", "miss-sessions-ok",
                                                 "beginners-welcome") if c in codes]
    venues = []
    for loc in service.locations:
        step_free = bool({"step-free", "wheelchair-accessible"} & set(loc.access_codes))
        venues.append({
            "name": loc.name,
            "address": ", ".join(x for x in (loc.address_1, loc.address_2, loc.town, loc.postcode)
                                 if x),
            "step_free": step_free,
            "access": [vocab.label("access", c) for c in ("step-free", "wheelchair-accessible",
                       "accessible-toilet", "hearing-loop", "near-bus-stop", "parking")
                       if c in loc.access_codes],
            "notes": loc.access_notes,
            # For the plan's map and "Get directions" (None when the venue has no position).
            "latitude": loc.latitude,
            "longitude": loc.longitude,
        })
    description = " ".join((service.description or "").split())
    many = len(service.locations) > 1
    return {
        "id": service.public_id,
        "name": service.name,
        "organization": service.organization.name,
        "description": description,
        "summary": (description if len(description) <= 220
                    else description[:217].rsplit(" ", 1)[0] + "…"),
        "next": upcoming[0] if upcoming else None,
        # Which venue, when a service meets in more than one.
        "pattern": [present.session_text(s)
                    + (f" at {s.location.name}" if s.location and many else "")
                    for s in service.sessions],
        "by_appointment": service.by_appointment,
        "venues": venues,
        "remote": present.remote_modes(service.codes("sp-access")),
        "cost": present.cost_text(service),
        "join": join + extra,
        "phone": service.phone,
        "email": service.email,
        "website": present.safe_website(service.website),
        "first_visit": service.first_visit,
        "status": service.status.value,
    }


@dataclass
class Panel:
    """Everything right of the profile: shortlist, name lookup, suggestions, ruled out."""

    shortlist: list[dict[str, Any]] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    result: matcher.MatchResult | None = None
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    ruled_out: list[RuledOut] = field(default_factory=list)
    lookup: list[dict[str, Any]] | None = None
    lookup_q: str = ""
    changed: str = ""  # what the last change did, said at the top of the suggestions
    announce: str = ""  # said by screen readers after an action (a status region)

    @property
    def shortlisted(self) -> frozenset[str]:
        return frozenset(c["id"] for c in self.shortlist)


def _forget(payload: dict[str, Any]) -> None:
    key = hashlib.sha256(json.dumps([payload, freshness.today().isoformat()], sort_keys=True,
                                    default=str).encode()).hexdigest()
    with _recent_lock:
        _recent().pop(key, None)


# The last few matches, in this worker's memory only, for a short while: adding, removing or
# looking a service up re-renders the suggestions for the same profile, which need not be
# matched again. Keyed by a hash of the profile and the day; nothing is written anywhere.
MATCHES_KEPT = 32
MATCH_KEPT_S = 120.0
_recent_lock = threading.Lock()


def _recent() -> OrderedDict[str, tuple[float, matcher.MatchResult]]:
    """This app's kept matches (one app per test, so tests never share them)."""
    kept = current_app.extensions.setdefault("workspace.matches", OrderedDict())
    return kept  # type: ignore[no-any-return]


def _match(payload: dict[str, Any], profile: matcher.Profile) -> matcher.MatchResult:
    today = freshness.today()
    key = hashlib.sha256(json.dumps([payload, today.isoformat()], sort_keys=True,
                                    default=str).encode()).hexdigest()
    now = time.monotonic()
    recent = _recent()
    with _recent_lock:
        kept = recent.get(key)
        if kept is not None and now - kept[0] < MATCH_KEPT_S:
            recent.move_to_end(key)
            return kept[1]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    result = run_match(app, get_session(), profile, today)
    with _recent_lock:
        recent[key] = (now, result)
        while len(recent) > MATCHES_KEPT:
            recent.popitem(last=False)
    return result


def _lookup(q: str) -> list[dict[str, Any]]:
    """The public search's best few for a name the Link Worker typed."""
    vocab = vocabulary.current()
    params = parse_search(MultiDict({"q": q}), vocab)
    page = results.run(get_session(), params, vocab, geocoding.current())
    return [{"id": r.id, "name": r.name, "organization": r.organization, "venue": r.venue}
            for r in page.results[:LOOKUP_SHOWN]]


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.LINK_WORKER, Role.ADMIN)
def match_form() -> ResponseReturnValue:
    posted = request.method == "POST"
    form = apply_change(request.form) if posted else MultiDict()
    vocab = vocabulary.current()
    session = get_session()
    now = present.local_now()
    panel = Panel()
    errors: dict[str, list[str]] = {}
    shortlist = _shortlist(form)
    panel.outside = _outside(form, shortlist)
    # A match runs on "Find services", on a change, and on every later action once matched.
    # A post with no button named (Enter in a text box, without a browser's default button)
    # is a "Find services" too.
    acted = any(form.get(k) for k in ("add", "add_anyway", "remove", "lookup"))
    wants_match = posted and (form.get("find") or request.form.get("change")
                              or form.get("matched") or not acted)
    if wants_match:
        payload, errors = to_payload(form)
        if not errors:
            try:
                profile = load_profile(payload, vocab, geocoding.current())
            except ValidationError as err:
                errors = _form_errors(err)
            else:
                # "Find services" always matches afresh; the other buttons may reuse it.
                if form.get("find"):
                    _forget(payload)
                panel.result = _match(payload, profile)
                ids = [s.service_id for s in panel.result.results]
                out_ids = [w.service_id for w in panel.result.why_not]
                views = browse.active_service_views(session, ids + out_ids)
                panel.cards = {i: card(views[i], vocab, now) for i in ids if i in views}
                for w in panel.result.why_not:
                    found = views.get(w.service_id)
                    panel.ruled_out.append(RuledOut(
                        w.service_id, w.name, w.text, _service_href(w.service_id),
                        _fix(w, found, profile, payload, vocab) if found is not None else None,
                    ))
                if request.form.get("change"):
                    panel.changed = _change_words(request.form["change"], vocab)
    if posted and form.get("lookup"):
        panel.lookup_q = form.get("lookup_q", "").strip()[:100]
        if panel.lookup_q:
            panel.lookup = _lookup(panel.lookup_q)
        else:
            errors.setdefault("lookup_q", ["Enter the name of a service to add"])
    if shortlist:
        panel.shortlist = _shortlist_cards(session, shortlist, vocab, now)
    names = {c["id"]: c["name"] for c in panel.shortlist}
    added = form.get("add") or form.get("add_anyway")
    if added in names:
        panel.announce = f"Added {names[added]} to the shortlist, {len(panel.shortlist)} in all."
    elif form.get("remove"):
        panel.announce = f"Removed from the shortlist, {len(panel.shortlist)} left."
    status = 400 if errors else 200
    return render_template(
        "workspace/match.html", form=form, errors=errors, panel=panel, vocab=vocab,
        days=DAYS, parts=PARTS, languages=languages(),
        needs=[(c, vocab.label("access", c)) for c in FORM_NEEDS],
        field_names=FIELD_NAMES, goal_order=",".join(ordered_goals(form)),
        chosen_languages=[c for c in form.getlist("languages") if c] or ["en"],
        language_codes=frozenset(code for code, _name in languages()),
        referable=referrals.accepting(session, [c["id"] for c in panel.shortlist]),
    ), status


def _shortlist_views(session: Any, ids: list[str]) -> list[Any]:
    """The shortlist's services, in order: active ones, and any other the plan shows (paused
    since it was added, say), both as the read model's facts."""
    views: dict[str, Any] = dict(browse.active_service_views(session, ids))
    missing = [i for i in ids if i not in views]
    if missing:
        views.update({s.public_id: s for s in plans.plan_services(session, missing)})
    return [views[i] for i in ids if i in views]


def _shortlist_cards(session: Any, ids: list[str], vocab: vocabulary.Vocabulary,
                     now: datetime) -> list[dict[str, Any]]:
    return [card(view, vocab, now) for view in _shortlist_views(session, ids)]


def _plan_cards(ids: list[str]) -> list[dict[str, Any]]:
    """The plan's cards: each with its service page's facts (`page`), which the plan prints
    through the service page's own include."""
    vocab, now = vocabulary.current(), present.local_now()
    return [{**card(view, vocab, now), "page": present.detail(view, vocab, now)}
            for view in _shortlist_views(get_session(), ids)]


def _service_href(public_id: str) -> str | None:
    if "public.service_detail" not in current_app.view_functions:
        return None
    return url_for("public.service_detail", public_id=public_id)


def _change_words(change: str, vocab: vocabulary.Vocabulary) -> str:
    kind, _, value = change.partition(":")
    if kind == "distance":
        return f"Distance changed to {value} km."
    if kind == "need":
        old, _, new = value.partition(">")
        if new:
            before, after = vocab.label("access", old), vocab.label("access", new)
            return f"‘{before}’ changed to ‘{after}’."
        return f"No longer asking for ‘{vocab.label('access', old).lower()}’."
    if kind == "time":
        day, _, part = value.partition("-")
        return f"Added {dict(DAYS).get(day, day)} {part}s to the times they can go."
    return ""


# --- the plan ----------------------------------------------------------------------------------


@bp.post("/plan")
@role_required(Role.LINK_WORKER, Role.ADMIN)
def plan() -> ResponseReturnValue:
    """The printable plan for the shortlisted services; optionally saved behind a link."""
    return plan_page.plan(to_payload, _shortlist, _plan_cards)


@bp.post("/plan/send")
@role_required(Role.LINK_WORKER, Role.ADMIN)
def send_plan() -> ResponseReturnValue:
    """Send a saved plan's link by text message or email (the number is never stored)."""
    return plan_page.send(_plan_cards)


@bp.get("/plan/<token>")
def shared_plan(token: str) -> ResponseReturnValue:
    """The saved plan, for the person's phone: no sign-in, only the unguessable link."""
    return plan_page.shared(token, _plan_cards)

