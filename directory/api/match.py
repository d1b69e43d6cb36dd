"""POST /api/v1/match: the match contract over HTTP."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import current_app, request

import matcher

from .. import freshness, geocoding, vocabulary
from ..db import get_session
from ..matching import run_match
from ..schemas.match import MAX_DEPTH, load_profile
from . import bp


def match_json(payload: object, today: date | None = None) -> dict[str, Any]:
    """Validate, match and serialise: the one code path for the API, CLI and workspace."""
    profile = load_profile(payload, vocabulary.current(), geocoding.current())
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return matcher.to_json(run_match(app, get_session(), profile, today or freshness.today()))


NOT_JSON = "Send a JSON object with Content-Type: application/json"


@bp.post("/match")
def match() -> tuple[dict[str, Any], int]:
    if not request.is_json:
        return {"errors": {"_json": [NOT_JSON]}}, 400
    try:  # the body is at most MAX_CONTENT_LENGTH (413 above it)
        payload = json.loads(request.get_data(cache=False))
    except RecursionError:
        return {"errors": {"_json": [f"The JSON is nested more than {MAX_DEPTH} levels deep, "
                                     "deeper than any profile"]}}, 400
    except ValueError:
        return {"errors": {"_json": [NOT_JSON + " (this was not valid JSON)"]}}, 400
    return match_json(payload), 200
