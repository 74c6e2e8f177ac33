"""Who may see, download and revoke a certificate; everyone else gets a 404."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AuditEvent, Certificate
from tests.certificates.conftest import login

ROLES = {
    "erin@example.com": True,  # the holder
    "mo@example.com": True,  # her manager
    "boss@example.com": True,  # her manager's manager
    "hr@example.com": True,
    "olga@example.com": False,  # another team's manager
    "oscar@example.com": False,  # another employee
}


@pytest.mark.parametrize(("email", "allowed"), ROLES.items())
def test_pdf_download_is_for_holder_managers_and_hr_only(client, erin_cert, email, allowed):
    login(client, email)
    response = client.get(f"/certificates/{erin_cert.certificate.code}.pdf")
    assert response.status_code == (200 if allowed else 404)
    assert (response.mimetype == "application/pdf") is allowed
    page = client.get(f"/certificates/{erin_cert.certificate.code}")
    assert page.status_code == (200 if allowed else 404)


def test_anonymous_visitor_is_sent_to_sign_in_and_gets_no_pdf(client, erin_cert):
    response = client.get(f"/certificates/{erin_cert.certificate.code}.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("code", ["K7QD9XRMP2VAT3NB", "not-a-code", "%3Cscript%3E"])
def test_unknown_or_malformed_code_is_a_404(client, people, code):
    login(client, "hr@example.com")
    assert client.get(f"/certificates/{code}.pdf").status_code == 404
    assert client.get(f"/certificates/{code}").status_code == 404


def test_hr_revokes_with_a_reason_and_it_is_recorded(client, erin_cert):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    response = client.post(
        f"/certificates/{code}/revoke",
        data={"reason": "  Quiz taken by a colleague ", "understood": "y"},
    )
    assert response.status_code == 302
    page = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "is revoked" in page and "Quiz taken by a colleague" in page
    certificate = stored(code)
    assert certificate.revoke_reason == "Quiz taken by a colleague"
    assert certificate.revoked_by_id == db.session.scalar(
        select(AuditEvent.actor_id).where(AuditEvent.action == "certificate.revoked")
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoked"))
    assert event.user_id == certificate.user_id
    assert event.details == {
        "certificate_id": certificate.id,
        "code": code,
        "reason": "Quiz taken by a colleague",
    }
    verify = client.get(f"/verify/{code}.json").json
    assert verify["status"] == "revoked"
    assert "reason" not in str(verify)  # HR's note stays internal


@pytest.mark.parametrize(("email", "status"), [*ROLES.items()])
def test_a_revoked_pdf_is_served_to_hr_only(client, erin_cert, email, status):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    client.post(
        f"/certificates/{code}/revoke", data={"reason": "Issued in error", "understood": "y"}
    )
    login(client, email)
    response = client.get(f"/certificates/{code}.pdf")
    assert response.status_code == (200 if email == "hr@example.com" else 404)


def test_revoked_certificate_disappears_from_the_holders_dashboard(client, erin_cert):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    client.post(
        f"/certificates/{code}/revoke", data={"reason": "Issued in error", "understood": "y"}
    )
    login(client, "erin@example.com")
    assert code not in client.get("/").get_data(as_text=True)
    page = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "no longer available" in page and "Issued in error" not in page


def stored(code: str) -> Certificate:
    db.session.expire_all()  # requests run in their own session; drop what this one holds
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def revocations() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "certificate.revoked")
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_revoke_without_a_reason_is_refused_and_changes_nothing(client, erin_cert, reason):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    data = {"understood": "y"} | ({} if reason is None else {"reason": reason})
    response = client.post(f"/certificates/{code}/revoke", data=data)
    assert response.status_code == 400
    assert "Give a reason for revoking this certificate." in response.get_data(as_text=True)
    assert client.get(f"/verify/{code}.json").json["status"] == "valid"
    assert revocations() == 0


def test_a_second_revoke_is_refused_and_keeps_the_first(client, erin_cert):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    client.post(f"/certificates/{code}/revoke", data={"reason": "First reason", "understood": "y"})
    response = client.post(
        f"/certificates/{code}/revoke", data={"reason": "Second reason", "understood": "y"}
    )
    assert response.status_code == 409
    assert "already revoked on" in response.get_data(as_text=True)
    certificate = stored(code)
    assert certificate.revoke_reason == "First reason"
    assert revocations() == 1


@pytest.mark.parametrize("email", [e for e in ROLES if e != "hr@example.com"])
def test_only_hr_can_revoke(client, erin_cert, email):
    code = erin_cert.certificate.code
    login(client, email)
    response = client.post(
        f"/certificates/{code}/revoke", data={"reason": "Because", "understood": "y"}
    )
    assert response.status_code == 404
    assert client.get(f"/verify/{code}.json").json["status"] == "valid"
    assert revocations() == 0


def test_revoke_form_needs_a_csrf_token(app, client, erin_cert):
    login(client, "hr@example.com")
    app.config["WTF_CSRF_ENABLED"] = True
    code = erin_cert.certificate.code
    response = client.post(
        f"/certificates/{code}/revoke", data={"reason": "Forged", "understood": "y"}
    )
    assert response.status_code == 400
    assert revocations() == 0
