"""Error pages in the site's layout, or small fragments for htmx that show in #htmx-errors."""

from contextlib import suppress
from time import time

from flask import Flask, make_response, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, limiter, login_manager
from app.htmx import is_htmx, retarget

MESSAGES = {
    400: (
        "Bad request",
        "The request could not be understood. Check what you entered and try again.",
    ),
    403: (
        "You do not have permission to do that",
        "Your account does not have the role this needs.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That cannot be done here", "This address does not accept that kind of request."),
    413: ("That was too large to send", "Shorten what you entered, then try again."),
    429: ("Too many attempts", "You have tried this too often."),
    500: (
        "Sorry, something went wrong",
        "The problem has been logged. Try again in a few minutes.",
    ),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes."),
}


def _retry_text() -> str:
    limit = getattr(limiter, "current_limit", None)
    if limit is None or not getattr(limit, "reset_at", None):
        return "Wait a minute, then try again."
    seconds = max(1, int(limit.reset_at - time()))
    if seconds < 90:
        return f"Try again in {seconds} seconds."
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"Try again in {minutes} minutes."
    return f"Try again in {round(minutes / 60)} hours."


def render_error(code: int, detail: str | None = None):
    """The error page, or its fragment retargeted to the page's error region for htmx."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    if detail:
        message = detail
    if code == 429:
        message = f"{message} {_retry_text()}"
    if is_htmx():
        fragment = render_template("errors/_error.html", code=code, title=title, message=message)
        return retarget(make_response(fragment, code), "#htmx-errors")
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register(app: Flask) -> None:
    """Route every HTTP error through render_error."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, "This form has expired or was sent from elsewhere. Reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code not in MESSAGES:
            return error
        response = make_response(render_error(error.code))
        # Keep what the protocol needs (Allow on 405, Retry-After on 429).
        for name in ("Allow", "Retry-After"):
            if value := error.get_response().headers.get(name):
                response.headers[name] = value
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        """503 while the database is unreachable (or too busy); nothing of the request was kept.

        The next request starts afresh: the pool tests each connection before use (pre-ping)
        and replaces any the server dropped, so the app recovers on its own.
        """
        app.logger.error("database unavailable: %s", error)
        # The connection may be gone already; the session is discarded after the request anyway.
        with suppress(SQLAlchemyError):
            db.session.rollback()
        # The page must not need the database: show it as to a visitor, whoever is logged in.
        login_manager._update_request_context_with_user()
        response = make_response(render_error(503))
        response.headers["Retry-After"] = "30"
        return response
