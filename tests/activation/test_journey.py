"""An email-less hire from the CSV import to the certificate, through an activation letter.

DESIGN.md, "CSV import" and "Signing in": imported without an email, printed a
letter (the code read back from the PDF's text and its QR code), activated,
signed in with the employee number, module completed, certificate issued.
"""

import io
import re
from urllib.parse import urlsplit

from pypdf import PdfReader
from sqlalchemy import select

from lms.extensions import db
from lms.models import Certificate, User
from lms.models.base import utctoday
from tests.activation.conftest import code_on, page_qr, pdf_pages
from tests.factories import PASSWORD, make_employee
from tests.learn.test_flow import answers_for, start

PICKED = "harbour violet tractor spoon"


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else ""


def test_an_email_less_hire_gets_a_letter_activates_and_is_certified(client, synced, tmp_path):
    make_employee(email="hr@example.com", full_name="Hana Reyes", is_hr=True, employee_id="H1")
    client.post("/login", data={"email": "hr@example.com", "password": PASSWORD})

    # HR imports the HR system's file: Sam has no email.
    hired = utctoday().isoformat()
    data = (
        "employee_id,email,full_name,department,role,hire_date,manager_email\n"
        f"S-100,,Sam Till,Stores,Cashier,{hired},hr@example.com\n"
    ).encode()
    page = client.post(
        "/hr/import/",
        data={"file": (io.BytesIO(data), "hires.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    form = page[page.index('action="/hr/import/confirm"') :]
    fields = dict(
        re.findall(
            r'<input id="(staged_id|digest|partial)" name="\1" type="hidden" value="([^"]*)">', form
        )
    )
    response = client.post("/hr/import/confirm", data={**fields, "csrf_token": csrf_of(form)})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    sam = db.session.scalar(select(User).where(User.employee_id == "S-100"))
    assert sam is not None and sam.email is None

    # HR prints the new hires' letters.
    page = client.get("/hr/letters").get_data(as_text=True)
    assert "Sam Till" in page and "needs an activation letter" in page
    response = client.post("/hr/letters", data={"csrf_token": csrf_of(page), "new_only": "y"})
    assert response.mimetype == "application/pdf"
    [letter] = pdf_pages(response.data, tmp_path)
    assert "Sam Till" in letter and "S-100" in letter
    code = code_on(letter)
    [address] = page_qr(response.data, tmp_path)
    assert address == f"http://attest.test/activate?code={code}"
    client.post("/logout")

    # Sam scans the QR code on a store tablet, types the employee number, picks a password.
    scanned = urlsplit(address)
    page = client.get(f"{scanned.path}?{scanned.query}").get_data(as_text=True)
    assert f'value="{code}"' in page
    response = client.post(
        "/activate",
        data={
            "csrf_token": csrf_of(page),
            "employee_id": "S-100",
            "code": code,
            "password": PICKED,
            "confirm": PICKED,
        },
    )
    assert response.status_code == 302
    client.post("/logout")

    # From then on: the employee number and that password.
    response = client.post("/login", data={"email": "S-100", "password": PICKED})
    assert response.status_code == 302
    assert "Every Customer Served with Dignity" in client.get("/").get_data(as_text=True)
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt))
    response = client.post("/modules/dignity/sign", data={"full_name": "Sam Till"})
    assert response.status_code == 302
    assert "1 of 1 modules complete" in client.get("/").get_data(as_text=True)

    certificate = db.session.scalar(select(Certificate))
    assert certificate.user_id == sam.id
    pdf = client.get(f"/certificates/{certificate.code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Sam Till" in text and "Every Customer Served with Dignity" in text
