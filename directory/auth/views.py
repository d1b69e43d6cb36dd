"""Sign in and sign out. Failed sign-ins are limited per address and per account; signing out
ends every session of the account, not only this browser's."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..accounts import authenticate, end_sessions, normalise_email
from ..db import get_session
from ..models import Role, User
from ..web import unit_of_work
from . import limiter, start_session

bp = Blueprint("auth", __name__, url_prefix="/auth")


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address", validators=[DataRequired("Enter your email address"), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password"), Length(max=1000)]
    )


def _safe_next(target: str | None) -> str | None:
    """Only follow a ?next= that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# Where each role lands after signing in, when no ?next= says otherwise.
LANDINGS = {
    Role.ADMIN: "admin.dashboard",
    Role.LINK_WORKER: "workspace.match_form",
    Role.PROVIDER: "provider.home",
    Role.COMMISSIONER: "insights.overview",
}


def landing_page(user: User) -> str:
    """The signed-in user's own area: the admin area, the workspace, their listings, insights."""
    return url_for(LANDINGS.get(user.role, "public.home"))


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _account_limit() -> str:
    return str(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def _account_key() -> str:
    """Failures against one account count together, from whatever address they come."""
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def _failed(_response: object) -> bool:
    return bool(g.get("login_failed"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=_failed,
    error_message=("Too many failed sign-in attempts from your address. "
                   "Wait a minute and try again."),
)
@limiter.limit(
    _account_limit,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many failed sign-in attempts for this account. Wait 15 minutes and try "
                  "again, or ask the directory team to check your account.",
)
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        session = get_session()
        with unit_of_work.commit(session, what="account"):
            user = authenticate(session, form.email.data or "", form.password.data or "")
        if user is not None:
            start_session(user)
            return redirect(_safe_next(request.args.get("next")) or landing_page(user))
        g.login_failed = True
        error = "The email address or password is not right."
    status = 200 if error is None else 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:  # every copy of the session cookie stops working
        session = get_session()
        with unit_of_work.commit(session, what="account"):
            user = current_user._get_current_object()  # type: ignore[attr-defined]
            end_sessions(session, user)
    logout_user()
    flash("You have signed out.")
    return redirect(url_for("public.home"))
