"""Warm referrals on the web: the Link Worker's form, "My referrals", the group's list, and
one referral's page where each side answers and writes messages.

Only the sending Link Worker, the receiving organisation's providers and admins may see a
referral; for anyone else it does not exist (404, so its id tells nothing). Every page view
and change is audited by directory.referrals, which flushes; each view commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit, browse, referrals
from ..auth import limiter
from ..auth.permissions import role_required
from ..db import get_session
from ..models import ContactMethod, Referral, Role, Service, User
from ..referrals import ACTIONS, STATUS_LABELS, Conflict, ReferralError
from . import unit_of_work

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
group_bp = Blueprint("group_referrals", __name__, url_prefix="/provider/referrals")

OWN_FIELDS = {*referrals.FORM_FIELDS, "csrf_token", "form_key", "send"}
DONE = {"accept": "Accepted: the Link Worker has been told.",
        "decline": "Declined: the Link Worker has been told.",
        "attended": "Marked as attended the first session.",
        "did_not_attend": "Marked as did not come.",
        "withdraw": "Withdrawn: the person's details are deleted.",
        "close": "Closed."}
FIELD_LABELS = {"person_name": "First name or initials", "contact_method": "How to contact them",
                "contact": "Their contact", "note": "Note for the group",
                "first_session": "First session", "meet_at_door": "Meet them",
                "consent": "Consent", "reason": "Reason", "body": "Message"}


def _user() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _limit() -> str:
    return str(current_app.config["REFERRAL_RATE_LIMIT"])


def _summary(errors: dict[str, list[str]]) -> dict[str, str]:
    return {field: f"{FIELD_LABELS.get(field, field)}: {messages[0]}"
            for field, messages in errors.items()}


def _readable(public_id: str) -> tuple[Referral, str]:
    """The referral and the user's side of it, or 404 for anyone who may not read it."""
    referral = referrals.find(get_session(), public_id)
    who = referrals.side(_user(), referral) if referral is not None else None
    if referral is None or who is None:
        abort(404)
    return referral, who


# --- sending -----------------------------------------------------------------------------------


def _referable(public_id: str) -> Service:
    service = get_session().scalar(select(Service).where(Service.public_id == public_id))
    if service is None or not service.is_active or not service.accepts_referrals:
        abort(404)
    return service


@bp.route("/new/<public_id>", methods=["GET", "POST"])
@role_required(Role.LINK_WORKER, Role.ADMIN)
@limiter.limit(_limit, methods=["POST"], exempt_when=lambda: not request.form.get("send"),
               error_message="Too many referrals sent from your address. Try again later.")
def new(public_id: str) -> ResponseReturnValue:
    """The referral form, opened from the workspace's shortlist (whose fields it carries)."""
    service, form = _referable(public_id), request.form
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.get("send"):
        sent = _send(service, form)
        if not isinstance(sent, dict):
            return sent
        errors = sent
    return render_template(
        "referrals/new.html", service=service, form=form, errors=errors,
        summary=_summary(errors), consent=referrals.CONSENT_STATEMENT,
        methods=[(m.value, referrals.METHOD_LABELS[m]) for m in ContactMethod],
        carried=[(k, v) for k, v in form.items(multi=True) if k not in OWN_FIELDS],
        form_key=form.get("form_key") or secrets.token_urlsafe(24),
    ), 400 if errors else 200


def _send(service: Service, form: Any) -> ResponseReturnValue | dict[str, list[str]]:
    """Send the referral and go to it, or the errors. The form's key makes a double submit
    (even two at the same moment) find the first referral instead of making a second."""
    session = get_session()
    key = (form.get("form_key") or "")[:64]
    earlier = referrals.find_by_form_key(session, key)
    if earlier is not None:
        return _after_send(earlier)
    try:
        with unit_of_work.commit(session, what="referral"):
            data = referrals.load_form(form)
            referral = referrals.send(session, _user(), service, data, form_key=key or None)
    except ReferralError as err:
        return err.errors
    except IntegrityError:
        earlier = referrals.find_by_form_key(session, key)
        if earlier is None:
            raise
        return _after_send(earlier)
    link = url_for("referrals.detail", public_id=referral.public_id, _external=True)
    if not referrals.notify(referrals.group_emails(referral),
                            "A Link Worker has referred someone to your group", link):
        flash("Sent, but the group's email could not go: they will see it when they sign in.")
    return _after_send(referral)


def _after_send(referral: Referral) -> ResponseReturnValue:
    flash(f"Referral sent to {referral.service.name}.")
    return redirect(url_for("referrals.detail", public_id=referral.public_id), 303)


# --- lists -------------------------------------------------------------------------------------


@bp.get("/")
@role_required(Role.LINK_WORKER, Role.ADMIN)
def mine() -> ResponseReturnValue:
    """My referrals, with status and age (an admin sees every referral and the counts)."""
    session, user = get_session(), _user()
    rows = referrals.sent_by(session, user)
    counts = referrals.counts(session) if user.role is Role.ADMIN else None
    with unit_of_work.commit(session, what="referral"):
        audit.record(session, "referral", 0, "list of referrals sent", "list")
    return render_template("referrals/mine.html", rows=rows, counts=counts,
                           labels=STATUS_LABELS, now=referrals.now(), age=referrals.age_text)


