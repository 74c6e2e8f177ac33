"""LMS_SSO_ONLY: password sign-in for HR only (break-glass); everyone else through the provider."""

import pytest

from lms.models import UserSession
from tests.factories import PASSWORD, make_employee

ISSUER = "https://id.example.com"  # never asked: these tests stop before the provider


@pytest.fixture
def sso_only(app):
    app.config.update(
        OIDC_ISSUER=ISSUER,
        OIDC_CLIENT_ID="attest",
        OIDC_CLIENT_SECRET="secret",  # noqa: S106
        LMS_SSO_ONLY=True,
    )
    make_employee(email="erin@example.com")
    make_employee(email="hana@example.com", full_name="Hana HR", is_hr=True)
    return app


def sign_in(client, email):
    return client.post("/login", data={"email": email, "password": PASSWORD})


def test_the_sign_in_page_shows_only_the_company_account_button(sso_only, client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your company account" in page
    assert 'name="password"' not in page
    assert "/login?with=password" in page  # HR's way in


def test_hr_reaches_the_password_form_and_signs_in_with_it(sso_only, client):
    page = client.get("/login?with=password").get_data(as_text=True)
    assert 'name="password"' in page
    assert "for HR only" in page
    response = sign_in(client, "hana@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/hr/"


def test_an_employee_with_the_right_password_is_refused_like_a_wrong_one(sso_only, client):
    response = sign_in(client, "erin@example.com")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert UserSession.query.count() == 0


def test_without_a_provider_set_up_sso_only_changes_nothing(app, client):
    app.config["LMS_SSO_ONLY"] = True  # but no OIDC_ISSUER: nobody could sign in otherwise
    make_employee(email="erin@example.com")
    assert 'name="password"' in client.get("/login").get_data(as_text=True)
    assert sign_in(client, "erin@example.com").status_code == 302


def test_the_button_carries_where_to_go_next(sso_only, client):
    page = client.get("/login?next=/account/password").get_data(as_text=True)
    assert "/auth/oidc/login?next=/account/password" in page
