"""Production settings: explicit environment, mandatory secret, secure cookies, host checks."""

import os
import re
import subprocess
import sys

import pytest

from config import config_name
from tests.factories import PASSWORD, make_employee
from tests.ops.support import PROJECT


@pytest.mark.parametrize(
    ("lms_env", "flask_debug", "expected"),
    [
        (None, None, "production"),
        (None, "0", "production"),
        (None, "1", "development"),
        ("development", None, "development"),
        ("testing", None, "testing"),
        ("production", "1", "production"),
        (" Production ", None, "production"),
    ],
)
def test_environment_is_production_unless_told_otherwise(
    monkeypatch, lms_env, flask_debug, expected
):
    for name, value in [("LMS_ENV", lms_env), ("FLASK_DEBUG", flask_debug)]:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert config_name() == expected


def test_an_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "staging")
    with pytest.raises(RuntimeError, match="LMS_ENV='staging'"):
        config_name()


def start_app(**env_overrides) -> subprocess.CompletedProcess:
    env = {**os.environ, "LMS_CONTENT_DIR": str(PROJECT / "content")} | env_overrides
    env.pop("FLASK_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", "from lms import create_app; create_app(); print('started')"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    # SECRET_KEY="" also beats any value a developer's .env would supply.
    result = start_app(
        LMS_ENV="production", SECRET_KEY="", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_no_environment_and_no_secret_key_is_production_and_refused(tmp_path):
    result = start_app(LMS_ENV="", SECRET_KEY="", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_development_starts_without_secret_key(tmp_path):
    result = start_app(
        LMS_ENV="development", SECRET_KEY="", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def cookie_attributes(response, name: str) -> set[str]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return {part.strip().lower() for part in header.split(";")[1:]}
    raise AssertionError(f"no {name} cookie set")


def test_production_cookies_are_secure_httponly_and_samesite(make_app):
    app = make_app("production")
    with app.app_context():
        make_employee()
    client = app.test_client()
    https = "https://attest.example.com"  # the test client, like a browser, keeps Secure cookies off http
    form = client.get("/login", base_url=https)
    assert {"secure", "httponly", "samesite=lax"} <= cookie_attributes(form, "session")
    response = client.post(
        "/login",
        base_url=https,
        headers={"Referer": f"{https}/login"},  # Flask-WTF checks it on https
        data={
            "email": "erin@example.com",
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": csrf_token(form.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    assert {"secure", "httponly", "samesite=lax"} <= cookie_attributes(response, "session")
    assert {"secure", "httponly", "samesite=lax"} <= cookie_attributes(response, "remember_token")


def test_production_keeps_csrf_protection_on(make_app):
    app = make_app("production")
    with app.app_context():
        make_employee()
    response = app.test_client().post(
        "/login", data={"email": "erin@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_only_trusted_hosts_are_served_when_configured(make_app):
    client = make_app("production", TRUSTED_HOSTS=["attest.example.com"]).test_client()
    assert client.get("/login", headers={"Host": "attest.example.com"}).status_code == 200
    refused = client.get("/login", headers={"Host": "evil.example.net"})
    assert refused.status_code == 400
    assert "does not serve that host name" in refused.get_data(as_text=True)


def test_any_host_is_served_when_trusted_hosts_is_not_configured(make_app):
    client = make_app("production").test_client()
    assert client.get("/login", headers={"Host": "attest.example.org"}).status_code == 200


def test_a_request_body_over_the_limit_is_refused(make_app):
    app = make_app("testing", MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/login", data={"email": "x" * 2048, "password": "y"})
    assert response.status_code == 413


def test_production_limits_request_bodies_by_default(make_app):
    assert make_app("production").config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024


@pytest.mark.parametrize(("trusted_hops", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_client_address_comes_from_the_proxy_only_when_configured(
    make_app, request_log, trusted_hops, expected
):
    app = make_app("production", LMS_PROXY_FIX_X_FOR=trusted_hops)
    app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert request_log[-1]["remote_addr"] == expected
