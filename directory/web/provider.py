"""The provider area (/provider): a group's own listings, their editor, status and history.

Providers see and change only their own organisations' listings (admins any): another
group's listing is a 404, so its id tells nobody anything. Every change goes through
directory.moderation, which flushes; each view commits once, or rolls back so nothing is
half-saved. The editor's form round-trips through directory.web.provider_forms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from .. import audit, freshness, geocoding, listings, moderation, vocabulary
from ..auth import permissions
from ..auth.permissions import role_required
from ..db import get_session
from ..models import (
    HIGH_CONFIDENCE,
    SECTIONS,
    ChangeState,
    ListingChange,
    Location,
    Organization,
    Report,
    ReportState,
    Role,
    Service,
    ServiceStatus,
    User,
    service_locations,
)
from ..suggest.engine import suggest
from . import present, provider_forms, unit_of_work
from .provider_forms import NEW_VENUE

bp = Blueprint("provider", __name__, url_prefix="/provider")

SENT = "Sent for approval. The current listing stays public until an admin approves it."
SENT_NEW = "Sent for approval. The listing will appear in search once an admin approves it."
PUBLISHED = "Published."
STATUS_MESSAGES = {
    "pause": "Paused: it no longer appears in search or suggestions.",
    "close": "Closed: it no longer appears in search or suggestions.",
    "reopen": "Reopened: it appears in search and suggestions again.",
}
# Access ids grouped under plain headings for the tick boxes (any others go under "Other").
ACCESS_GROUPS = (
    ("Joining", ("free", "low-cost", "drop-in", "booking-required", "self-referral",
                 "professional-referral", "accompanied-first-visit", "beginners-welcome",
                 "miss-sessions-ok", "carers-welcome")),
    ("Who it is for", ("women-only", "men-only", "dementia-friendly", "interpreter-available")),
    ("Without travelling", ("online", "telephone", "home-visit")),
    ("At the venue", ("wheelchair-accessible", "step-free", "accessible-toilet", "hearing-loop",
                      "near-bus-stop", "parking")),
)


def _user() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _is_admin(user: User) -> bool:
    return user.role is Role.ADMIN


def _own_service(session: Session, public_id: str) -> Service:
    """The listing, if this user may edit it; otherwise 404 (never 403: ids do not leak)."""
    service = session.scalar(select(Service).where(Service.public_id == public_id))
    if service is None or not permissions.can_edit(_user(), service):
        abort(404)
    return service


def _allowed_orgs(session: Session, user: User) -> list[Organization]:
    if _is_admin(user):
        return list(session.scalars(
            select(Organization).order_by(Organization.name, Organization.id)))
    return sorted(user.organizations, key=lambda o: (o.name, o.id))


def _venues(session: Session, organization: Organization | None) -> dict[str, Location]:
    """Venues the organisation may use: the ones it added, and any its listings already use."""
    if organization is None or organization.id is None:
        return {}
    used = (select(service_locations.c.location_id)
            .join(Service, Service.id == service_locations.c.service_id)
            .where(Service.organization_id == organization.id))
    rows = session.scalars(select(Location).where(
        or_(Location.organization_id == organization.id, Location.id.in_(used))
    ).order_by(Location.name, Location.id))
    return {loc.public_id: loc for loc in rows}


def _known_district(code: str) -> bool:
    return geocoding.current().gazetteer.outward(code) is not None


def _changes(session: Session, service_ids: list[int]) -> dict[int, list[ListingChange]]:
    """Each listing's changes, newest first."""
    found: dict[int, list[ListingChange]] = defaultdict(list)
    if service_ids:
        for change in session.scalars(
            select(ListingChange).where(ListingChange.service_id.in_(service_ids))
            .order_by(ListingChange.submitted_at.desc(), ListingChange.id.desc())
        ):
            found[change.service_id].append(change)
    return found


