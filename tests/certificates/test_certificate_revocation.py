"""A revoked certificate takes its completion away (DESIGN.md, "Training rules").

From the revocation day the assignment counts as not complete everywhere: the
learner's list (which says why), the transcript, the report's filters, the
dashboard figures and the API; it is due again after the program's due_days,
and completing it again issues a new certificate while the old one still
verifies as revoked.
"""

from datetime import timedelta

from sqlalchemy import func, select

from lms.dates import format_date
from lms.extensions import db
from lms.models import Assignment, Attempt, Certificate, Completion
from lms.models.base import utctoday
from lms.periods import add_period, parse_period
from lms.reports.dashboard import dashboard
from lms.reports.filters import Filters
from lms.reports.scope import Scope
from tests.api.conftest import Api, new_token
from tests.certificates.conftest import certificate_of, complete_on, login
from tests.factories import make_employee

DUE_DAYS = 30  # the test program's


def assignment_of(user_id: int) -> Assignment:
    db.session.expire_all()
    return db.session.scalar(select(Assignment).where(Assignment.user_id == user_id))


def revoke(client, code: str, reason: str = "Quiz taken by a colleague") -> None:
    login(client, "hr@example.com")
    response = client.post(
        f"/certificates/{code}/revoke", data={"reason": reason, "understood": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def compliant_report(client) -> str:
    login(client, "hr@example.com")
    return client.get("/hr/assignments?status=compliant").get_data(as_text=True)


def test_revocation_takes_the_completion_away_everywhere_until_a_new_cycle(app, client, synced):
    today = utctoday()
    make_employee(email="hr@example.com", full_name="Hana Reyes", is_hr=True, department="People")
    rae = make_employee(
        email="rae@example.com",
        full_name="Rae Revoked",
        employee_id="R1",
        hire_date=today - timedelta(days=400),
        today=today - timedelta(days=400),
    )
    first = certificate_of(complete_on(rae, today))
    code = first.certificate.code
    api = Api(app, client, new_token())

    # Complete: every view agrees.
    assert "Rae Revoked" in compliant_report(client)
    before = dashboard(Scope(), Filters(as_of=today)).overall.counts
    assert before["complete"] == 1 and before["not_started"] == 1  # Rae; HR's own is new
    login(client, "rae@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "1 of 1 modules complete" in page and "Nothing to do" in page

    revoke(client, code)

    # Not complete: due again after the program's due_days, with a new cycle.
    a = assignment_of(rae.id)
    assert (a.completed_on, a.expires_on, a.renewal_opens_on) == (None, None, None)
    assert a.due_date == today + timedelta(days=DUE_DAYS)
    assert a.revoked_on == today
    assert a.cycle == 3  # cycle 1 completed, cycle 2 (its renewal) ended by the revocation

    login(client, "rae@example.com")
    page = client.get("/").get_data(as_text=True)  # cached before: the revocation must show
    assert "0 of 1 modules complete" in page
    assert "Nothing to do" not in page and "Valid until" not in page
    assert f"Certificate revoked on {format_date(today)}" in page
    assert "Quiz taken by a colleague" not in page  # HR's reason stays internal
    assert ">Start<" in page
    module_page = client.get("/modules/dignity").get_data(as_text=True)
    assert f"Certificate revoked on {format_date(today)}" in module_page
    assert code not in module_page

    assert "Rae Revoked" not in compliant_report(client)
    pending = client.get("/hr/assignments?status=pending").get_data(as_text=True)
    assert "Rae Revoked" in pending
    transcript = client.get(f"/hr/people/{rae.id}").get_data(as_text=True)
    assert "Not started" in transcript and "Revoked" in transcript
    assert f"Certificate revoked on {format_date(today)}" in transcript
    counts = dashboard(Scope(), Filters(as_of=today)).overall.counts
    assert counts["complete"] == 0 and counts["not_started"] == 2
    later = dashboard(Scope(), Filters(as_of=today + timedelta(days=DUE_DAYS + 1))).overall.counts
    assert later["overdue"] == 2 and later["complete"] == 0

    body = api.get("/api/v1/employees/R1/transcript").json
    (item,) = body["assignments"]
    assert item["status"] == "not_started" and item["completed_on"] is None
    assert item["revoked_on"] == today.isoformat()
    assert item["due_date"] == (today + timedelta(days=DUE_DAYS)).isoformat()
    assert item["completions"][0]["certificate"]["status"] == "revoked"
    overall = api.get("/api/v1/compliance").json["overall"]
    assert overall["counts"]["complete"] == 0 and overall["counts"]["not_started"] == 2

    # Complete again: a new certificate, valid, expiring one year after the new due date.
    later_day = today + timedelta(days=3)
    second = certificate_of(complete_on(rae, later_day))
    assert second.certificate.code != code
    assert second.completion.cycle == 3
    # A first completion on or before the new due date: one period after that due date.
    new_due = today + timedelta(days=DUE_DAYS)
    assert second.completion.expires_on == add_period(new_due, parse_period("1 year"))
    a = assignment_of(rae.id)
    assert a.revoked_on is None and a.completed_on == later_day
    client.post("/logout")
    assert client.get(f"/verify/{second.certificate.code}.json").json["status"] == "valid"
    assert client.get(f"/verify/{code}.json").json["status"] == "revoked"
    assert "Rae Revoked" in compliant_report(client)
    item = api.get("/api/v1/employees/R1/transcript").json["assignments"][0]
    assert item["status"] == "complete" and item["revoked_on"] is None
    assert [c["certificate"]["status"] for c in item["completions"]] == ["revoked", "valid"]


def test_revoking_an_old_superseded_certificate_leaves_the_current_cycle_alone(client, people):
    erin = people["erin"]
    hired = erin.hire_date
    first = certificate_of(complete_on(erin, hired + timedelta(days=10)))
    complete_on(erin, utctoday())
    before = assignment_of(erin.id)
    dates = (before.completed_on, before.expires_on, before.due_date, before.cycle)
    revoke(client, first.certificate.code, "Old paperwork")
    after = assignment_of(erin.id)
    assert (after.completed_on, after.expires_on, after.due_date, after.cycle) == dates
    assert after.revoked_on is None


def test_an_attempt_open_at_the_revocation_carries_on_into_the_new_cycle(client, people):
    erin = people["erin"]
    record = certificate_of(complete_on(erin, utctoday() - timedelta(days=400)))
    login(client, "erin@example.com")
    client.post("/modules/dignity/quiz")  # a renewal attempt, open (renewal window or expired)
    open_id = db.session.scalar(select(Attempt.id).where(Attempt.submitted_at.is_(None)))
    assert open_id is not None
    revoke(client, record.certificate.code)
    a = assignment_of(erin.id)
    assert db.session.get(Attempt, open_id).cycle == a.cycle
    login(client, "erin@example.com")
    response = client.post("/modules/dignity/quiz")
    assert response.headers["Location"].endswith(f"/attempts/{open_id}")


def test_revocation_is_recorded_once_with_the_new_due_date(client, erin_cert):
    from lms.models import AuditEvent

    revoke(client, erin_cert.certificate.code)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.due_again"))
    assert event is not None
    assert event.details["due_on"] == (utctoday() + timedelta(days=DUE_DAYS)).isoformat()
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
