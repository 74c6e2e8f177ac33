"""gunicorn's logger with the request's JSON line (lms.ops.requestlog) as its access line.

gunicorn.conf.py names it as `logger_class`. Only gunicorn imports this module.
"""

from gunicorn.glogging import Logger

from lms.ops.requestlog import ENVIRON_KEY, emit, log_line


class RequestLogger(Logger):
    """Everything but the access line is gunicorn's: where the access log goes
    (`accesslog`), reopening it on USR1, the error log. A request the app never saw
    (a malformed one, or another app run under the same settings) still gets its line,
    without request id or person.
    """

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        request_id, user_id = environ.get(ENVIRON_KEY, (None, None))
        status = getattr(resp, "status_code", None)  # set by start_response, if it was called
        try:
            line = log_line(environ, status, request_time.total_seconds(), request_id, user_id)
            emit(self.access_log, line)
        except Exception:
            self.exception("Error writing the request's log line")
