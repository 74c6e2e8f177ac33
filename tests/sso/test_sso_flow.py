"""Single sign-on through a real OpenID provider (npm's oidc-provider), driven over HTTP.

Every refusal must leave nobody signed in: no session row, and the browser's next
request is sent to the sign-in page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AuditEvent, UserSession
from tests.factories import make_employee
from tests.hr.importing import csv_bytes, row
from tests.sso.support import sign_in_through_provider, to_callback

PAGE_DETAIL = re.compile(r"(?i)invalid_grant|mismatching|jwt|token|exception|traceback|aud\b")


@pytest.fixture
def ada(app):
    return make_employee(email="ada@example.com", full_name="Ada Lovelace", employee_id="E100")


def signed_in_as(http: requests.Session, base: str) -> str | None:
    """Whose name the home page shows, or None if it sends the browser to sign in."""
    response = http.get(base + "/", allow_redirects=False, timeout=10)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return None
    match = re.search(r'<span class="who">([^<]+)</span>', response.text)
    return match.group(1) if match else None


def session_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(UserSession))


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def assert_refused(response, http, base, words: str) -> None:
    assert response.status_code == 403
    assert words in response.text
    assert not PAGE_DETAIL.search(response.text.split("<main", 1)[1])
    assert signed_in_as(http, base) is None
    assert session_count() == 0


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_known_person_signs_in_through_the_provider(sso, ada):
    http = requests.Session()
    response = sign_in_through_provider(http, sso, "ada", "/auth/oidc/login?next=/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    assert signed_in_as(http, sso) == "Ada Lovelace"
    (session,) = db.session.scalars(select(UserSession)).all()
    assert session.user_id == ada.id and session.revoked_at is None and not session.is_remembered
    (event,) = events("sso.signed_in")
    assert event.user_id == ada.id
    assert event.details == {"claim": "email", "value": "ada@example.com", "subject": "ada"}


def test_the_sign_in_page_offers_the_provider(sso):
    page = requests.get(sso + "/login", timeout=10).text
    assert "Sign in with your company account" in page
    assert 'name="password"' in page  # both, without LMS_SSO_ONLY


def test_someone_the_provider_knows_but_attest_does_not_is_refused_naming_hr(sso, ada):
    http = requests.Session()
    response = sign_in_through_provider(http, sso, "stranger")
    assert_refused(response, http, sso, "Please ask HR to add you")
    assert "stranger@example.com" in response.text  # what to tell HR
    (event,) = events("sso.refused")
    assert event.user_id is None
    assert event.details["reason"] == "unknown"
    assert event.details["value"] == "stranger@example.com"


def test_a_wrong_state_is_refused_with_the_detail_in_the_log_only(sso, ada, caplog):
    http = requests.Session()
    callback = to_callback(http, sso, "ada", "/auth/oidc/login")
    response = http.get(with_query(callback, state="not-the-one-we-sent"), allow_redirects=False)
    assert_refused(response, http, sso, "did not work this time")
    assert events("sso.refused") == [] and events("sso.signed_in") == []
    assert "sso: refused (provider)" in caplog.text and "mismatching_state" in caplog.text
    assert "mismatching_state" not in response.text


def test_a_sign_in_the_provider_turns_down_is_refused(sso, ada):
    """The person gave up or was refused at the provider: it answers `error=access_denied`."""
    http = requests.Session()
    callback = to_callback(http, sso, "not-an-account-there", "/auth/oidc/login")
    assert "error=access_denied" in callback
    response = http.get(callback, allow_redirects=False)
    assert_refused(response, http, sso, "did not work this time")


def test_a_callback_without_a_sign_in_started_here_is_refused(sso, ada):
    """Another browser's callback URL (a login CSRF): this browser never sent that state."""
    callback = to_callback(requests.Session(), sso, "ada", "/auth/oidc/login")
    http = requests.Session()
    assert_refused(http.get(callback, allow_redirects=False), http, sso, "did not work this time")


