"""Sign-in: Flask-Login sessions that can be ended, CSRF on every form (Flask-WTF) with the
Origin checked too, and limits on repeated failures shared by every worker."""

from __future__ import annotations

import hashlib

from flask import Flask, abort, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from ..db import get_session
from ..models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.session_protection = "strong"
csrf = CSRFProtect()
limiter = Limiter(get_remote_address)

# The session key holding the account's session version at sign-in.
VERSION_KEY = "_sv"


def _identifier() -> str:
    """What a session is bound to: the client's address and browser. Flask-Login's own reads
    X-Forwarded-For, which any client can send; this uses the address the server saw, which
    ProxyFix sets from the proxy's header only when DIRECTORY_PROXY_COUNT says there is one."""
    seen = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha512(seen.encode("utf8")).hexdigest()


login_manager._session_identifier_generator = _identifier


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The signed-in user, while their account is active and the session is current: signing
    out, a new password or an admin disabling the account raises the version, ending it."""
    try:
        user = get_session().get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.active or session.get(VERSION_KEY) != user.session_version:
        return None
    return user


def start_session(user: User) -> None:
    """After a successful sign-in: a fresh session with a new CSRF token, tied to the version."""
    from flask import g
    from flask_login import login_user

    session.clear()  # nothing from before sign-in carries over, the CSRF token included
    g.pop("csrf_token", None)
    login_user(user)
    session[VERSION_KEY] = user.session_version


UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _same_origin() -> None:
    """Every unsafe request from a browser must come from this site: its Origin (or, failing
    that, its Referer) names this host. Flask-WTF checks the Referer only over HTTPS."""
    if request.method not in UNSAFE or request.path.startswith("/api/"):
        return
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return  # not a browser (the CSRF token still has to be right)
    own = request.host_url.rstrip("/")
    if source != own and not source.startswith(own + "/"):
        abort(400, "This form was not sent from this site. Go back to the page and try again.")


def init_app(app: Flask) -> None:
    from . import passwords, throttle

    passwords.configure(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_COST"))
    login_manager.init_app(app)
    csrf.init_app(app)
    throttle.configure(app)
    limiter.init_app(app)
    app.before_request(_same_origin)
    from .views import bp

    app.register_blueprint(bp)
