"""The JSON API at /api/v1: open, CORS-enabled, one error shape {"errors": {field: [messages]}}."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response
from marshmallow import ValidationError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ValidationError)
def _invalid(err: ValidationError) -> tuple[dict[str, Any], int]:
    return {"errors": err.normalized_messages()}, 400


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def init_app(app: Flask) -> None:
    from . import match  # noqa: F401  (registers routes)
    from ..auth import csrf

    csrf.exempt(bp)  # a public JSON API with no cookies to ride on
    app.register_blueprint(bp)
