"""One JSON log line per request, tied together by a request id.

Who writes the line depends on the server. Under gunicorn with gunicorn.conf.py it is
gunicorn's access line (lms.ops.gunicorn_log.RequestLogger), written once the response
is sent: one line per request rather than gunicorn's own text line beside the app's,
and its duration covers sending the response too (gunicorn times the request itself).
The app hands over what only it knows (the request id and the signed-in person) in the
WSGI environ. Under any other server (`flask run`, the test client, another WSGI
server) the app writes the same line itself.
LMS_REQUEST_LOG says which: "app" (the default), "gunicorn" (gunicorn.conf.py sets it
unless the environment already does) or "off".
"""

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request

from lms.web.signed_in import SignedInPerson

logger = logging.getLogger("lms.request")

MODES = ("app", "gunicorn", "off")
# The app's part of the line, left in the WSGI environ for the server: (request id, user id).
ENVIRON_KEY = "lms.request_log"

# An id from a proxy or client is kept only if it cannot forge or break a log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def request_id_from(header: str | None) -> str:
    """Return the caller's X-Request-ID when it is safe to log, else a new random id."""
    if header and SAFE_REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(16)


def signed_in_user_id() -> int | None:
    """Return the id of the person this request signed in, or None.

    Only a person the request already loaded: looking one up here would cost a query on
    requests (static files, health checks) that never needed it.
    """
    user = g.get("_login_user")  # Flask-Login's (private; tests/ops/test_library_seams.py)
    return user.id if isinstance(user, SignedInPerson) else None


def log_line(
    environ: dict,
    status: int | None,
    duration_s: float,
    request_id: str | None,
    user_id: int | None,
) -> str:
    """Return the request's JSON line; the same fields whichever side writes it."""
    # The path as the client asked for it, without the query string (it may carry tokens);
    # WSGI hands it over as Latin-1 text of the URL's bytes, which are UTF-8.
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return json.dumps(
        {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id,
            "method": environ.get("REQUEST_METHOD"),
            "path": path.encode("latin-1", "replace").decode("utf-8", "replace"),
            "status": status,
            "duration_ms": round(duration_s * 1000, 2),
            "user_id": user_id,
            "remote_addr": environ.get("REMOTE_ADDR"),  # after ProxyFix, when configured
        }
    )


def emit(log: logging.Logger, line: str) -> None:
    """Hand `line` to `log`'s handlers at INFO, if it logs INFO."""
    if log.isEnabledFor(logging.INFO):
        # The record made directly: Logger.info would also look up the calling source
        # line, a stack walk nobody reads for a line that is all data.
        log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, line, None, None))


def register(app: Flask) -> None:
    mode = app.config.get("LMS_REQUEST_LOG", "app")
    if mode not in MODES:
        raise RuntimeError(f"LMS_REQUEST_LOG must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return
    if mode == "app" and not app.testing and not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # the line is already complete; don't print it twice

    @app.before_request
    def start_request_log() -> None:
        g.request_id = request_id_from(request.environ.get("HTTP_X_REQUEST_ID"))
        if mode == "app":  # under gunicorn, gunicorn times the request
            g.request_started = time.perf_counter()

    @app.after_request
    def finish_request_log(response: Response) -> Response:
        request_id = g.get("request_id") or request_id_from(None)
        response.headers["X-Request-ID"] = request_id
        if mode == "gunicorn":
            request.environ[ENVIRON_KEY] = (request_id, signed_in_user_id())
        else:
            started = g.get("request_started", time.perf_counter())
            line = log_line(
                request.environ,
                response.status_code,
                time.perf_counter() - started,
                request_id,
                signed_in_user_id(),
            )
            emit(logger, line)
        return response
