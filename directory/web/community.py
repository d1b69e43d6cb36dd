"""Public routes for groups and the people who use the directory: asking to join, reporting a
problem with a listing, confirming a listing from a reminder's signed link, setting a new
account's password from the link emailed to it, and "forgot your password?".

Signed links never change anything on GET: mail scanners and link previews open links, so a
GET shows what would happen and a button (a POST, with its CSRF token) does it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import accounts, audit, browse, freshness, mail, moderation, plaintext, tokens, vocabulary
from ..auth import limiter
from ..auth.passwords import password_problem
from ..db import get_session
from ..models import (
    JoinRequest,
    Report,
    Role,
    Service,
    ServiceStatus,
    User,
)
from . import present, unit_of_work

log = logging.getLogger(__name__)
bp = Blueprint("community", __name__)

PROBLEM_LIMIT = 2000
DESCRIPTION_LIMIT = 2000


# --- mail and signed links shared with the admin area -------------------------------------------


def notify(to: str | Iterable[str], subject: str, body: str) -> bool:
    """Send a message; True if it went. Called after a commit, so a failure of any kind (a mail
    server that is down, an address it refuses) is logged and reported, never an error page."""
    recipients = [to] if isinstance(to, str) else sorted(set(to))
    if not recipients:
        return False
    try:
        mail.send(recipients, subject, body)
    except Exception:  # any failure: the change is committed, and the page must say so, not 500
        log.exception("could not send %r to %d recipients", subject, len(recipients))
        return False
    return True


def _fingerprint(user: User) -> str:
    """Changes whenever the password does, so a set-password link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def password_link(user: User) -> str:
    """An absolute set-password link for a user, valid for tokens.PASSWORD_DAYS."""
    token = tokens.make("password", {"u": user.id, "f": _fingerprint(user)})
    return url_for("community.set_password", token=token, _external=True)


def reset_link(user: User) -> str:
    """An absolute "forgot your password?" link, valid for tokens.RESET_DAYS. Bound to the
    current password hash like a set-password link, so it works once; its own purpose (salt),
    so neither kind of link opens the other's page."""
    token = tokens.make("reset", {"u": user.id, "f": _fingerprint(user)})
    return url_for("community.reset_password", token=token, _external=True)


def send_password_link(user: User, organization_name: str) -> bool:
    body = (
        f"Hello,\n\nYou now have an account on the Community Support Directory for "
        f"{organization_name}, so you can keep your group's listings up to date.\n\n"
        f"Choose your password here (the link works once, for {tokens.PASSWORD_DAYS} days):\n"
        f"{password_link(user)}\n\n"
        f"Then sign in with this email address ({user.email}).\n\n"
        "If you were not expecting this message, you can ignore it.\n"
    )
    return notify(user.email, "Set your password for the Community Support Directory", body)


# --- forms --------------------------------------------------------------------------------------


def _one_line(value: str) -> None:
    if (problem := plaintext.single_line_problem(value)) is not None:
        raise ValidationError(problem)


def _no_controls(value: str) -> None:
    if (problem := plaintext.multi_line_problem(value)) is not None:
        raise ValidationError(problem)


def _text(label: str, limit: int, required: bool = True, multi_line: bool = False) -> fields.String:
    checks: list[Any] = [validate.Length(max=limit, error=f"Use {limit} characters or fewer"),
                         _no_controls if multi_line else _one_line]
    if required:
        checks.append(validate.Length(min=1, error=f"Enter {label}"))
    messages: dict[str, Any] = {"required": f"Enter {label}", "invalid": "Enter text"}
    if required:
        return fields.String(required=True, validate=checks, error_messages=messages)
    return fields.String(load_default="", validate=checks, error_messages=messages)


def _check_email(value: str) -> None:
    if value and not accounts.EMAIL.match(value):
        raise ValidationError("Enter an email address like name@example.org")


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token and the button

    @pre_load
    def _strip(self, data: Any, **_: Any) -> dict[str, Any]:
        return {k: v.strip() if isinstance(v, str) else v for k, v in dict(data).items()}


class JoinIn(_Form):
    organization_name = _text("the name of your group", 200)
    contact_name = _text("your name", 200)
    contact_email = _text("your email address", 254)
    phone = _text("a phone number", 40, required=False)
    website = _text("a website", 500, required=False)
    description = _text("what your group does", DESCRIPTION_LIMIT, multi_line=True)

    @validates("contact_email")
    def _email(self, value: str, **_: Any) -> None:
        _check_email(value)

    @validates("website")
    def _website(self, value: str, **_: Any) -> None:
        if value and not value.lower().startswith(("http://", "https://", "www.")):
            raise ValidationError("Enter a web address like https://example.org")