def _rejected(changes: list[ListingChange]) -> ListingChange | None:
    """The latest change, when it was turned down (its reason is for the provider)."""
    return changes[0] if changes and changes[0].state is ChangeState.REJECTED else None


# --- the listings page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    service: Service
    pending: ListingChange | None
    rejected: ListingChange | None
    reports: list[Report]
    stale: bool
    never_approved: bool


@bp.get("/")
@role_required(Role.PROVIDER, Role.ADMIN)
def home() -> ResponseReturnValue:
    session, user = get_session(), _user()
    orgs = _allowed_orgs(session, user)
    choosing = False
    if _is_admin(user):
        wanted = request.args.get("organization")
        chosen = [o for o in orgs if o.public_id == wanted]
        choosing = not chosen
        shown = chosen
    else:
        shown = orgs
    services = list(session.scalars(
        select(Service).where(Service.organization_id.in_([o.id for o in shown]))
        .order_by(Service.name, Service.id)
    )) if shown else []
    ids = [s.id for s in services]
    changes = _changes(session, ids)
    reports: dict[int, list[Report]] = defaultdict(list)
    if ids:
        for report in session.scalars(select(Report).where(
                Report.service_id.in_(ids), Report.state == ReportState.OPEN
        ).order_by(Report.created_at.desc(), Report.id.desc())):
            reports[report.service_id].append(report)
    today = freshness.today()
    rows: dict[int, list[Row]] = defaultdict(list)
    for s in services:
        mine = changes.get(s.id, [])
        pending = next((c for c in mine if c.state is ChangeState.PENDING), None)
        rows[s.organization_id].append(Row(
            service=s, pending=pending, rejected=None if pending else _rejected(mine),
            reports=reports.get(s.id, []),
            stale=s.status in (ServiceStatus.ACTIVE, ServiceStatus.PAUSED)
            and freshness.is_stale(s.last_verified, today),
            never_approved=moderation.never_approved(mine),
        ))
    return render_template("provider/home.html", orgs=shown, all_orgs=orgs, rows=rows,
                           choosing=choosing, is_admin=_is_admin(user))


# --- the editor ---------------------------------------------------------------------------------


@bp.route("/services/new", methods=["GET", "POST"])
@role_required(Role.PROVIDER, Role.ADMIN)
def new_service() -> ResponseReturnValue:
    session, user = get_session(), _user()
    orgs = _allowed_orgs(session, user)
    if not orgs:
        abort(403, "Your account is not linked to a group yet. Ask the directory team to add it.")
    if request.method == "GET":
        form = provider_forms.to_form(provider_forms.blank())
        wanted = request.args.get("organization")
        if any(o.public_id == wanted for o in orgs):
            form["organization"] = wanted  # type: ignore[assignment]
        elif len(orgs) == 1:
            form["organization"] = orgs[0].public_id
        return _render_editor(session, form, None, _org_of(form, orgs), orgs=orgs)
    form = MultiDict(request.form)
    organization, errors = _chosen_org(form, orgs)
    return _edit(session, form, None, organization, errors, orgs)


def _org_of(form: MultiDict[str, str], orgs: list[Organization]) -> Organization | None:
    return next((o for o in orgs if o.public_id == form.get("organization")), None)


def _chosen_org(form: MultiDict[str, str],
                orgs: list[Organization]) -> tuple[Organization | None, dict[str, list[str]]]:
    """The organisation the new listing is for: only ever one of the user's own (admins: any)."""
    wanted = (form.get("organization") or "").strip()
    if not wanted and len(orgs) == 1:
        form["organization"] = orgs[0].public_id
        return orgs[0], {}
    if not wanted:
        return None, {"organization": ["Choose the group this listing is for"]}
    found = _org_of(form, orgs)
    if found is None:
        return None, {"organization": ["Choose one of your own groups"]}
    return found, {}


