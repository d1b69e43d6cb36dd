"""The admin area (/admin): the moderation queue, join requests, reports, stale listings, users.

Every route needs the admin role. Decisions go through directory.moderation (which flushes);
each view commits once, and anything that fails rolls the whole request back. Mail goes out
after the commit, so a mail server that is down never undoes a decision. The audit trail is
read here, never written to directly except through the domain, and no route changes it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import accounts, audit, browse, freshness, listings, moderation, vocabulary
from ..auth.permissions import role_required
from ..db import get_session
from ..models import (
    AuditEvent,
    ChangeState,
    JoinRequest,
    JoinState,
    ListingChange,
    Location,
    Organization,
    Report,
    ReportState,
    Role,
    Service,
    ServiceStatus,
    User,
    utcnow,
)
from . import unit_of_work
from .community import notify, send_password_link

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    _LONDON: ZoneInfo | None = ZoneInfo("Europe/London")
except (ImportError, ZoneInfoNotFoundError):  # no tz database: show UTC
    _LONDON = None

bp = Blueprint("admin", __name__, url_prefix="/admin")

REASON_LIMIT = 2000
ROLE_NAMES = {Role.ADMIN: "an admin", Role.LINK_WORKER: "a Link Worker",
              Role.PROVIDER: "a provider", Role.COMMISSIONER: "a commissioner"}


@bp.app_template_filter("admin_time")
def _admin_time(value: datetime | None) -> str:
    """A stored UTC moment as UK wall-clock time: "3 December 2026, 14:05"."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(_LONDON) if _LONDON else value
    return f"{local.day} {local:%B %Y}, {local:%H:%M}"


@bp.app_template_filter("role_name")
def _role_name(role: Role) -> str:
    return {Role.ADMIN: "Admin", Role.LINK_WORKER: "Link Worker", Role.PROVIDER: "Provider",
            Role.COMMISSIONER: "Commissioner"}[role]


@bp.before_request
@role_required(Role.ADMIN)
def _admins_only() -> None:
    """Every admin route: sign-in (redirect), then the admin role (403)."""


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _get(session: Session, model: type, id_: int) -> Any:
    return session.get(model, id_) or abort(404)


# --- the dashboard ------------------------------------------------------------------------------


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    session = get_session()
    today = freshness.today()
    by_status = dict(session.execute(
        select(Service.status, func.count()).group_by(Service.status)).all())
    checked = session.scalars(
        select(Service.last_verified).where(Service.status == ServiceStatus.ACTIVE)).all()
    expired = session.scalars(
        select(Service).where(Service.status == ServiceStatus.ACTIVE,
                              Service.last_verified < freshness.expired_before(today))
        .options(selectinload(Service.organization))
        .order_by(Service.last_verified, Service.name)
    ).all()
    users_by_role = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return render_template(
        "admin/dashboard.html",
        statuses=[(status, by_status.get(status, 0)) for status in ServiceStatus],
        total=sum(by_status.values()),
        categories=browse.category_counts(session),
        changes=_pending_changes(session),
        joins=session.scalars(select(JoinRequest).where(JoinRequest.state == JoinState.PENDING)
                              .order_by(JoinRequest.created_at)).all(),
        reports=session.scalars(select(Report).where(Report.state == ReportState.OPEN)
                                .options(selectinload(Report.service))
                                .order_by(Report.created_at)).all(),
        stale_count=sum(freshness.is_stale(day, today) for day in checked),
        expired=expired,
        users_by_role=[(role, users_by_role.get(role, 0)) for role in Role],
        today=today,
    )


def _pending_changes(session: Session) -> list[ListingChange]:
    return list(session.scalars(
        select(ListingChange).where(ListingChange.state == ChangeState.PENDING)
        .options(selectinload(ListingChange.service), selectinload(ListingChange.organization),
                 selectinload(ListingChange.submitted_by))
        .order_by(ListingChange.submitted_at, ListingChange.id)
    ))


# --- listing changes ------------------------------------------------------------------------------


@bp.get("/changes/<int:change_id>")
def change_detail(change_id: int) -> ResponseReturnValue:
    return _change_page(get_session(), _get(get_session(), ListingChange, change_id))


