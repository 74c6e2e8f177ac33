"""One JSON log line per request, tied together by a request id."""

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request
from sqlalchemy import inspect

logger = logging.getLogger("lms.request")

# An id from a proxy or client is kept only if it cannot forge or break a log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def request_id_from(header: str | None) -> str:
    """Return the caller's X-Request-ID when it is safe to log, else a new random id."""
    if header and SAFE_REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(16)


def signed_in_user_id() -> int | None:
    """Return the id of the user this request signed in, or None.

    Only a user the request already loaded: looking one up here would cost a query on
    requests (static files, health checks) that never needed it. The id comes from the
    identity the database session holds the user under, without touching attributes:
    after a commit those are expired, and reading one would load the row again.
    """
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    # The anonymous user is no database row: no state, so no id.
    return state.identity[0] if state is not None and state.identity else None


def register(app: Flask) -> None:
    if not app.config.get("LMS_REQUEST_LOG", True):
        return
    if not app.testing and not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # the line is already complete; don't print it twice

    @app.before_request
    def start_request_log() -> None:
        g.request_id = request_id_from(request.environ.get("HTTP_X_REQUEST_ID"))
        g.request_started = time.perf_counter()

    @app.after_request
    def write_request_log(response: Response) -> Response:
        request_id = g.get("request_id") or request_id_from(None)
        started = g.get("request_started", time.perf_counter())
        response.headers["X-Request-ID"] = request_id
        fields = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "user_id": signed_in_user_id(),
            "remote_addr": request.remote_addr,
        }
        if logger.isEnabledFor(logging.INFO):
            # The record made directly: Logger.info would also look up the calling
            # source line, a stack walk nobody reads for a line that is all data.
            line = json.dumps(fields)
            logger.handle(
                logger.makeRecord(logger.name, logging.INFO, __file__, 0, line, None, None)
            )
        return response
