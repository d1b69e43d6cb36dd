"""The plan the person takes home: printed on A4, opened on their phone, sent by text or email.

The Link Worker's copy comes from the workspace form (nothing stored); "Save and get a link"
stores the non-identifying parts behind a short code (plans.save_plan), shown with a QR code
and the date it stops working, and the link can then be sent through GOV.UK Notify.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import segno
from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import audit, freshness, notify, plans, vocabulary
from ..db import get_session
from ..models import SavedPlan, User
from . import unit_of_work

PLAN_DAYS = 90
# Form fields carried from the workspace into the plan page's own buttons.
CARRIED_SKIP = {"csrf_token", "save", "add", "add_anyway", "remove", "change", "lookup",
                "find", "kind", "to_sms", "to_email", "send", "token"}


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _goal_words(goal_ids: list[str]) -> list[str]:
    vocab = vocabulary.current()
    return [vocab.label("goals", g) for g in goal_ids if g in vocab.ids("goals")]


def _qr(link: str) -> str:
    """The link as a QR code, an SVG data URI (the CSP allows data: images)."""
    return segno.make(link, error="m").svg_data_uri(scale=4, border=2, dark="#000")


def _link_facts(token: str, expires: date) -> dict[str, Any]:
    code = plans.normal_code(token)
    link = url_for("workspace.shared_plan", token=code, _external=True)
    return {"link": link, "short": link.split("://", 1)[-1], "code": code, "qr": _qr(link),
            "expires": expires,
            "expires_text": f"{expires.day} {expires:%B %Y}"}


def _render(cards: list[dict[str, Any]], *, goals: list[str], words: str, worker: str | None,
            link: dict[str, Any] | None, form: MultiDict[str, str], shared: bool = False,
            send_errors: dict[str, list[str]] | None = None, sent: str | None = None,
            status: int = 200) -> tuple[str, int]:
    today = freshness.today()
    return render_template(
        "workspace/plan.html", services=cards, goals=goals, words=words, worker=worker,
        link=link, form=form, shared=shared, today_text=long_date(today),
        send_errors=send_errors or {}, sent=sent, carried_skip=CARRIED_SKIP,
        expires_days=PLAN_DAYS,
    ), status


CardsFor = Callable[[list[str]], list[dict[str, Any]]]  # ids -> their cards, in order


def _cards(service_ids: list[str], cards_for: CardsFor) -> list[dict[str, Any]]:
    return cards_for(service_ids)


def _worker() -> str | None:
    return current_user.email if current_user.is_authenticated else None


def plan(to_payload: Callable[..., Any], shortlist: Callable[..., list[str]],
         card: CardsFor) -> ResponseReturnValue:
    form = request.form
    session = get_session()
    ids = shortlist(form)
    cards = _cards(ids, card)
    if not cards:
        abort(400, "Shortlist at least one service before making a plan.")
    payload, _errors = to_payload(form)
    link = None
    if form.get("save"):
        district = None
        location = payload.get("location") or {}
        if "postcode" in location:
            district = location["postcode"].split()[0]
        with unit_of_work.commit(session, what="plan"):
            token = plans.save_plan(session, payload, [c["id"] for c in cards], days=PLAN_DAYS,
                                    district=district, user=current_user._get_current_object())
        link = _link_facts(token, freshness.today() + timedelta(days=PLAN_DAYS))
    return _render(cards, goals=_goal_words(payload["goals"]), words=payload.get("text", ""),
                   worker=_worker(), link=link, form=form)


def send(card: CardsFor) -> ResponseReturnValue:
    form = request.form
    session = get_session()
    token = form.get("token", "")
    saved = plans.find_plan(session, token)
    if saved is None:
        abort(400, "Save the plan before sending it.")
    cards = _cards(list(saved.service_ids), card)
    link = _link_facts(token, _expiry(saved))
    kind = form.get("kind", "")
    # Enter in the email box presses the form's first button (text message): go by what is filled.
    filled = [k for k in notify.KINDS if form.get(f"to_{k}", "").strip()]
    if len(filled) == 1 and kind in notify.KINDS:
        kind = filled[0]
    to, problem = notify.check_recipient(kind, form.get(f"to_{kind}", ""))
    goals = _goal_words(list(saved.profile.get("goals", [])))
    words = (form.get("text") or "").strip()
    if problem:
        field = "kind" if kind not in notify.KINDS else f"to_{kind}"
        return _render(cards, goals=goals, words=words, worker=_worker(), link=link, form=form,
                       send_errors={field: [problem]}, status=400)
    message = notify.Message(kind, to or "", link["link"], link["code"], link["expires_text"])
    try:
        notify.send(message)
    except notify.NotSent as err:
        current_app.logger.warning("plan %s not sent: %s", saved.id, err)
        return _render(cards, goals=goals, words=words, worker=_worker(), link=link, form=form,
                       send_errors={f"to_{kind}": [str(err)]}, status=502)
    # Audited without the number or address: who sent which plan, and how.
    with unit_of_work.commit(session, what="plan"):
        audit.record(session, "plan", saved.id, f"Plan {link['code'][:3]}…", "send",
                     note=f"sent by {notify.KINDS[kind]}")
    return _render(cards, goals=goals, words=words, worker=_worker(), link=link, form=form,
                   sent=f"Sent by {notify.KINDS[kind]} to the {notify.masked(message)}.")


def _expiry(saved: SavedPlan) -> date:
    return saved.expires_at.date()


def shared(token: str, card: CardsFor) -> ResponseReturnValue:
    session = get_session()
    saved = plans.find_plan(session, token)
    if saved is None:
        abort(404)
    cards = _cards(list(saved.service_ids), card)
    maker = session.get(User, saved.created_by_id) if saved.created_by_id else None
    body, status = _render(
        cards, goals=_goal_words(list(saved.profile.get("goals", []))), words="",
        worker=maker.email if maker else None, link=_link_facts(token, _expiry(saved)),
        form=MultiDict(), shared=True,
    )
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
