"""The JSON API at /api/v1: open, CORS-enabled, one error shape {"errors": {field: [messages]}}."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, request
from marshmallow import ValidationError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ValidationError)
def _invalid(err: ValidationError) -> tuple[dict[str, Any], int]:
    return {"errors": string_keys(err.normalized_messages())}, 400


def string_keys(messages: Any) -> Any:
    """Error messages with every key a string: marshmallow numbers list items (0, 1, ...) and
    may add "_schema" beside them, and JSON keys are strings (mixed keys cannot be sorted)."""
    if isinstance(messages, dict):
        return {str(k): string_keys(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [string_keys(m) for m in messages]
    return messages


def _cors(response: Response) -> Response:
    # On the app, not the blueprint: errors raised before a view (an unknown path) count too.
    if request.path.startswith(bp.url_prefix or "/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def init_app(app: Flask) -> None:
    from ..auth import csrf
    from . import hsds, match, openapi  # noqa: F401  (registers routes)

    csrf.exempt(bp)  # a public JSON API with no cookies to ride on
    app.register_blueprint(bp)
    app.after_request(_cors)
