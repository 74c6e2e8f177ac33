"""Running in production: proxy headers, security headers, request logs and health checks."""

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

PROXY_HEADERS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


def register(app: Flask) -> None:
    """Install the operational middleware, hooks and the health-check endpoints."""
    from lms.extensions import limiter
    from lms.ops import badinput, headers, health, requestlog

    trusted = {name: app.config.get(f"LMS_PROXY_FIX_{name.upper()}", 0) for name in PROXY_HEADERS}
    if any(trusted.values()):
        # Only trust as many X-Forwarded-* hops as there are proxies we run; more is spoofable.
        app.wsgi_app = ProxyFix(app.wsgi_app, **trusted)
    requestlog.register(app)
    badinput.register(app)
    headers.register(app)
    app.register_error_handler(SecurityError, untrusted_host)
    limiter.exempt(health.bp)
    app.register_blueprint(health.bp)


def untrusted_host(exc: SecurityError):
    # A Host outside TRUSTED_HOSTS fails before URL matching, so the HTML error page
    # (which builds links) cannot render; answer in plain text.
    return (
        "Bad request: this server does not serve that host name.\n",
        400,
        {"Content-Type": "text/plain; charset=utf-8"},
    )