def _change_page(session: Session, change: ListingChange, errors: dict[str, str] | None = None,
                 reason: str = "") -> ResponseReturnValue:
    rows = listings.diff(session, change.base or {}, change.proposed, vocabulary.current())
    page = render_template("admin/change.html", change=change, rows=rows, errors=errors or {},
                           reason=reason, limit=REASON_LIMIT)
    return page, 400 if errors else 200


@bp.post("/changes/<int:change_id>/approve")
def approve_change(change_id: int) -> ResponseReturnValue:
    session = get_session()
    change = _get(session, ListingChange, change_id)
    try:
        with unit_of_work.commit(session):
            service = moderation.approve(session, change, _me(), freshness.today())
    except unit_of_work.Refused as refused:
        flash(refused.message)
        return redirect(url_for("admin.change_detail", change_id=change_id))
    told = _tell_submitter(change, f"Your listing \"{service.name}\" is published",
                           f"The change you sent for \"{service.name}\" has been approved and is "
                           f"now on the directory:\n"
                           f"{_public_link(service)}\n")
    flash(f"Approved: \"{service.name}\" is published." + _unsent(told))
    return redirect(url_for("admin.dashboard"))


@bp.post("/changes/<int:change_id>/reject")
def reject_change(change_id: int) -> ResponseReturnValue:
    session = get_session()
    change = _get(session, ListingChange, change_id)
    reason = request.form.get("reason", "")
    try:
        with unit_of_work.commit(session, what="change"):
            moderation.reject(session, change, _me(), reason)
    except listings.ListingError as err:
        return _change_page(session, change, {k: v[0] for k, v in err.errors.items()}, reason)
    except unit_of_work.Refused as refused:
        flash(refused.message)
        return redirect(url_for("admin.change_detail", change_id=change_id))
    name = change.service.name
    told = _tell_submitter(change, f"Your change to \"{name}\" was not published",
                           f"The change you sent for \"{name}\" was not published. The reason:"
                           f"\n\n{change.reason}\n\nYou can put it right and send it again from "
                           f"your listings: {url_for('provider.home', _external=True)}\n")
    flash(f"Rejected the change to \"{name}\"." + _unsent(told) if told is False
          else f"Rejected the change to \"{name}\"; the group has been told why.")
    return redirect(url_for("admin.dashboard"))


def _public_link(service: Service) -> str:
    return url_for("public.service_detail", public_id=service.public_id, _external=True)


def _tell_submitter(change: ListingChange, subject: str, body: str) -> bool | None:
    """Email whoever sent the change: True if sent, False if it failed, None if nobody to tell."""
    who = change.submitted_by
    if who is not None and who.active:
        return notify(who.email, subject, f"Hello,\n\n{body}\nCommunity Support Directory\n")
    return None


def _unsent(told: bool | None) -> str:
    """The notice added to a decision's message when its email could not be sent."""
    if told is False:
        return (" It is saved, but the email about it could not be sent (see the server log): "
                "tell them another way.")
    return ""


# --- join requests --------------------------------------------------------------------------------


@bp.get("/joins/<int:join_id>")
def join_detail(join_id: int) -> ResponseReturnValue:
    session = get_session()
    join = _get(session, JoinRequest, join_id)
    same_name = session.scalars(
        select(Organization).where(func.lower(Organization.name) == join.organization_name.lower())
    ).all()
    account = accounts.find_user_by_email(session, join.contact_email)
    return render_template("admin/join.html", join=join, same_name=same_name, account=account)


def _undecided_join(session: Session, join_id: int) -> JoinRequest:
    """The request to decide; if it is decided already, back to it with a word saying so."""
    join = _get(session, JoinRequest, join_id)
    if join.state is not JoinState.PENDING:
        flash("This request has already been decided.")
        abort(redirect(url_for("admin.join_detail", join_id=join_id)))
    return join