def test_a_replayed_code_is_refused_by_the_provider(sso, ada):
    """The same code and state again, with the session cookie from before it was used.

    The state still checks out (it travels in the signed cookie); the provider refuses
    the code the second time, so nobody is signed in by the replay.
    """
    http = requests.Session()
    callback = to_callback(http, sso, "ada", "/auth/oidc/login")
    cookies_before = http.cookies.copy()
    assert http.get(callback, allow_redirects=False).status_code == 302
    attacker = requests.Session()
    attacker.cookies.update(cookies_before)
    response = attacker.get(callback, allow_redirects=False)
    assert response.status_code == 403
    assert "did not work this time" in response.text
    assert signed_in_as(attacker, sso) is None
    assert session_count() == 1  # Ada's own, from the first use


def test_an_id_token_for_another_audience_is_refused(sso, oidc_provider, ada):
    http = requests.Session()
    with oidc_provider.mode(audience="some-other-app"):
        response = sign_in_through_provider(http, sso, "ada")
    assert_refused(response, http, sso, "did not work this time")


def test_an_id_token_for_another_audience_naming_us_as_authorized_party_is_refused(
    sso, oidc_provider, ada
):
    """Authlib alone would take it (it checks the audience only through `azp`)."""
    http = requests.Session()
    with oidc_provider.mode(audience=["some-other-app"], azp="attest"):
        response = sign_in_through_provider(http, sso, "ada")
    assert_refused(response, http, sso, "did not work this time")


def test_an_id_token_not_signed_by_the_provider_is_refused(sso, oidc_provider, ada):
    http = requests.Session()
    with oidc_provider.mode(forged=True):
        response = sign_in_through_provider(http, sso, "ada")
    assert_refused(response, http, sso, "did not work this time")


def test_an_expired_id_token_is_refused(sso, oidc_provider, ada):
    http = requests.Session()
    with oidc_provider.mode(shiftSeconds=-3600):  # issued an hour ago, expired 50 minutes ago
        response = sign_in_through_provider(http, sso, "ada")
    assert_refused(response, http, sso, "did not work this time")


def test_an_id_token_a_little_old_is_accepted_within_the_clock_leeway(sso, oidc_provider, ada):
    http = requests.Session()
    with oidc_provider.mode(shiftSeconds=-650):  # expired 50 s ago: clocks differ that much
        response = sign_in_through_provider(http, sso, "ada")
    assert response.status_code == 302
    assert signed_in_as(http, sso) == "Ada Lovelace"


def test_an_account_without_the_matched_claim_is_refused(sso, ada):
    http = requests.Session()
    response = sign_in_through_provider(http, sso, "nomail")
    assert_refused(response, http, sso, "did not tell Attest who you are")
    assert "email address" in response.text
    (event,) = events("sso.refused")
    assert event.details["reason"] == "missing_claim"


def test_an_email_the_provider_has_not_verified_is_refused(sso, ada):
    http = requests.Session()
    response = sign_in_through_provider(http, sso, "unverified")
    assert_refused(response, http, sso, "has not been confirmed")


def test_a_terminated_person_is_refused(sso, app, runner):
    make_employee(email="tess@example.com", full_name="Tess Gone", employee_id="E200")
    hires = app.instance_path + "/leavers.csv"
    header = "employee_id,email,full_name,department,role,hire_date,manager_email,status"
    with open(hires, "wb") as out:
        out.write(
            csv_bytes(row("E200", "tess@example.com", "Tess Gone") + ",terminated", header=header)
        )
    result = runner.invoke(args=["lms", "import-hires", hires])
    assert result.exit_code == 0, result.output
    http = requests.Session()
    response = sign_in_through_provider(http, sso, "tess")
    assert_refused(response, http, sso, "Your Attest account is closed")
    (event,) = events("sso.refused")
    assert event.details["reason"] == "terminated" and event.user_id is not None


