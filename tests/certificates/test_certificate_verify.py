"""The public verify pages: no login, every status, tolerant input, clear refusals, rate limited."""

from datetime import timedelta

import pytest

from lms.certificates.codes import format_code
from lms.dates import format_date
from tests.certificates.conftest import HIRED, certificate_of, complete_on, login


def test_verify_page_shows_status_and_every_fact_without_login(client, erin_cert):
    code = erin_cert.certificate.code
    completion = erin_cert.completion
    response = client.get(f"/verify/{code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for expected in [
        f"Certificate {format_code(code)}",
        "Valid",
        "Erin Example",
        "Every Customer Served with Dignity",
        "<td>1</td>",  # version
        f"{format_date(completion.completed_on)}",
        f"{format_date(completion.expires_on)}",
        "100%",
    ]:
        assert expected in page, expected


def test_verify_json_returns_the_same_facts(client, erin_cert):
    code = erin_cert.certificate.code
    completion = erin_cert.completion
    response = client.get(f"/verify/{code}.json")
    assert response.status_code == 200
    assert response.json == {
        "code": format_code(code),
        "status": "valid",
        "status_label": "Valid",
        "holder_name": "Erin Example",
        "module_title": "Every Customer Served with Dignity",
        "module_version": 1,
        "completed_on": completion.completed_on.isoformat(),
        "expires_on": completion.expires_on.isoformat(),
        "score": 100,
        "issued_at": completion.completed_at.isoformat(),
        "superseded_at": None,
        "revoked_at": None,
        "verify_url": f"http://attest.test/verify/{code}",
    }


def test_an_expired_certificate_verifies_as_expired(client, people):
    record = certificate_of(complete_on(people["erin"], HIRED + timedelta(days=10)))
    page = client.get(f"/verify/{record.certificate.code}").get_data(as_text=True)
    assert "Expired" in page
    assert f"expired on {format_date(record.completion.expires_on)}" in page


def test_a_revoked_certificate_verifies_as_revoked(client, erin_cert):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    client.post(
        f"/certificates/{code}/revoke", data={"reason": "Issued in error", "understood": "y"}
    )
    client.post("/logout")
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Revoked" in page and "must not be relied on" in page
    assert "Issued in error" not in page


def test_a_superseded_certificate_says_so_on_its_page(client, people):
    first = certificate_of(complete_on(people["erin"], HIRED + timedelta(days=10)))
    complete_on(people["erin"], HIRED + timedelta(days=400))
    page = client.get(f"/verify/{first.certificate.code}").get_data(as_text=True)
    assert "Superseded by a renewal" in page


@pytest.mark.parametrize(
    "typed",
    [
        "{grouped}",
        "{lower}",
        "{plain}",
        "  {lower_spaced}  ",
        "http://attest.test/verify/{grouped}",
    ],
)
def test_verify_form_accepts_a_typed_code_however_it_is_written(client, erin_cert, typed):
    code = erin_cert.certificate.code
    grouped = format_code(code)
    typed = typed.format(
        grouped=grouped,
        lower=grouped.lower(),
        plain=code,
        lower_spaced=grouped.lower().replace("-", " "),
    )
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{code}"


def test_verify_form_is_offered_empty(client):
    page = client.get("/verify").get_data(as_text=True)
    assert "Certificate code" in page and 'name="code"' in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the code printed on the certificate."),
        ("K7QD-9XRM", "That is not a certificate code"),
        ("<b>bold</b>", "That is not a certificate code"),
    ],
)
def test_verify_form_explains_a_malformed_code(client, typed, message):
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "<b>bold</b>" not in page


def test_a_lower_case_or_dashed_verify_link_redirects_to_the_canonical_page(client, erin_cert):
    code = erin_cert.certificate.code
    response = client.get(f"/verify/{format_code(code).lower()}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/verify/{code}"


def test_an_unknown_code_is_no_such_certificate(client, people):
    response = client.get("/verify/K7QD9XRMP2VAT3NB")
    assert response.status_code == 404
    assert "No such certificate" in response.get_data(as_text=True)
    response = client.get("/verify/K7QD9XRMP2VAT3NB.json")
    assert response.status_code == 404
    assert response.json == {
        "error": "not_found",
        "detail": "No such certificate: check the code and try again.",
    }


@pytest.mark.parametrize("code", ["abc", "K7QD-9XRM-P2VA-T3NU", "%3Cscript%3E"])
def test_a_malformed_code_is_a_404_with_an_explanation(client, people, code):
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "That is not a certificate code" in response.get_data(as_text=True)
    response = client.get(f"/verify/{code}.json")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"
    assert response.json["detail"].startswith("That is not a certificate code")


def test_verification_is_rate_limited_per_address(app, erin_cert):
    from lms import create_app
    from lms.extensions import db

    limited = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "LMS_VERIFY_RATE_LIMIT": "5 per minute"}
    )
    client = limited.test_client()
    code = erin_cert.certificate.code
    try:
        codes = [client.get(f"/verify/{code}").status_code for _ in range(5)]
        assert codes == [200] * 5
        response = client.get(f"/verify/{code}")
        assert response.status_code == 429
        assert "Too many verification requests" in response.get_data(as_text=True)
        response = client.get(f"/verify/{code}.json")  # one budget for every verify page
        assert response.status_code == 429
        assert response.json["error"] == "rate_limited"
        other = client.get(f"/verify/{code}", environ_base={"REMOTE_ADDR": "192.0.2.77"})
        assert other.status_code == 200
    finally:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()