class ReportIn(_Form):
    problem = _text("what is wrong with the listing", PROBLEM_LIMIT, multi_line=True)
    email = _text("an email address", 254, required=False)

    @validates("email")
    def _email(self, value: str, **_: Any) -> None:
        _check_email(value)


def _first_messages(err: ValidationError) -> dict[str, str]:
    """{field: its first message}, for the error summary and the message beside each field."""
    found: dict[str, str] = {}
    for field, messages in err.normalized_messages().items():
        found[field] = messages[0] if isinstance(messages, list) else str(messages)
    return found


def _limit(key: str) -> Any:
    return lambda: str(current_app.config[key])


# --- asking to join -----------------------------------------------------------------------------


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_limit("JOIN_RATE_LIMIT"), methods=["POST"],
               error_message="Too many requests from your address. Try again in an hour.")
def join() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        try:
            data = JoinIn().load(form)
        except ValidationError as err:
            errors = _first_messages(err)
        else:
            session = get_session()
            data["contact_email"] = accounts.normalise_email(data["contact_email"])
            with unit_of_work.commit(session, what="request") as work:
                work.add(JoinRequest(**data))
            return render_template("community/join_done.html", name=data["organization_name"])
    return render_template("community/join.html", form=form, errors=errors), 400 if errors else 200


# --- reports from the public --------------------------------------------------------------------


@bp.route("/services/<public_id>/report", methods=["GET", "POST"])
@limiter.limit(_limit("REPORT_RATE_LIMIT"), methods=["POST"],
               error_message="Too many reports from your address. Try again in an hour.")
def report_problem(public_id: str) -> ResponseReturnValue:
    session = get_session()
    service = _service(session, public_id)
    if service is None or not service.is_active:
        abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = ReportIn().load(request.form)
        except ValidationError as err:
            errors = _first_messages(err)
        else:
            report = Report(service=service, problem=data["problem"],
                            email=accounts.normalise_email(data["email"]) or None)
            with unit_of_work.commit(session) as work:
                work.add(report)
                work.flush()
                audit.record(session, "service", service.id, service.name, "report",
                             note=f"report #{report.id} from the public")
            _tell_the_group(service, report)
            return render_template("community/report_done.html", service=service)
    return (render_template("community/report.html", service=service, form=request.form,
                            errors=errors, limit=PROBLEM_LIMIT),
            400 if errors else 200)


def _tell_the_group(service: Service, report: Report) -> None:
    """The group's own accounts hear of a report at once; the reporter's address stays with us."""
    members = [u.email for u in service.organization.members
               if u.active and u.role is Role.PROVIDER]
    body = (
        f"Someone using the Community Support Directory reported a problem with your listing "
        f"\"{service.name}\":\n\n{report.problem}\n\n"
        f"The listing: "
        f"{url_for('public.service_detail', public_id=service.public_id, _external=True)}\n"
        f"To put it right, sign in: {url_for('provider.home', _external=True)}\n\n"
        "The directory team has a copy and may be in touch.\n"
    )
    notify(members, f"Problem reported with {service.name}", body)


# --- confirming a listing from a reminder --------------------------------------------------------

CONFIRMABLE = (ServiceStatus.ACTIVE, ServiceStatus.PAUSED)


def _bad_link(message: str) -> ResponseReturnValue:
    return render_template("community/bad_link.html", message=message), 400


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_listing(token: str) -> ResponseReturnValue:
    """GET shows the listing and a button; only the POST confirms it (scanners open links)."""
    try:
        payload = tokens.read("confirm", token, tokens.CONFIRM_DAYS)
    except tokens.BadToken as err:
        return _bad_link(str(err))
    session = get_session()
    service = _service(session, payload.get("s"))
    if service is None or service.status not in CONFIRMABLE:
        return _bad_link("This listing is no longer published, so there is nothing to confirm. "
                         "Sign in to see your listings.")
    if request.method == "POST":
        recipient = session.get(User, payload["u"]) if isinstance(payload.get("u"), int) else None
        label = f"signed link sent to {recipient.email}" if recipient else "signed link"
        with audit.acting_as(label), unit_of_work.commit(session):
            moderation.confirm(session, service, freshness.today())
        return render_template("community/confirmed.html", service=service)
    shown = browse.service_views(session, [service.public_id], full=True,
                                 statuses=CONFIRMABLE)[service.public_id]
    facts = present.detail(shown, vocabulary.current(), present.local_now())
    return render_template("community/confirm.html", service=service, s=facts)


