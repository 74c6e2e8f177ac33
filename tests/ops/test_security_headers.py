"""Security headers on every response, and templates that a strict CSP does not break."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "lms" / "templates"


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.parametrize(
    ("path", "status"),
    [("/login", 200), ("/healthz", 200), ("/static/css/app.css", 200), ("/no-such-page", 404)],
)
def test_every_response_carries_the_security_headers(client, path, status):
    response = client.get(path)
    response.close()  # a static file response holds the file open
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert csp_directives(response)["frame-ancestors"] == ["'none'"]


def test_csp_allows_no_inline_scripts_or_styles(client):
    directives = csp_directives(client.get("/login"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


def test_hsts_is_sent_in_production(make_app):
    response = make_app("production").test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("env", ["development", "testing"])
def test_hsts_is_not_sent_outside_production(make_app, env):
    # HSTS pins the host to HTTPS for a year; a developer's localhost must not get that.
    assert "Strict-Transport-Security" not in make_app(env).test_client().get("/login").headers


def test_a_view_may_set_its_own_policy(make_app):
    app = make_app("testing")

    @app.get("/own-policy")
    def own_policy():
        return "ok", 200, {"Content-Security-Policy": "default-src 'none'"}

    response = app.test_client().get("/own-policy")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def browser_templates() -> list[Path]:
    # Email bodies (mail/, inline styles are how email is styled) and templates WeasyPrint
    # turns into PDFs (they carry @page rules) never reach a browser; the CSP is not theirs.
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.relative_to(TEMPLATES).parts[0] != "mail"
        and "@page" not in path.read_text(encoding="utf-8")
    ]


@pytest.mark.parametrize(
    "template", browser_templates(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_templates_have_nothing_the_csp_would_block(template):
    text = template.read_text(encoding="utf-8")
    problems = [
        f"line {text.count(chr(10), 0, match.start()) + 1}: {what}"
        for pattern, what in INLINE
        for match in pattern.finditer(text)
    ]
    assert not problems, "; ".join(problems)
