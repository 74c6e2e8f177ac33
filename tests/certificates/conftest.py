"""People in a small hierarchy and a helper that completes the quiz module as the learner would."""

import random
import subprocess
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from lms.certificates.operations import CertificateRecord, find_certificate
from lms.extensions import db
from lms.learn.operations import (
    current_version,
    cycle_attempts,
    progress_of,
    sign_attestation,
    start_attempt,
    submit_attempt,
)
from lms.models import Assignment, Certificate, Choice, Completion
from lms.models.base import utctoday
from tests.factories import make_employee

HIRED = utctoday() - timedelta(days=800)  # first cycle (due hire + 30 days) expired long ago


@pytest.fixture
def people(synced):
    """HR; boss > mo > erin; olga > oscar (another team)."""
    make = make_employee
    return {
        "hr": make(email="hr@example.com", full_name="Hana Reyes", is_hr=True, department="People"),
        "boss": make(email="boss@example.com", full_name="Bea Boss", department="Management"),
        "mo": make(
            email="mo@example.com", full_name="Mo Manager", manager_email="boss@example.com"
        ),
        "erin": make(hire_date=HIRED, today=HIRED, manager_email="mo@example.com"),
        "olga": make(email="olga@example.com", full_name="Olga Other", department="Online"),
        "oscar": make(
            email="oscar@example.com", full_name="Oscar Other", manager_email="olga@example.com"
        ),
    }


def complete_on(user, day: date) -> Completion:
    """Pass the quiz and sign the attestation as `user` on `day`."""
    db.session.expire_all()
    assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == user.id))
    version = current_version(assignment.module_id)
    now = datetime.combine(day, time(10), tzinfo=UTC)
    progress = progress_of(assignment, version, cycle_attempts(assignment), day)
    attempt = start_attempt(progress, day, random.Random(7))
    answers = {}
    for item in attempt.drawn:
        answers[str(item["question_id"])] = [
            str(c)
            for c in db.session.scalars(
                select(Choice.id).where(
                    Choice.question_id == item["question_id"], Choice.is_correct
                )
            )
        ]
    submit_attempt(attempt, answers, now=now)
    progress = progress_of(assignment, version, cycle_attempts(assignment), day)
    completion = sign_attestation(
        progress, user, user.full_name, ip_address="192.0.2.1", user_agent="pytest", now=now
    )
    db.session.commit()
    return completion


def certificate_of(completion: Completion) -> CertificateRecord:
    code = db.session.scalar(
        select(Certificate.code).where(Certificate.completion_id == completion.id)
    )
    return find_certificate(code)


@pytest.fixture
def erin_cert(people) -> CertificateRecord:
    """Erin's certificate, completed today: valid."""
    return certificate_of(complete_on(people["erin"], utctoday()))


def login(client, email):
    from tests.factories import PASSWORD

    client.post("/logout")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def decode_qr(pdf: bytes, tmp_path) -> list[str]:
    """Rasterise the PDF's page (poppler's pdftoppm) and decode every QR code on it (zbarimg)."""
    pdf_path = tmp_path / "certificate.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", pdf_path, tmp_path / "page"], check=True
    )
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", tmp_path / "page.png"], capture_output=True, text=True
    )
    return result.stdout.split()