def _service(session: Session, public_id: Any) -> Service | None:
    """The listing to act on (report, confirm), or None."""
    if not isinstance(public_id, str):
        return None
    return session.scalar(select(Service).where(Service.public_id == public_id))


# --- setting a password from the emailed link ----------------------------------------------------

USED_LINK = ("This link has already been used, or the account has changed. If you have set your "
             "password, sign in; otherwise ask the directory team for a new link.")


@bp.route("/auth/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    return _new_password(token, "password", tokens.PASSWORD_DAYS, "community.set_password")


@bp.route("/auth/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    return _new_password(token, "reset", tokens.RESET_DAYS, "community.reset_password")


def _new_password(token: str, purpose: str, days: int, endpoint: str) -> ResponseReturnValue:
    """Choose a password from a signed link: the same rules as everywhere (password_problem),
    and the change happens only while the password is the one the link was made for."""
    try:
        payload = tokens.read(purpose, token, days)
    except tokens.BadToken as err:
        return _bad_link(str(err))
    session = get_session()
    user = session.get(User, payload["u"]) if isinstance(payload.get("u"), int) else None
    if user is None or not user.active or payload.get("f") != _fingerprint(user):
        return _bad_link(USED_LINK)
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        if (problem := password_problem(password)) is not None:
            errors["password"] = problem
        elif request.form.get("confirm", "") != password:
            errors["confirm"] = "The two passwords do not match"
        else:
            how = "set-password" if purpose == "password" else "forgot-password"
            with (audit.acting_as(f"{how} link sent to {user.email}", user.id),
                  unit_of_work.commit(session, what="account")):
                used = accounts.change_password(session, user, password, was=user.password_hash)
            if not used:  # another request used the link a moment ago
                return _bad_link(USED_LINK)
            flash("Your password is set. Sign in with your email address and new password.")
            return redirect(url_for("auth.login"))
    return (render_template("community/set_password.html", user=user, errors=errors,
                            action=url_for(endpoint, token=token),
                            heading="Set your password" if purpose == "password"
                            else "Choose a new password"),
            400 if errors else 200)


# --- forgot your password? -----------------------------------------------------------------------

RESET_SENT = ("If there is an account for that address, we have emailed it a link to choose a "
              "new password. The link works once, today and tomorrow. Check your spam folder "
              "if it has not come in a few minutes.")


def _reset_account_key() -> str:
    """Asks for one email address count together, from whatever address they come."""
    return "reset:" + accounts.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/auth/forgot-password", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_RATE_LIMIT"), methods=["POST"],
               error_message="Too many requests from your address. Try again in an hour.")
@limiter.limit(_limit("RESET_ACCOUNT_RATE_LIMIT"), key_func=_reset_account_key, methods=["POST"],
               error_message="Too many requests for this email address. Try again in an hour.")
def forgot_password() -> ResponseReturnValue:
    """The same answer whether or not the address has an account, so the page cannot be used
    to find out who has one; only an active account's address is sent anything."""
    errors: dict[str, str] = {}
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        if not email:
            errors["email"] = "Enter your email address"
        elif len(email) > 254 or "@" not in email or plaintext.single_line_problem(email):
            errors["email"] = "Enter an email address like name@example.org"
        else:
            user = accounts.find_user_by_email(get_session(), email)
            if user is not None and user.active:
                _send_reset_link(user)
            return render_template("community/forgot_sent.html", message=RESET_SENT)
    return (render_template("community/forgot.html", email=email, errors=errors),
            400 if errors else 200)


def _send_reset_link(user: User) -> None:
    body = (
        "Hello,\n\nSomeone (we hope you) asked to choose a new password for your account on "
        f"the Community Support Directory ({user.email}).\n\n"
        "Choose a new password here (the link works once, today and tomorrow):\n"
        f"{reset_link(user)}\n\n"
        "If you did not ask, you can ignore this message: your password stays as it is.\n"
    )
    notify(user.email, "Choose a new password for the Community Support Directory", body)
