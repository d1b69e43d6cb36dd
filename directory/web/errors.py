"""Error pages: every error gets a plain page (or JSON under /api), never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from . import unit_of_work

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something was wrong with that request", "Go back and check what you entered."),
    403: ("You cannot see this page", "Your account does not have access to it."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That did not work", "This page cannot be used that way."),
    409: ("Nothing was saved",
          "Someone changed this at the same moment. Look again, then try again."),
    413: ("That was too much to send", "Send less, and try again."),
    429: ("Too many attempts", "Wait a minute and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, the service is unavailable",
          "We are working to fix it. Try again in a few minutes."),
}


# Seconds a client is asked to wait after a 503 before trying again.
RETRY_AFTER = 30

# The database cannot be reached, refuses connections, dropped one, or every pooled
# connection is busy: an outage to wait out (503), not a bug (500).
OUTAGES = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def _render(code: int, detail: str | None = None,
            headers: dict[str, str] | None = None) -> ResponseReturnValue:
    title, hint = MESSAGES.get(code, MESSAGES[500])
    headers = dict(headers or {})
    if code == 503:
        headers["Retry-After"] = str(RETRY_AFTER)
    if request.path.startswith("/api/"):
        return jsonify({"errors": {"_request": [detail or title]}}), code, headers
    page = render_template("errors/error.html", code=code, title=title, hint=detail or hint)
    return page, code, headers


def _methods(allow: str) -> str:
    shown = [m.strip() for m in allow.split(",") if m.strip() not in ("HEAD", "OPTIONS", "")]
    return " and ".join(shown) or allow


def _first_line(err: BaseException) -> str:
    cause = getattr(err, "orig", None) or err
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> ResponseReturnValue:
        return _render(400, "The form had expired or was not sent from this site. Try again.")

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> ResponseReturnValue:
        code = err.code or 500
        detail = err.description if code in (400, 429) else None
        headers = {k: v for k, v in err.get_headers() if k.lower() in ("allow", "retry-after")}
        if code == 405:
            allowed = headers.get("Allow", "")
            detail = f"{request.path} accepts {_methods(allowed)} only." if allowed else None
        elif code == 413:
            limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
            detail = (f"The request is larger than this site accepts ({limit // 1024} KB). "
                      "Send less.")
        return _render(code, detail, headers)

    def _database_down(err: Exception) -> ResponseReturnValue:
        # One line: no SQL, parameters or stack in the log line, and none on the page.
        log.error("database unavailable on %s %s: %s", request.method, request.path,
                  _first_line(err))
        return _render(503)

    for outage in OUTAGES:
        app.register_error_handler(outage, _database_down)

    @app.errorhandler(DBAPIError)
    def _database_error(err: DBAPIError) -> ResponseReturnValue:
        # Another driver error that came with a lost connection (SQLAlchemy invalidated it)
        # is an outage too; anything else is a bug and goes on to the 500 handling.
        if err.connection_invalidated:
            return _database_down(err)
        raise err

    @app.errorhandler(unit_of_work.Refused)
    def _refused(err: unit_of_work.Refused) -> ResponseReturnValue:
        # A route that had nothing more to say about a conflict or a refusal: nothing was saved.
        return _render(409, err.message)

    @app.errorhandler(InternalServerError)
    def _internal(err: InternalServerError) -> ResponseReturnValue:
        return _render(500)
