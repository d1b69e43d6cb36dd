"""Sign-in: Flask-Login sessions, CSRF on every form (Flask-WTF), and slowed repeated failures."""

from __future__ import annotations

from flask import Flask
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


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        return get_session().get(User, int(user_id))
    except ValueError:
        return None


def init_app(app: Flask) -> None:
    from . import passwords

    passwords.configure(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_COST"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    from .views import bp

    app.register_blueprint(bp)
