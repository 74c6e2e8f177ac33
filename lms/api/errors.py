"""API errors: always JSON `{"error": code, "detail": message}`, with the right status code.

`lms.errors` sends every HTTP error under /api/ here (404 for an unknown URL and
405 are raised before any blueprint is chosen), so no API client ever gets an
HTML page. Bad input carries `problems`: one entry per field at fault.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from werkzeug.exceptions import HTTPException

from lms.api.problems import Problem

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
REALM = 'Bearer realm="Attest API"'


class ApiError(Exception):
    """Refuse a request with a status, a message and, for bad input, the problems found."""

    def __init__(
        self,
        status: int,
        detail: str,
        problems: list[Problem] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems or []
        self.headers = headers or {}


def error_response(status: int, detail: str, problems: list[Problem] | None = None, **extra):
    body: dict[str, Any] = {"error": CODES.get(status, "error"), "detail": detail}
    if problems:
        body["problems"] = [p.to_json() for p in problems]
    response = jsonify(body | extra)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = REALM
    return response


def api_error(exc: ApiError):
    response = error_response(exc.status, exc.detail, exc.problems)
    response.headers.update(exc.headers)
    return response


def json_error(exc: HTTPException):
    """Return an HTTP error (404, 405, 413, 429, 500...) as the API's JSON error."""
    status = exc.code or 500
    response = error_response(status, describe(exc))
    for name, value in exc.get_headers():
        if name.lower() != "content-type":  # Allow (405), Retry-After, WWW-Authenticate...
            response.headers[name] = value
    return response


def describe(exc: HTTPException) -> str:
    if exc.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        return f"The request body is larger than this server accepts ({limit} bytes)."
    if exc.code == 429:
        return f"Too many requests with this token (limit: {exc.description}); wait and retry."
    if exc.code == 405:
        return "This URL does not accept that method; the Allow header lists the ones it does."
    if exc.code == 500:
        return "Something went wrong on the server. Please try again later."
    return exc.description or exc.name
