"""The Link Worker workspace: match form, suggestions with reasons, shortlist and the plan.

Nothing about the person is stored while the Link Worker works: the profile and the
shortlist travel in the form itself (POST, so not in addresses or logs). Only "Save plan
and get a link" writes anything, and then only the non-identifying parts of the profile.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from .. import freshness, geocoding, plans, vocabulary
from ..auth.permissions import role_required
from ..db import get_session
from ..matching import run_match
from ..models import Role
from ..schemas.match import load_profile

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

PARTS = {"morning": ("08:00", "12:00"), "afternoon": ("12:00", "17:00"), "evening": ("17:00", "22:00")}
DAYS = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
        ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday"))
PLAN_DAYS = 90
# Form field that each contract error belongs beside.
ERROR_FIELDS = {"location": "place", "max_distance_km": "distance", "availability": "times"}


def to_payload(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The match contract's profile from the workspace form, and errors the form alone shows."""
    errors: dict[str, list[str]] = {}
    payload: dict[str, Any] = {
        "goals": form.getlist("goals"),
        "conditions": form.getlist("conditions"),
        "needs": form.getlist("needs"),
        "readiness": form.get("readiness") or "ready",
        "languages": [c.strip().lower() for c in form.get("languages", "en").split(",") if c.strip()] or ["en"],
        "text": form.get("text", "").strip(),
        "exclude": form.getlist("exclude"),
        "limit": 10,
    }
    for name, key, kind in (("distance", "max_distance_km", float), ("age", "age", int)):
        raw = form.get(name, "").strip()
        if raw:
            try:
                payload[key] = kind(raw)
            except ValueError:
                errors[name] = ["Enter a number" if kind is float else "Enter an age in whole years"]
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
            errors["place"] = [str(err)]
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


def _form_errors(err: ValidationError) -> dict[str, list[str]]:
    messages = err.normalized_messages()
    return {ERROR_FIELDS.get(field, field): _flatten(value) for field, value in messages.items()}


def _shortlist(form: MultiDict[str, str]) -> list[str]:
    chosen = [i for i in form.getlist("shortlist") if i]
    if form.get("add"):
        chosen.append(form["add"])
    if form.get("remove"):
        chosen = [i for i in chosen if i != form["remove"]]
    return list(dict.fromkeys(chosen))[:20]


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.LINK_WORKER, Role.ADMIN)
def match_form() -> ResponseReturnValue:
    form = request.form if request.method == "POST" else MultiDict()
    result, errors, shortlist = None, {}, _shortlist(form)
    if request.method == "POST":
        payload, errors = to_payload(form)
        if not errors:
            try:
                profile = load_profile(payload, vocabulary.current(), geocoding.current())
            except ValidationError as err:
                errors = _form_errors(err)
            else:
                app = current_app._get_current_object()  # type: ignore[attr-defined]
                result = run_match(app, get_session(), profile, freshness.today())
    chosen = plans.plan_services(get_session(), shortlist) if shortlist else []
    status = 400 if errors else 200
    return render_template(
        "workspace/match.html", form=form, result=result, errors=errors, shortlist=chosen,
        vocab=vocabulary.current(), days=DAYS, parts=PARTS,
    ), status


@bp.post("/plan")
@role_required(Role.LINK_WORKER, Role.ADMIN)
def plan() -> ResponseReturnValue:
    """The printable plan for the shortlisted services; optionally saved behind a link."""
    shortlist = _shortlist(request.form)
    session = get_session()
    services = plans.plan_services(session, shortlist)
    if not services:
        abort(400, "Shortlist at least one service before making a plan.")
    link = None
    if request.form.get("save"):
        payload, _errors = to_payload(request.form)
        district = None
        location = payload.get("location") or {}
        if "postcode" in location:
            district = location["postcode"].split()[0]
        token = plans.save_plan(session, payload, [s.public_id for s in services], days=PLAN_DAYS,
                                district=district, user=current_user._get_current_object())
        session.commit()
        link = url_for("workspace.shared_plan", token=token, _external=True)
    return render_template("workspace/plan.html", services=services, link=link,
                           expires_days=PLAN_DAYS, vocab=vocabulary.current(), today=freshness.today(),
                           form=request.form)


@bp.get("/plan/<token>")
def shared_plan(token: str) -> ResponseReturnValue:
    """The saved plan, for the person's phone: no sign-in, only the unguessable link."""
    session = get_session()
    saved = plans.find_plan(session, token)
    if saved is None:
        abort(404)
    services = plans.plan_services(session, saved.service_ids)
    response = current_app.make_response(render_template(
        "workspace/plan.html", services=services, link=None, shared=True,
        vocab=vocabulary.current(), today=freshness.today(), form=MultiDict(),
        expires=saved.expires_at,
    ))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response