@bp.post("/joins/<int:join_id>/approve")
def approve_join(join_id: int) -> ResponseReturnValue:
    session = get_session()
    join = _undecided_join(session, join_id)
    # The contact's own email and phone stay private: organisation details are published.
    org = Organization(name=join.organization_name, description=join.description,
                       website=join.website or None)
    try:
        with unit_of_work.commit(session, what="request") as work:
            work.add(org)
            user, created = _add_member(work, org, join.contact_email)
            join.state, join.organization = JoinState.APPROVED, org
            join.decided_by_id, join.decided_at = current_user.id, utcnow()
    except accounts.AccountError as err:
        flash(f"Not approved: {err.message}.")
        return redirect(url_for("admin.join_detail", join_id=join_id))
    if _welcome(user, org, created):
        flash(f"Approved: {org.name} is set up, and {user.email} has been emailed.")
    else:
        flash(f"Approved: {org.name} is set up." + _unsent(False))
    return redirect(url_for("admin.organization_detail", org_id=org.id))


@bp.post("/joins/<int:join_id>/decline")
def decline_join(join_id: int) -> ResponseReturnValue:
    session = get_session()
    join = _undecided_join(session, join_id)
    reason = request.form.get("reason", "").strip()[:REASON_LIMIT]
    with unit_of_work.commit(session, what="request"):
        join.state, join.reason = JoinState.DECLINED, reason
        join.decided_by_id, join.decided_at = current_user.id, utcnow()
    told = notify(join.contact_email, "Your request to join the Community Support Directory",
           f"Hello {join.contact_name},\n\nThank you for asking to list {join.organization_name} "
           "on the Community Support Directory. We are not able to add it at the moment."
           + (f"\n\nThe reason:\n{reason}" if reason else "")
           + "\n\nCommunity Support Directory\n")
    flash(f"Declined the request from {join.organization_name}." + _unsent(told))
    return redirect(url_for("admin.dashboard"))


def _add_member(work: unit_of_work.UnitOfWork, org: Organization,
                email: str) -> tuple[User, bool]:
    """Bind a provider account to org: an existing provider's, or a new one (True) whose password
    is random and unknown until they set their own from the emailed link."""
    session = work.session
    user = accounts.find_user_by_email(session, email)
    if user is None:
        return accounts.create_user(session, email, secrets.token_urlsafe(32), Role.PROVIDER,
                                    [org]), True
    if user.role is not Role.PROVIDER:
        raise accounts.AccountError("email", f"{user.email} is already {ROLE_NAMES[user.role]}, "
                                             "and only provider accounts belong to groups")
    if org not in user.organizations:
        user.organizations.append(org)
    work.flush()
    return user, False


def _welcome(user: User, org: Organization, created: bool) -> bool:
    if created:
        return send_password_link(user, org.name)
    return notify(user.email, f"You can now manage {org.name} on the Community Support Directory",
                  f"Hello,\n\nYour account ({user.email}) can now keep the listings of {org.name} "
                  f"up to date. Sign in: {url_for('provider.home', _external=True)}\n")


# --- reports --------------------------------------------------------------------------------------


@bp.post("/reports/<int:report_id>/resolve")
def resolve_report(report_id: int) -> ResponseReturnValue:
    session = get_session()
    report = _get(session, Report, report_id)
    if report.state is ReportState.OPEN:
        with unit_of_work.commit(session, what="report"):
            report.state, report.resolved_by_id, report.resolved_at = (
                ReportState.RESOLVED, current_user.id, utcnow())
            audit.record(session, "service", report.service_id, report.service.name, "resolve",
                         note=f"report #{report.id} resolved")
        flash(f"Report about \"{report.service.name}\" marked as resolved.")
    else:
        flash("That report was already resolved.")
    return redirect(url_for("admin.dashboard"))


# --- organisations and users ----------------------------------------------------------------------


@bp.get("/organizations")
def organizations() -> ResponseReturnValue:
    session = get_session()
    orgs = session.scalars(select(Organization).options(
        selectinload(Organization.members), selectinload(Organization.services))
        .order_by(func.lower(Organization.name))).all()
    return render_template("admin/organizations.html", orgs=orgs)


@bp.get("/organizations/<int:org_id>")
def organization_detail(org_id: int) -> ResponseReturnValue:
    return _organization_page(get_session(), org_id)


