"""Admin review of suggested tags (/admin/suggestions) and of stale imports.

Each decision (one tag, one service's tags, or every tag one rule suggested) goes through
directory.suggest, which writes the audit trail; the view commits once.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import case, func, select

from .. import freshness, suggest
from ..auth.permissions import role_required
from ..db import get_session
from ..hsds import quality
from ..models import Role, Service, SuggestionState, TagSuggestion
from . import unit_of_work

bp = Blueprint("suggestions", __name__, url_prefix="/admin/suggestions")
SHOWN = 200


def _decision() -> bool:
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        abort(400)
    return decision == "accept"


@bp.get("/")
@role_required(Role.ADMIN)
def review() -> ResponseReturnValue:
    session = get_session()
    rows = suggest.pending(session, limit=SHOWN)
    names = dict(session.execute(select(Service.id, Service.name).where(
        Service.id.in_({r.service_id for r in rows}))).all()) if rows else {}
    rules = session.execute(
        select(TagSuggestion.rule, func.count()).where(
            TagSuggestion.state == SuggestionState.SUGGESTED)
        .group_by(TagSuggestion.rule).order_by(func.count().desc(), TagSuggestion.rule).limit(30)
    ).all()
    total = session.scalar(select(func.count()).select_from(TagSuggestion).where(
        TagSuggestion.state == SuggestionState.SUGGESTED)) or 0
    cutoff = freshness.expired_before(freshness.today())
    imports = session.execute(
        select(Service.source, func.count(),
               func.count(case((Service.last_verified < cutoff, 1))))
        .where(Service.source.like("%.json") | Service.source.like("http%"))
        .group_by(Service.source).order_by(Service.source)
    ).all()
    return render_template("admin/suggestions.html", rows=rows, names=names, rules=rules,
                           total=total, imports=imports)


@bp.post("/<int:suggestion_id>")
@role_required(Role.ADMIN)
def decide_one(suggestion_id: int) -> ResponseReturnValue:
    session = get_session()
    row = session.get(TagSuggestion, suggestion_id) or abort(404)
    accept = _decision()
    try:
        with unit_of_work.commit(session, what="suggestion"):
            suggest.decide(session, row, accept)
    except suggest.NoSuchSuggestion:
        flash("That suggestion was already decided.")
        return redirect(url_for("suggestions.review"))
    flash(f"{'Accepted' if accept else 'Rejected'} {row.term.label}.")
    return redirect(url_for("suggestions.review"))


@bp.post("/service/<int:service_id>")
@role_required(Role.ADMIN)
def decide_service(service_id: int) -> ResponseReturnValue:
    session = get_session()
    accept = _decision()
    with unit_of_work.commit(session, what="suggestion"):
        count = suggest.decide_all(session, suggest.pending(session, service_id=service_id),
                                   accept)
    flash(f"{'Accepted' if accept else 'Rejected'} {count} suggested tags.")
    return redirect(url_for("suggestions.review"))


@bp.post("/rule")
@role_required(Role.ADMIN)
def decide_rule() -> ResponseReturnValue:
    session = get_session()
    rule = request.form.get("rule", "")
    accept = _decision()
    with unit_of_work.commit(session, what="suggestion"):
        count = suggest.decide_all(session, suggest.pending(session, rule=rule), accept)
    flash(f"{'Accepted' if accept else 'Rejected'} {count} tags suggested by {rule}.")
    return redirect(url_for("suggestions.review"))


@bp.post("/imports/checked")
@role_required(Role.ADMIN)
def mark_import_checked() -> ResponseReturnValue:
    session = get_session()
    source = request.form.get("source", "")
    with unit_of_work.commit(session):
        count = quality.mark_checked(session, source, freshness.today())
        if not count:
            abort(404)
    flash(f"Marked {count} services from {source} as checked today.")
    return redirect(url_for("suggestions.review"))
