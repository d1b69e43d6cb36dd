"""The HTML side: one blueprint per audience, error pages and template helpers."""

from __future__ import annotations

from flask import Flask

from . import errors, filters, public, workspace


def init_app(app: Flask) -> None:
    app.register_blueprint(public.bp)
    app.register_blueprint(workspace.bp)
    filters.init_app(app)
    errors.init_app(app)

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
