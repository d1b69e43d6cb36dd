"""POST /api/v1/match: the match contract over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

import matcher
from flask import current_app, request

from .. import freshness, geocoding, vocabulary
from ..db import get_session
from ..matching import run_match
from ..schemas.match import load_profile
from . import bp


def match_json(payload: object, today: date | None = None) -> dict[str, Any]:
    """Validate, match and serialise: the one code path for the API, CLI and workspace."""
    profile = load_profile(payload, vocabulary.current(), geocoding.current())
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return matcher.to_json(run_match(app, get_session(), profile, today or freshness.today()))


@bp.post("/match")
def match() -> tuple[dict[str, Any], int]:
    payload = request.get_json(silent=True)
    if payload is None:
        return {"errors": {"_json": ["Send a JSON object with Content-Type: application/json"]}}, 400
    return match_json(payload), 200
