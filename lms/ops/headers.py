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
    headers = dict(HEADERS)
    if hsts_seconds:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    by_lower_name = [(name.lower(), name, value) for name, value in headers.items()]

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        # Only those the view has not set: a view that needs a different policy sets its own.
        # One pass over the response's headers, not one per header (a tenth of a cached page).
        present = {name.lower() for name in response.headers.keys()}
        response.headers.extend(
            [(name, value) for lower, name, value in by_lower_name if lower not in present]
        )
        return response
