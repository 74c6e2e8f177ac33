"""Sign-in: refused without saying why, and `next` stays on this site."""

import pytest

from lms.extensions import db

REFUSED = "That email or employee number and password do not match an active account."


def test_sign_in_and_out(client, auth, erin):
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_pages_need_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("email", "password"),
    [("erin@example.com", "wrong password!"), ("nobody@example.com", "correct horse battery")],
)
def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, erin, email, password):
    response = auth.login(email, password)
    assert response.status_code == 401
    assert REFUSED in response.get_data(as_text=True)


def test_deactivated_employee_is_refused_the_same_way(client, auth, erin):
    erin.is_active = False
    db.session.commit()
    response = auth.login()
    assert response.status_code == 401 and REFUSED in response.get_data(as_text=True)


def test_deactivation_ends_an_open_session(client, auth, erin):
    auth.login()
    erin.is_active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_raising_session_version_signs_out_everywhere(client, auth, erin):
    auth.login()
    erin.session_version += 1
    db.session.commit()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/modules/x", "/modules/x"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
    ],
)
def test_next_only_redirects_within_the_site(client, auth, erin, next_url, expected):
    response = auth.login(next_url=next_url)
    assert response.headers["Location"] == expected


def test_passwords_are_hashed_with_argon2id(erin):
    assert erin.password_hash.startswith("$argon2id$")


def test_production_hash_parameters_meet_owasp(app):
    from config import Config

    # OWASP: argon2id with at least 19 MiB of memory, 2 iterations, 1 degree of parallelism.
    assert Config.ARGON2_MEMORY_COST >= 19 * 1024
    assert Config.ARGON2_TIME_COST >= 2
    assert Config.ARGON2_PARALLELISM >= 1


def test_login_form_needs_csrf_token(app, client, erin):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/login", data={"email": "erin@example.com", "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_is_rate_limited(app, erin):
    from lms import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    try:
        codes = [
            client.post("/login", data={"email": "x@example.com", "password": "y"}).status_code
            for _ in range(12)
        ]
    finally:
        with limited.app_context():
            db.engine.dispose()
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