@group_bp.get("/")
@role_required(Role.PROVIDER, Role.ADMIN)
def received() -> ResponseReturnValue:
    """Referrals to the provider's groups, newest first."""
    session, user = get_session(), _user()
    rows = referrals.received_by(session, user)
    with unit_of_work.commit(session, what="referral"):
        audit.record(session, "referral", 0, "list of referrals received", "list")
    return render_template("referrals/received.html", rows=rows, labels=STATUS_LABELS,
                           now=referrals.now(), age=referrals.age_text)


# --- one referral ------------------------------------------------------------------------------


@bp.get("/<public_id>")
@role_required(Role.LINK_WORKER, Role.PROVIDER, Role.ADMIN)
def detail(public_id: str) -> ResponseReturnValue:
    referral, who = _readable(public_id)
    session = get_session()
    with unit_of_work.commit(session, what="referral"):
        referrals.read(session, referral)
    return _render(referral, who)


def _render(referral: Referral, who: str, errors: dict[str, list[str]] | None = None,
            conflict: str = "", form: Any = None, status: int = 200) -> ResponseReturnValue:
    session, user = get_session(), _user()
    events = [e for e in audit.history(session, "referral", referral.id)
              if e.action != "read" or who == "admin"]
    actions = [a for a in ACTIONS if referrals.can_take(user, referral, a)
               and referral.status in ACTIONS[a][1] and referral.erased_at is None]
    errors = errors or {}
    return render_template(
        "referrals/detail.html", r=referral, who=who, labels=STATUS_LABELS,
        history_words=referrals.HISTORY_WORDS,
        methods=referrals.METHOD_LABELS, actions=actions, events=events, errors=errors,
        summary=_summary(errors), conflict=conflict, form=form or {},
        consent=referrals.CONSENT_STATEMENTS.get(referral.consent_version, ""),
        now=referrals.now(), age=referrals.age_text,
        service_page=bool(browse.active_service_views(session, [referral.service.public_id])),
    ), status


def _write(referral: Referral, who: str, write: Callable[[], object],
           conflict: Callable[[Referral], str]) -> ResponseReturnValue | None:
    """Do `write` in the unit of work: None when it is done, else the page again saying why
    not (the form's errors, or `conflict` of the referral as it is now)."""
    try:
        with unit_of_work.commit(get_session(), what="referral"):
            write()
    except ReferralError as err:
        return _render(referral, who, err.errors, form=request.form, status=400)
    except Conflict as err:
        return _render(err.referral, who, conflict=conflict(err.referral), status=409)
    return None


@bp.post("/<public_id>/answer")
@role_required(Role.LINK_WORKER, Role.PROVIDER, Role.ADMIN)
def answer(public_id: str) -> ResponseReturnValue:
    """Accept, decline (with a reason), attended, did not come, withdraw or close."""
    referral, who = _readable(public_id)
    session, user = get_session(), _user()
    action = request.form.get("action", "")
    if action not in ACTIONS:
        return _render(referral, who, {"action": ["Choose what to do"]}, status=400)
    if not referrals.can_take(user, referral, action):
        abort(403)
    refused = _write(referral, who, lambda: referrals.take(
        session, referral, action, request.form.get("reason", "")), lambda now: (
        "Nothing was changed: this referral was already "
        f"{STATUS_LABELS[now.status].lower()} by the time you pressed the button "
        "(someone else answered it first)."))
    if refused is not None:
        return refused
    link = url_for("referrals.detail", public_id=referral.public_id, _external=True)
    if ACTIONS[action][0] == "group" and referral.sender is not None:
        referrals.notify([referral.sender.email], "A group has answered your referral", link)
    flash(DONE[action])
    return redirect(url_for("referrals.detail", public_id=referral.public_id), 303)


@bp.post("/<public_id>/messages")
@role_required(Role.LINK_WORKER, Role.PROVIDER, Role.ADMIN)
def message(public_id: str) -> ResponseReturnValue:
    """A message to the other side."""
    referral, who = _readable(public_id)
    session, user = get_session(), _user()
    refused = _write(referral, who, lambda: referrals.add_message(
        session, referral, user, request.form.get("body", "")), lambda now: (
        "This referral was withdrawn or its details deleted, so it takes no more messages."))
    if refused is not None:
        return refused
    link = url_for("referrals.detail", public_id=referral.public_id, _external=True)
    if who == "group" and referral.sender is not None:
        referrals.notify([referral.sender.email], "A group has written about your referral", link)
    elif who == "sender":
        referrals.notify(referrals.group_emails(referral),
                         "A Link Worker has written about a referral", link)
    flash("Message sent.")
    return redirect(url_for("referrals.detail", public_id=referral.public_id, _anchor="messages"),
                    303)


