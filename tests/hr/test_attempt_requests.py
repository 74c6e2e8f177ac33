"""Ask HR for more attempts: the learner asks, HR grants or refuses, the learner is told either way."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Assignment, Attempt, AttemptRequest, AuditEvent, OutboxMessage
from tests.learn.test_flow import answers_for


def fail_every_attempt(client, slug="honesty"):
    while True:
        response = client.post(f"/modules/{slug}/quiz")
        if "/attempts/" not in response.headers.get("Location", ""):
            return
        attempt = db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
        client.post(f"/attempts/{attempt.id}", data=answers_for(attempt, right=False))


def ask(client, message="I was unwell during the quiz", slug="honesty"):
    return client.post(f"/modules/{slug}/attempts/request", data={"message": message})


def actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def requests():
    return db.session.scalars(select(AttemptRequest).order_by(AttemptRequest.id)).all()


@pytest.fixture
def asked(org, login):
    """Ada has used every attempt at honesty and asked HR for more."""
    client = login(org.emp_a1)
    fail_every_attempt(client)
    page = client.get("/modules/honesty").get_data(as_text=True)
    assert "Ask HR for more attempts</button>" in page or 'value="Ask HR for more attempts"' in page
    response = ask(client)
    assert response.status_code == 303
    [request] = requests()
    return request


def test_a_learner_out_of_attempts_asks_once_and_sees_it_is_waiting(org, login, asked):
    assert (asked.user_id, asked.state, asked.message) == (
        org.emp_a1.id,
        "open",
        "I was unwell during the quiz",
    )
    assert "attempts.requested" in actions()
    client = login(org.emp_a1)
    page = client.get("/modules/honesty").get_data(as_text=True)
    assert "You asked HR for more attempts on" in page
    assert 'value="Ask HR for more attempts"' not in page
    again = ask(client)
    assert again.status_code == 303
    assert len(requests()) == 1
    page = client.get("/modules/honesty").get_data(as_text=True)
    assert "You have already asked HR for more attempts" in page


def test_asking_with_attempts_left_is_refused(org, login):
    client = login(org.emp_a1)
    response = ask(client)
    assert response.status_code == 303
    assert requests() == []
    page = client.get("/modules/honesty").get_data(as_text=True)
    assert "only when you have none left" in page


def test_only_ones_own_assignment_can_be_asked_about(org, login):
    # Cleo (Customer Service) has no honesty assignment: Ada's is not hers to ask about
    assert ask(login(org.emp_b1)).status_code == 404
    assert requests() == []


def test_only_hr_sees_and_decides_requests(org, login, asked):
    for person, status in [(org.mgr_a, 403), (org.lead_a, 403), (org.emp_a1, 403)]:
        client = login(person)
        assert client.get("/hr/attempt-requests").status_code == status
        data = {f"g{asked.id}-number": "1", f"g{asked.id}-reason": "ok"}
        assert (
            client.post(f"/hr/attempt-requests/{asked.id}/grant", data=data).status_code == status
        )
        data = {f"r{asked.id}-reason": "no"}
        assert (
            client.post(f"/hr/attempt-requests/{asked.id}/refuse", data=data).status_code == status
        )
    client = login(org.hr)
    assert client.post("/hr/attempt-requests/999999/grant", data={}).status_code == 404
    db.session.refresh(asked)
    assert asked.state == "open"
    page = client.get("/hr/attempt-requests").get_data(as_text=True)
    assert "Ada Adeyemi" in page and "I was unwell during the quiz" in page


def test_hr_grants_and_the_learner_is_told_and_can_try_again(org, login, asked):
    client = login(org.hr)
    response = client.post(
        f"/hr/attempt-requests/{asked.id}/grant",
        data={f"g{asked.id}-number": "2", f"g{asked.id}-reason": "Get well soon"},
        follow_redirects=True,
    )
    assert "Granted; the learner has been emailed." in response.get_data(as_text=True)
    db.session.refresh(asked)
    assert (asked.state, asked.attempts_granted, asked.decided_by_id) == ("granted", 2, org.hr.id)
    assignment = db.session.get(Assignment, asked.assignment_id)
    assert assignment.extra_attempts == 2
    assert {"attempts.granted", "attempts.request_granted"} <= set(actions())
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "attempts_decided")
    ).all()
    assert mail.to_user_id == org.emp_a1.id and "granted" in mail.subject
    assert "2 more attempts" in mail.text_body and "Get well soon" in mail.text_body
    assert "/modules/honesty" in mail.text_body
    learner = login(org.emp_a1)
    page = learner.get("/modules/honesty").get_data(as_text=True)
    assert "HR gave you 2 more attempts" in page and "Take the quiz" in page
    assert "/attempts/" in learner.post("/modules/honesty/quiz").headers["Location"]
    # decided once only
    again = login(org.hr).post(
        f"/hr/attempt-requests/{asked.id}/refuse",
        data={f"r{asked.id}-reason": "changed my mind"},
        follow_redirects=True,
    )
    assert "already been decided" in again.get_data(as_text=True)
    db.session.refresh(asked)
    assert asked.state == "granted"


def test_hr_refuses_with_a_reason_and_the_learner_is_told(org, login, asked):
    client = login(org.hr)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    no_reason = client.post(
        f"/hr/attempt-requests/{asked.id}/refuse", data={f"r{asked.id}-reason": " "}
    )
    assert no_reason.status_code == 303
    db.session.refresh(asked)
    assert asked.state == "open"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    client.post(
        f"/hr/attempt-requests/{asked.id}/refuse",
        data={f"r{asked.id}-reason": "Please book a session with your manager first"},
    )
    db.session.refresh(asked)
    assert asked.state == "refused"
    assert "attempts.request_refused" in actions()
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "attempts_decided")
    ).all()
    assert "not granted" in mail.subject and "book a session" in mail.text_body
    learner = login(org.emp_a1)
    page = learner.get("/modules/honesty").get_data(as_text=True)
    assert "HR did not give you more attempts" in page and "book a session" in page
    assert 'value="Ask HR for more attempts"' in page  # may ask again
    assert db.session.get(Assignment, asked.assignment_id).extra_attempts == 0


def test_a_decision_racing_another_is_refused_not_applied_twice(org, login, asked):
    from lms.models.base import utcnow
    from lms.moreattempts.operations import RequestError, grant_request

    # Another HR session decided it after this one loaded the request
    stale = db.session.get(AttemptRequest, asked.id)
    db.session.execute(
        AttemptRequest.__table__.update()
        .where(AttemptRequest.id == asked.id)
        .values(state="refused")
    )
    with pytest.raises(RequestError, match="already been decided"):
        grant_request(stale, 1, "ok", org.hr, utcnow())
    db.session.rollback()
    assert db.session.get(Assignment, asked.assignment_id).extra_attempts == 0
