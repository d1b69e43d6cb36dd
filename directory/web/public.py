"""Public pages, no account needed: home and about."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from .. import browse
from ..db import get_session

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    session = get_session()
    return render_template(
        "public/home.html",
        active_count=browse.count_active_services(session),
        categories=browse.category_counts(session),
    )


@bp.get("/about")
def about() -> ResponseReturnValue:
    return render_template("public/about.html")
