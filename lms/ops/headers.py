"""Security headers on every response (OWASP secure headers project)."""

from flask import Flask, Response

# No inline scripts or styles anywhere: templates use classes and static files only.
# Images may be data: URIs (QR codes); frames and plugins are never needed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    # Invitation and reset links carry tokens in the path; never send them to other sites.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def register(app: Flask) -> None:
    hsts_seconds = app.config.get("LMS_HSTS_SECONDS", 0)
    hsts = f"max-age={hsts_seconds}; includeSubDomains" if hsts_seconds else None

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        # setdefault: a view that needs a different policy can set its own header.
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
