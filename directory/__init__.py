"""The social prescribing directory: a Flask app over SQLAlchemy, whoosh and the matcher.

The models (models/) are written through the domain modules (listings, moderation,
referrals, ...) and the web's one unit of work; they are read for display only through the
read model (service_facts.py), from which the pages, the search documents, the matcher's
candidates, the plan and the fallback search each derive their view."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from . import config
from .config import ROOT


def create_app(overrides: Mapping[str, Any] | None = None, *, pages: bool = True) -> Flask:
    """Build the app. Tests pass overrides; deployments set DIRECTORY_* environment variables.

    With pages False, the web pages, sign-in and the API are left out (and not imported):
    for commands such as `directory match`, which only need the data and the matcher.
    """
    instance = Path((overrides or {}).get("INSTANCE_PATH") or config.instance_folder())
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.from_object(config.Defaults)
    app.config.from_prefixed_env("DIRECTORY")
    app.config.update(overrides or {})
    _fill_instance_defaults(app, instance)

    from . import audit, db, geocoding, sealed, search, vocabulary

    sealed.init_app(app)
    db.init_app(app)
    audit.init_app(app)
    vocabulary.init_app(app)
    geocoding.init_app(app)
    search.init_app(app)
    if not pages:
        return app
    from . import api, auth, web

    auth.init_app(app)
    web.init_app(app)
    api.init_app(app)
    _trust_proxies(app)
    app.before_request(_refuse_nul)
    return app


def _refuse_nul() -> None:
    """A NUL character is never text: refused in any query or form field, naming the field
    (SQLite would store it; PostgreSQL refuses it with an error)."""
    from flask import abort, request

    sources = [request.args, request.form] if request.mimetype in FORM_TYPES else [request.args]
    for source in sources:
        for name, value in source.items(multi=True):
            if "\x00" in name or "\x00" in value:
                abort(400, f"The field \"{name.replace(chr(0), '')}\" contains a NUL character, "
                           "which is not text. Remove it and try again.")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _trust_proxies(app: Flask) -> None:
    """Behind DIRECTORY_PROXY_COUNT reverse proxies, take the client's address, scheme and host
    from their X-Forwarded-* headers; with none configured those headers are ignored, since
    any client can send them."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _fill_instance_defaults(app: Flask, instance: Path) -> None:
    """Point unset paths into the instance folder and create its secret key on first start."""
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'directory.db'}"
    if not app.config["SEARCH_INDEX_DIR"]:
        app.config["SEARCH_INDEX_DIR"] = str(instance / "search")
    if not app.config["OUTBOX_DIR"]:
        app.config["OUTBOX_DIR"] = str(instance / "outbox")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config.load_or_create_secret(instance)
    if app.config["PREFER_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