@bp.route("/services/<public_id>/edit", methods=["GET", "POST"])
@role_required(Role.PROVIDER, Role.ADMIN)
def edit_service(public_id: str) -> ResponseReturnValue:
    session = get_session()
    service = _own_service(session, public_id)
    if request.method == "GET":
        snap = moderation.working_copy(session, service)
        rejected = _rejected(_changes(session, [service.id]).get(service.id, []))
        if request.args.get("start") == "rejected" and rejected is not None \
                and moderation.pending_change(session, service) is None:
            snap = dict(rejected.proposed)
        return _render_editor(session, provider_forms.to_form(snap), service,
                              service.organization, stamp=str(moderation.stamp(session, service)))
    return _edit(session, MultiDict(request.form), service, service.organization, {}, [])


def _edit(session: Session, form: MultiDict[str, str], service: Service | None,
          organization: Organization | None, errors: dict[str, list[str]],
          orgs: list[Organization]) -> ResponseReturnValue:
    """One POST of the editor: a session added or removed, a venue found, a preview, or a save."""
    stamp = form.get("stamp", "")
    removed = provider_forms.removed_row(form)
    action = form.get("action", "save")
    if removed is not None or action == "add-session":
        form = provider_forms.renumber(form, drop=removed, add=removed is None)
        return _render_editor(session, form, service, organization, orgs=orgs, stamp=stamp)

    venues = _venues(session, organization)
    new_venue: Location | None = None
    if provider_forms.wants_venue(form):
        draft, venue_errors = provider_forms.read_venue(form, geocoding.current())
        errors = {**errors, **venue_errors}
        if draft is not None and organization is not None:
            new_venue = provider_forms.new_location(draft, organization)
            venues = {**venues, new_venue.public_id: new_venue}
    parsed = provider_forms.to_raw(form, known=venues,
                                   new_venue=new_venue.public_id if new_venue else None)
    snap: dict[str, Any] | None = None
    try:
        snap = listings.validate_listing(parsed.raw, listings.Context(
            vocabulary.current(), venues, _known_district))
    except listings.ListingError as err:
        for key, messages in provider_forms.form_errors(err.errors, parsed.rows).items():
            errors.setdefault(key, []).extend(messages)

    if action == "find-venue":
        venue_only = {k: v for k, v in errors.items() if k.startswith("venue-")}
        return _render_editor(session, form, service, organization, errors=venue_only,
                              orgs=orgs, stamp=stamp), 400 if venue_only else 200
    if action == "preview":
        return _render_editor(session, form, service, organization, errors=errors, orgs=orgs,
                              stamp=stamp, preview=snap, venues=venues), 400 if errors else 200
    if errors or snap is None or organization is None:
        return _render_editor(session, form, service, organization, errors=errors, orgs=orgs,
                              stamp=stamp), 400

    if (service is not None and new_venue is None
            and snap == moderation.working_copy(session, service)):
        flash("You did not change anything, so there was nothing to send.")
        return redirect(url_for(".view_service", public_id=service.public_id), 303)
    user, today = _user(), freshness.today()
    editing = service
    try:
        with unit_of_work.commit(session) as work:
            if new_venue is not None:
                work.add(new_venue)
            if service is None:
                service = moderation.create(session, organization, snap, user, today)
                change = moderation.pending_change(session, service)
                message = SENT_NEW if change is not None else PUBLISHED
            else:
                change = moderation.submit(session, service, snap, user,
                                           moderation.Stamp.parse(stamp), today)
                changes = _changes(session, [service.id]).get(service.id, [])
                never = moderation.never_approved(changes)
                message = PUBLISHED if change is None else SENT_NEW if never else SENT
    except unit_of_work.Refused as refused:
        if editing is None or not refused.conflict:  # a new listing cannot conflict
            raise
        current = moderation.working_copy(session, editing)
        differences = listings.diff(session, current, snap, vocabulary.current())
        return _render_editor(session, form, editing, organization, orgs=orgs,
                              stamp=str(moderation.stamp(session, editing)),
                              conflict=differences), 409
    flash(message)
    return redirect(url_for(".view_service", public_id=service.public_id), 303)


