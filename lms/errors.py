"""Error pages: a clear message and the right status code."""

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):  # API clients get JSON, whatever went wrong
            from lms.api.errors import json_error

            return json_error(exc)
        return render_template("error.html", error=exc), exc.code
