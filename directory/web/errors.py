"""Error pages: every error gets a plain page (or JSON under /api), never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something was wrong with that request", "Go back and check what you entered."),
    403: ("You cannot see this page", "Your account does not have access to it."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That did not work", "This page cannot be used that way."),
    429: ("Too many attempts", "Wait a minute and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, the service is unavailable", "We are working to fix it. Try again in a few minutes."),
}


def _render(code: int, detail: str | None = None) -> ResponseReturnValue:
    title, hint = MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify({"errors": {"_request": [detail or title]}}), code
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> ResponseReturnValue:
        return _render(400, "The form had expired or was not sent from this site. Try again.")

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> ResponseReturnValue:
        code = err.code or 500
        detail = err.description if code in (400, 429) else None
        return _render(code, detail)

    @app.errorhandler(OperationalError)
    def _database_down(err: OperationalError) -> ResponseReturnValue:
        log.error("database unavailable: %s", err)
        return _render(503)

    @app.errorhandler(InternalServerError)
    def _internal(err: InternalServerError) -> ResponseReturnValue:
        return _render(500)