def _organization_page(session: Session, org_id: int, error: str | None = None,
                       email: str = "") -> ResponseReturnValue:
    org = _get(session, Organization, org_id)
    services = sorted(org.services, key=lambda s: (s.name.lower(), s.id))
    page = render_template("admin/organization.html", org=org, services=services,
                           members=sorted(org.members, key=lambda u: u.email), error=error,
                           email=email, today=freshness.today())
    return page, 400 if error else 200


def _yes_or_no(field: str, message: str) -> bool:
    """A form's "1" or "0" as True or False; anything else is a 400 with the message."""
    value = request.form.get(field)
    if value not in ("0", "1"):
        abort(400, message)
    return value == "1"


@bp.post("/organizations/<int:org_id>/trust")
def trust_organization(org_id: int) -> ResponseReturnValue:
    session = get_session()
    org = _get(session, Organization, org_id)
    trusted = _yes_or_no("trusted", "Say whether the organisation is trusted (1) or not (0).")
    with unit_of_work.commit(session, what="organisation"):
        org.trusted = trusted
    flash(f"{org.name}'s edits now publish at once." if org.trusted
          else f"{org.name}'s edits now wait for approval.")
    return redirect(url_for("admin.organization_detail", org_id=org.id))


@bp.post("/organizations/<int:org_id>/users")
def add_organization_user(org_id: int) -> ResponseReturnValue:
    session = get_session()
    org = _get(session, Organization, org_id)
    email = accounts.normalise_email(request.form.get("email", ""))[:254]
    try:
        with unit_of_work.commit(session, what="organisation") as work:
            if not accounts.EMAIL.match(email):
                raise accounts.AccountError("email", "Enter an email address like name@example.org")
            user, created = _add_member(work, org, email)
    except accounts.AccountError as err:
        return _organization_page(session, org_id, err.message, email)
    told = _welcome(user, org, created)
    flash(f"{user.email} can now manage {org.name}'s listings"
          + (" once they have set their password (we have emailed them a link)."
             if created and told else ".") + _unsent(told))
    return redirect(url_for("admin.organization_detail", org_id=org.id))


@bp.get("/users")
def users() -> ResponseReturnValue:
    rows = get_session().scalars(select(User).options(selectinload(User.organizations))
                                 .order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=rows)


@bp.post("/users/<int:user_id>/active")
def set_user_active(user_id: int) -> ResponseReturnValue:
    """Disable (or enable again) an account; disabling ends all its sessions at once."""
    session = get_session()
    user = _get(session, User, user_id)
    active = _yes_or_no("active", "Say whether the account is active (1) or not (0).")
    if user.id == current_user.id:
        abort(400, "You cannot disable your own account.")
    with unit_of_work.commit(session, what="account"):
        user.active = active
        if not user.active:
            accounts.end_sessions(session, user)
    flash(f"{user.email} can sign in again." if user.active
          else f"{user.email} is disabled and signed out everywhere.")
    return redirect(url_for("admin.users"))


# --- a listing's history --------------------------------------------------------------------------


@bp.get("/services/<public_id>/history")
def service_history(public_id: str) -> ResponseReturnValue:
    session = get_session()
    service = (session.scalar(select(Service).where(Service.public_id == public_id[:36]))
               or abort(404))
    found = audit.history(session, "service", service.id)
    venues = _venue_names(session, found)
    vocab = vocabulary.current()
    events = [
        {"event": e, "changes": [(audit.label(field),
                                  audit.describe(field, old, vocab, venues),
                                  audit.describe(field, new, vocab, venues))
                                 for field, (old, new) in sorted(e.changes.items())]}
        for e in found
    ]
    changes = session.scalars(select(ListingChange).where(ListingChange.service_id == service.id)
                              .order_by(ListingChange.submitted_at.desc())).all()
    return render_template("admin/history.html", service=service, events=events, changes=changes)


def _venue_names(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    """Venue public id -> name, for older rows that recorded venues by id."""
    ids = audit.venue_ids(events)
    if not ids:
        return {}
    return dict(session.execute(select(Location.public_id, Location.name)
                                .where(Location.public_id.in_(ids))).all())  # type: ignore[arg-type]