def _render_editor(session: Session, form: MultiDict[str, str], service: Service | None,
                   organization: Organization | None, *, errors: dict[str, list[str]] | None = None,
                   orgs: list[Organization] | None = None, stamp: str = "",
                   preview: dict[str, Any] | None = None, venues: dict[str, Location] | None = None,
                   conflict: list[listings.FieldChange] | None = None) -> str:
    vocab = vocabulary.current()
    if venues is None:
        venues = _venues(session, organization)
    saved_venues = {k: v for k, v in venues.items() if v.id is not None}
    preview_facts = None
    if preview is not None:
        transient = provider_forms.preview_service(
            preview, organization.name if organization else "", venues,
            vocabulary.terms_by_key(session), freshness.today())
        preview_facts = present.detail(transient, vocab, present.local_now())
    rejected = None
    if service is not None and moderation.pending_change(session, service) is None:
        rejected = _rejected(_changes(session, [service.id]).get(service.id, []))
    categories = [(c["id"], c["label"]) for c in vocab.section("categories")]
    activity_groups = [
        (label, [(a["id"], a["label"]) for a in vocab.section("activities")
                 if a.get("category") == code])
        for code, label in categories
    ]
    access_ids = vocab.ids("access")
    grouped = {c for _, codes in ACCESS_GROUPS for c in codes}
    access_groups = [(label, [(c, vocab.label("access", c)) for c in codes if c in access_ids])
                     for label, codes in ACCESS_GROUPS]
    others = [(c["id"], c["label"]) for c in vocab.section("access") if c["id"] not in grouped]
    if others:
        access_groups.append(("Other", others))
    summary = [(field, message)
               for field, messages in (errors or {}).items() for message in messages]
    suggested = _suggested(form)
    postcode_found = None
    if form.get("venue-latitude") and form.get("venue-longitude"):
        postcode_found = (form.get("venue-latitude"), form.get("venue-longitude"))
    return render_template(
        "provider/edit.html", form=form, service=service, organization=organization,
        orgs=orgs or [], errors=errors or {}, summary=summary, stamp=stamp,
        preview=preview_facts, conflict=conflict, rejected=rejected,
        venues=list(saved_venues.values()), new_venue_value=NEW_VENUE,
        rows=provider_forms.session_rows(form), days=list(listings.DAY_NAMES.items()),
        categories=categories,
        activity_groups=[(label, items) for label, items in activity_groups if items],
        conditions=[(c["id"], c["label"]) for c in vocab.section("conditions")],
        access_groups=[(label, items) for label, items in access_groups if items],
        intensity=[(c["id"], c["label"]) for c in vocab.section("intensity")],
        languages=[(c, present.LANGUAGES.get(c, c)) for c in vocab.languages],
        position=postcode_found, suggested=suggested,
        suggested_list=[(vocab.label(section, code), why)
                        for section, found in suggested.items() for code, why in found.items()],
    )


def _suggested(form: MultiDict[str, str]) -> dict[str, dict[str, str]]:
    """Tags the listing's own words suggest that its form does not tick yet, by form field:
    {"activities": {"walking-group": '"walking group" in its description'}}. Read from what
    the form says now, so a preview shows what the new wording suggests. Only confident ones:
    a weak word alone ("park" for parking) is a guess for an admin's queue, not for the form."""
    fields = {taxonomy: field for field, taxonomy in SECTIONS.items() if field != "intensity"}
    out: dict[str, dict[str, str]] = {}
    for s in suggest(form.get("name", ""), form.get("description", "")):
        field = fields.get(s.taxonomy)
        if (field is not None and s.confidence >= HIGH_CONFIDENCE
                and s.code not in form.getlist(field)):
            out.setdefault(field, {})[s.code] = s.evidence
    return out


# --- status, confirm, the listing page, its history ---------------------------------------------


