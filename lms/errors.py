"""Error pages: a clear message and the right status code."""

from flask import Flask, current_app, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

# How long a client should wait before retrying while the database cannot be reached.
RETRY_AFTER_S = 30
DATABASE_DOWN = (
    "The database cannot be reached just now; nothing was read or changed. "
    f"Try again in {RETRY_AFTER_S} seconds."
)


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):  # API clients get JSON, whatever went wrong
            from lms.api.errors import json_error

            return json_error(exc)
        return render_template("error.html", error=exc), exc.code

    # The server is down, unreachable, restarting or out of connections; the pool drops a
    # lost connection, so the next request reconnects (lms.database).
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(exc: Exception):
        current_app.logger.error("database unavailable: %s", exc.__class__.__name__, exc_info=exc)
        headers = {"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"}
        if request.path.startswith("/api/"):
            from lms.api.errors import error_response

            response = error_response(503, DATABASE_DOWN)
            response.headers.update(headers)
            return response
        # Not render_template: its context processors ask who is signed in, from the database.
        return current_app.jinja_env.get_template("unavailable.html").render(), 503, headers