def test_signing_out_ends_a_single_sign_on_session(sso, ada):
    http = requests.Session()
    sign_in_through_provider(http, sso, "ada")
    page = http.get(sso + "/", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = http.post(sso + "/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302
    assert signed_in_as(http, sso) is None
    db.session.expire_all()
    (session,) = db.session.scalars(select(UserSession)).all()
    assert session.revoked_at is not None


def test_leaving_the_organisation_ends_a_single_sign_on_session(sso, app, runner):
    make_employee(email="tess@example.com", full_name="Tess Gone", employee_id="E200")
    http = requests.Session()
    sign_in_through_provider(http, sso, "tess")
    assert signed_in_as(http, sso) == "Tess Gone"
    hires = app.instance_path + "/leavers.csv"
    header = "employee_id,email,full_name,department,role,hire_date,manager_email,status"
    with open(hires, "wb") as out:
        out.write(
            csv_bytes(row("E200", "tess@example.com", "Tess Gone") + ",terminated", header=header)
        )
    assert runner.invoke(args=["lms", "import-hires", hires]).exit_code == 0
    assert signed_in_as(http, sso) is None


def test_matching_by_employee_id_takes_a_number_claim(sso, app):
    app.config["OIDC_MATCH_CLAIM"] = "employee_id"
    make_employee(email="nomail@example.com", full_name="Nomi Mail", employee_id="300")
    http = requests.Session()
    response = sign_in_through_provider(http, sso, "nomail")
    assert response.status_code == 302
    assert signed_in_as(http, sso) == "Nomi Mail"


def test_a_failed_sign_in_signs_out_whoever_was_signed_in_in_that_browser(sso, ada):
    http = requests.Session()
    sign_in_through_provider(http, sso, "ada")
    assert signed_in_as(http, sso) == "Ada Lovelace"
    response = http.get(sso + "/auth/oidc/login", allow_redirects=False, timeout=10)
    assert response.headers["Location"] == "/"  # already signed in: sent on, the provider not asked
    callback = to_callback(requests.Session(), sso, "stranger", "/auth/oidc/login")
    response = http.get(callback, allow_redirects=False)
    assert response.status_code == 403
    assert signed_in_as(http, sso) is None


def test_a_provider_that_cannot_be_reached_gets_a_plain_refusal(app, client, app_port):
    app.config.update(
        OIDC_ISSUER=f"http://127.0.0.1:{app_port}/nobody-here",  # nothing listens
        OIDC_CLIENT_ID="attest",
        OIDC_CLIENT_SECRET="secret",  # noqa: S106
        OIDC_TIMEOUT_S=2,
    )
    response = client.get("/auth/oidc/login")
    assert response.status_code == 403
    assert b"did not work this time" in response.data


def test_discovery_naming_another_issuer_is_refused(sso, app, oidc_provider):
    app.config["OIDC_ISSUER"] = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    response = requests.get(sso + "/auth/oidc/login", allow_redirects=False, timeout=10)
    assert response.status_code == 403
    assert "did not work this time" in response.text


def test_single_sign_on_is_not_there_until_set_up(client):
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404
    assert b"company account" not in client.get("/login").data


def sign_out(http, base):
    page = http.get(base + "/", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    http.post(base + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=10)


def test_on_a_shared_device_the_provider_asks_who_it_is_every_time(sso, app, ada):
    """Without it, the next person would be signed in as the last, by the provider's session."""
    app.config["LMS_IDLE_SIGNOUT_MINUTES"] = 5
    tablet = requests.Session()
    sign_in_through_provider(tablet, sso, "ada")
    sign_out(tablet, sso)
    response = sign_in_through_provider(tablet, sso, "stranger")  # the form was shown again
    assert response.status_code == 403 and "Please ask HR to add you" in response.text
    assert signed_in_as(tablet, sso) is None


def test_elsewhere_the_providers_own_sign_in_carries_on(sso, ada):
    laptop = requests.Session()
    sign_in_through_provider(laptop, sso, "ada")
    sign_out(laptop, sso)
    response = sign_in_through_provider(laptop, sso, "stranger")  # no form: still Ada there
    assert response.status_code == 302
    assert signed_in_as(laptop, sso) == "Ada Lovelace"
