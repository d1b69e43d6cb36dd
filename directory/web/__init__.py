"""The HTML side: one blueprint per audience, error pages and template helpers. The pages
show services as the read model's facts (directory.service_facts, through directory.browse).

Every view that writes does so inside `unit_of_work.commit(session)`: all of it is committed,
or none of it, and a conflict or a refusal comes back as one message (tests/test_architecture.py
checks that no view writes through the session itself)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

from . import (
    admin,
    community,
    errors,
    filters,
    insights,
    provider,
    public,
    referrals,
    suggestions,
    workspace,
)

# Everything comes from this site: no inline scripts or styles, no framing, forms post here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(tile_url: str | None) -> str:
    """The policy, with images allowed from the map tile host too (and no other host)."""
    parts = urlsplit(tile_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return CONTENT_SECURITY_POLICY
    origin = f"{parts.scheme}://{parts.netloc}"
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")


def init_app(app: Flask) -> None:
    app.register_blueprint(public.bp)
    app.register_blueprint(workspace.bp)
    app.register_blueprint(provider.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(suggestions.bp)
    app.register_blueprint(community.bp)
    app.register_blueprint(insights.bp)
    app.register_blueprint(referrals.bp)
    app.register_blueprint(referrals.group_bp)
    filters.init_app(app)
    errors.init_app(app)
    policy = content_security_policy(app.config.get("MAP_TILE_URL"))

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("PREFER_HTTPS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if _signed_in():  # a shared computer's back button or cache must not show it again
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response


def _signed_in() -> bool:
    from flask import g
    from flask_login import current_user

    # Only when the request loaded the user (static files never do), or a session exists.
    return "_login_user" in g and bool(getattr(current_user, "is_authenticated", False))
