"""One person's transcript: every cycle, attempt, attestation, completion and certificate, and its CSV."""

import csv
import io
import random
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learn.operations import (
    current_version,
    cycle_attempts,
    progress_of,
    sign_attestation,
    start_attempt,
    submit_attempt,
)
from lms.models import Choice, Completion


def take(assignment, user, day, *, fail_first=False):
    """Do a module as the employee would on `day`: fail once if asked, pass, sign."""
    version = current_version(assignment.module_id)
    now = datetime.combine(day, time(10), tzinfo=UTC)
    for right in [False, True] if fail_first else [True]:
        progress = progress_of(assignment, version, cycle_attempts(assignment), day)
        attempt = start_attempt(progress, day, random.Random(1))
        answers = {}
        for item in attempt.drawn:
            correct = db.session.scalars(
                select(Choice.id).where(
                    Choice.question_id == item["question_id"], Choice.is_correct
                )
            ).all()
            wrong = [c for c in item["choice_ids"] if c not in correct][:1]
            answers[str(item["question_id"])] = [str(c) for c in (correct if right else wrong)]
        submit_attempt(attempt, answers, now=now)
    progress = progress_of(assignment, version, cycle_attempts(assignment), day)
    sign_attestation(
        progress, user, user.full_name, ip_address="198.51.100.7", user_agent="Browser/1.0", now=now
    )
    db.session.commit()


@pytest.fixture
def history(org):
    """Cleo completes dignity twice (a renewal) after failing once the first time."""
    a = org.assignment(org.emp_b1, "dignity")
    a.completed_on = a.expires_on = a.renewal_opens_on = None
    a.due_date = org.today - timedelta(days=400)
    db.session.commit()
    take(a, org.emp_b1, org.today - timedelta(days=390), fail_first=True)
    take(a, org.emp_b1, org.today - timedelta(days=1))
    return a


def test_transcript_lists_every_cycle_attempt_signature_and_certificate(org, login, history):
    page = login(org.hr).get(f"/hr/people/{org.emp_b1.id}").get_data(as_text=True)
    assert "Cleo Castillo" in page and "Priya Nair" in page  # the person and their manager
    assert "3 quiz attempts" in page
    assert "failed" in page and "passed" in page
    assert "2 signed attestations" in page
    assert "198.51.100.7" in page and "Browser/1.0" in page
    assert "I will treat every customer with dignity." in page
    assert "superseded" in page
    completions = db.session.scalars(
        select(Completion).where(Completion.user_id == org.emp_b1.id).order_by(Completion.id)
    ).all()
    assert len(completions) == 2
    from lms.models import Certificate

    codes = db.session.scalars(select(Certificate.code).where(Certificate.user_id == org.emp_b1.id))
    for code in codes:
        assert f"{code[:4]}-{code[4:8]}" in page


def test_transcript_shows_hr_the_audit_events_and_email(org, login, history):
    page = login(org.hr).get(f"/hr/people/{org.emp_b1.id}").get_data(as_text=True)
    assert "Recent activity" in page
    for action in (
        "attempt.started",
        "attempt.submitted",
        "attestation.signed",
        "completion.recorded",
    ):
        assert action in page
    assert 'id="mail-heading"' in page


def test_a_manager_sees_the_training_records_but_not_the_audit_trail_or_email(org, login, history):
    page = login(org.mgr_b).get(f"/hr/people/{org.emp_b1.id}").get_data(as_text=True)
    assert "3 quiz attempts" in page
    assert "Recent activity" not in page and 'id="mail-heading"' not in page
    assert "Grant exemption" not in page and "Grant attempts" not in page


def test_transcript_csv_has_a_row_per_record(org, login, history):
    response = login(org.hr).get(f"/hr/people/{org.emp_b1.id}.csv")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    kinds = [r["record"] for r in rows]
    assert kinds.count("assignment") == 1
    assert kinds.count("attempt") == 3
    assert kinds.count("attestation") == 2
    assert kinds.count("completion") == 2
    assert kinds.count("certificate") == 2
    completions = [r for r in rows if r["record"] == "completion"]
    assert [c["result"] for c in completions] == ["superseded", "current"]
    certificates = [r for r in rows if r["record"] == "certificate"]
    assert [c["result"] for c in certificates] == ["superseded", "valid"]


def test_closed_assignments_stay_on_the_transcript_marked_closed(org, login):
    org.assignment(org.emp_a1, "honesty").closed_on = org.today
    db.session.commit()
    page = login(org.hr).get(f"/hr/people/{org.emp_a1.id}").get_data(as_text=True)
    assert "Honesty in Every Answer" in page
    assert "closed" in page


def test_people_list_searches_by_name_email_and_employee_id(org, login):
    client = login(org.hr)
    for q in ("ada", "ada@example.com", "A1", "Adeyemi"):
        page = client.get(f"/hr/people?q={q}").get_data(as_text=True)
        assert "Ada Adeyemi" in page, q
        assert "Ben Brennan" not in page, q
    assert "Nobody matches" in client.get("/hr/people?q=zzz").get_data(as_text=True)
    everyone = client.get("/hr/people").get_data(as_text=True)
    assert all(u.full_name in everyone for u in org.everyone)


def test_people_list_shows_overdue_counts(org, login):
    page = login(org.hr).get("/hr/people?q=Ada").get_data(as_text=True)
    assert f'<a class="warn" href="/hr/people/{org.emp_a1.id}">1</a>' in page


def test_module_view_shows_who_is_where(org, login):
    client = login(org.hr)
    page = client.get("/hr/modules/dignity").get_data(as_text=True)
    assert "Every Customer Served with Dignity" in page
    for user in org.everyone:
        assert user.full_name in page
    expired = client.get("/hr/modules/dignity?status=expired").get_data(as_text=True)
    assert "Cleo Castillo" in expired and "Ada Adeyemi" not in expired
    rows = client.get("/hr/modules/dignity.csv?status=expired").get_data(as_text=True)
    assert "Cleo Castillo" in rows and "Ada Adeyemi" not in rows


def test_a_managers_module_view_holds_only_their_team(org, login):
    page = login(org.mgr_a).get("/hr/modules/dignity").get_data(as_text=True)
    assert "Ada Adeyemi" in page and "Lee Lead" in page
    assert "Cleo Castillo" not in page and "Hana Reyes" not in page
