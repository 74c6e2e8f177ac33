"""Revoking cannot be undone, so HR must confirm they understand what it does."""

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AuditEvent
from tests.certificates.conftest import login


def revocations() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "certificate.revoked")
    )


def test_the_revoke_form_spells_out_the_consequences_and_asks_for_a_tick(client, erin_cert):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    page = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "This cannot be undone." in page
    assert "must read it, pass its quiz and sign again" in page
    assert 'type="checkbox"' in page and 'name="understood"' in page and "required" in page
    assert "I understand: the holder loses this completion and must take the module again" in page


def test_revoking_without_the_tick_is_refused_keeps_the_reason_and_changes_nothing(
    client, erin_cert
):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    response = client.post(f"/certificates/{code}/revoke", data={"reason": "Issued in error"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Tick the box to confirm you understand what revoking does." in page
    assert 'aria-invalid="true"' in page and "Issued in error</textarea>" in page
    assert client.get(f"/verify/{code}.json").json["status"] == "valid"
    assert revocations() == 0


def test_with_the_tick_it_is_revoked(client, erin_cert):
    code = erin_cert.certificate.code
    login(client, "hr@example.com")
    response = client.post(
        f"/certificates/{code}/revoke", data={"reason": "Issued in error", "understood": "y"}
    )
    assert response.status_code == 302
    assert client.get(f"/verify/{code}.json").json["status"] == "revoked"
    assert revocations() == 1