@bp.post("/services/<public_id>/status")
@role_required(Role.PROVIDER, Role.ADMIN)
def change_status(public_id: str) -> ResponseReturnValue:
    session = get_session()
    service = _own_service(session, public_id)
    action = request.form.get("action", "")
    if action not in STATUS_MESSAGES:
        abort(400, "Choose pause, close or reopen.")
    with unit_of_work.Flashing(session, said=STATUS_MESSAGES[action]):
        moderation.set_status(session, service, action,
                              moderation.Stamp.parse(request.form.get("stamp")), _user())
    return redirect(url_for(".view_service", public_id=service.public_id), 303)


@bp.post("/services/<public_id>/confirm")
@role_required(Role.PROVIDER, Role.ADMIN)
def confirm_service(public_id: str) -> ResponseReturnValue:
    session = get_session()
    service = _own_service(session, public_id)
    today = freshness.today()
    said = f"Thank you. {service.name} is marked as checked today ({today.day} {today:%B %Y})."
    with unit_of_work.Flashing(session, said=said):
        moderation.confirm(session, service, today)
    target = request.form.get("next")
    if target == "home":
        return redirect(url_for(".home"), 303)
    return redirect(url_for(".view_service", public_id=service.public_id), 303)


@bp.get("/services/<public_id>")
@role_required(Role.PROVIDER, Role.ADMIN)
def view_service(public_id: str) -> ResponseReturnValue:
    session = get_session()
    service = _own_service(session, public_id)
    vocab = vocabulary.current()
    changes = _changes(session, [service.id]).get(service.id, [])
    pending = next((c for c in changes if c.state is ChangeState.PENDING), None)
    never = moderation.never_approved(changes)
    draft = moderation.working_copy(session, service)
    venues = {**_venues(session, service.organization),
              **{loc.public_id: loc for loc in service.locations}}
    differences = listings.diff(session, listings.snapshot(service), draft, vocab) \
        if pending is not None and not never else []
    transient = provider_forms.preview_service(
        draft, service.organization.name, venues, vocabulary.terms_by_key(session),
        service.last_verified)
    now = present.local_now()
    reports = list(session.scalars(select(Report).where(
        Report.service_id == service.id, Report.state == ReportState.OPEN
    ).order_by(Report.created_at.desc(), Report.id.desc())))
    return render_template(
        "provider/view.html", service=service, pending=pending, never_approved=never,
        rejected=None if pending else _rejected(changes), differences=differences,
        draft=present.detail(transient, vocab, now),
        published=None if never else present.detail(service, vocab, now),
        stamp=str(moderation.stamp(session, service)), reports=reports,
        stale=freshness.is_stale(service.last_verified, freshness.today()),
    )


@bp.get("/services/<public_id>/history")
@role_required(Role.PROVIDER, Role.ADMIN)
def service_history(public_id: str) -> ResponseReturnValue:
    session = get_session()
    service = _own_service(session, public_id)
    vocab = vocabulary.current()
    events = audit.history(session, "service", service.id)
    # Providers see the directory team as "the directory team", not as people's addresses.
    staff: set[int] = set()
    if not _is_admin(_user()):
        ids = {e.actor_id for e in events if e.actor_id is not None}
        if ids:
            staff = set(session.scalars(
                select(User.id).where(User.id.in_(ids), User.role == Role.ADMIN)))
    names = {loc.public_id: loc.name for loc in session.scalars(select(Location).where(
        Location.public_id.in_(audit.venue_ids(events))))} if events else {}
    shown = [{
        "at": e.at, "actor": "the directory team" if e.actor_id in staff else e.actor,
        "action": e.action, "note": e.note,
        "changes": [(audit.label(field),
                     audit.describe(field, pair[0], vocab, names),
                     audit.describe(field, pair[1], vocab, names))
                    for field, pair in (e.changes or {}).items()
                    if isinstance(pair, list | tuple) and len(pair) == 2],
    } for e in events]
    return render_template("provider/history.html", service=service, events=shown)
