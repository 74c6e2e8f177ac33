"""Every completed cycle issues a certificate; renewal supersedes it; the PDF is rendered once."""

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from lms.certificates.codes import format_code
from lms.dates import format_date
from lms.extensions import db
from lms.models import AuditEvent, Certificate
from lms.models.base import utctoday
from tests.certificates.conftest import HIRED, certificate_of, complete_on, decode_qr, login


def test_completing_a_module_issues_a_certificate_and_records_it(people):
    completion = complete_on(people["erin"], utctoday())
    record = certificate_of(completion)
    certificate = record.certificate
    assert certificate.user_id == people["erin"].id
    assert certificate.holder_name == "Erin Example"
    assert certificate.issued_at == completion.completed_at
    assert len(certificate.code) == 16
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.issued"))
    assert event.user_id == people["erin"].id
    assert event.details["code"] == certificate.code
    assert event.details["completion_id"] == completion.id


def test_owner_downloads_a_pdf_that_reads_back_with_every_fact(client, people, erin_cert, tmp_path):
    login(client, "erin@example.com")
    code = erin_cert.certificate.code
    response = client.get(f"/certificates/{code}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"attachment; filename=certificate-dignity-{format_code(code)}.pdf"
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    completion = erin_cert.completion
    for expected in [
        "Erin Example",
        "Every Customer Served with Dignity",
        "Version 1 · quiz score 100%",
        f"{format_date(completion.completed_on)}",
        f"{format_date(completion.expires_on)}",
        format_code(code),
        "ATTEST DEMO LTD",
    ]:
        assert expected in text
    assert decode_qr(response.data, tmp_path) == [f"http://attest.test/verify/{code}"]


def test_the_pdf_is_rendered_once_then_served_from_the_database(client, people, erin_cert):
    login(client, "erin@example.com")
    code = erin_cert.certificate.code
    first = client.get(f"/certificates/{code}.pdf").data
    rendered_at = db.session.scalar(select(Certificate.rendered_at).where(Certificate.code == code))
    assert rendered_at is not None
    again = client.get(f"/certificates/{code}.pdf").data
    assert again == first
    stored = db.session.execute(
        select(Certificate.pdf, Certificate.rendered_at).where(Certificate.code == code)
    ).one()
    assert stored == (first, rendered_at)


def test_dashboard_and_module_page_link_to_my_certificate(client, people, erin_cert):
    login(client, "erin@example.com")
    link = f"/certificates/{erin_cert.certificate.code}.pdf"
    assert link in client.get("/").get_data(as_text=True)
    assert link in client.get("/modules/dignity").get_data(as_text=True)


def test_renewal_issues_a_new_certificate_and_the_old_one_verifies_as_superseded(client, people):
    erin = people["erin"]
    first = certificate_of(complete_on(erin, HIRED + timedelta(days=10)))
    assert client.get(f"/verify/{first.certificate.code}.json").json["status"] == "expired"
    second = certificate_of(complete_on(erin, utctoday()))
    assert second.certificate.code != first.certificate.code
    old = client.get(f"/verify/{first.certificate.code}.json").json
    new = client.get(f"/verify/{second.certificate.code}.json").json
    assert (old["status"], new["status"]) == ("superseded", "valid")
    assert old["superseded_at"] == second.completion.completed_at.isoformat()
    count = db.session.scalar(select(func.count()).select_from(Certificate))
    assert count == 2
    login(client, "erin@example.com")
    page = client.get("/").get_data(as_text=True)
    assert second.certificate.code in page and first.certificate.code not in page
