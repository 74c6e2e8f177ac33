"""HR actions on a transcript: exemptions and extra attempts, recorded in the audit trail; bad input changes nothing."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.learn.operations import current_version, cycle_attempts, progress_of
from lms.models import Attempt, AuditEvent, ModuleVersion


def events(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def event_count():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def post(client, user, assignment, action, **fields):
    prefix = {"exemption": "ex", "exemption/remove": "un", "attempts": "at"}[action]
    data = {f"{prefix}{assignment.id}-{k}": v for k, v in fields.items()}
    url = f"/hr/people/{user.id}/assignments/{assignment.id}/{action}"
    return client.post(url, data=data, follow_redirects=True)


def test_hr_grants_an_exemption_with_a_reason_and_it_is_audited(org, login):
    a = org.assignment(org.emp_a1, "honesty")
    response = post(
        login(org.hr), org.emp_a1, a, "exemption", reason="  Covered by   the FCA course "
    )
    assert "Ada Adeyemi is exempt from “Honesty in Every Answer”." in response.get_data(
        as_text=True
    )
    db.session.refresh(a)
    assert a.exempt_reason == "Covered by the FCA course"
    assert a.exempt_by_id == org.hr.id and a.exempt_at is not None
    [event] = events("exemption.granted")
    assert (event.actor_id, event.user_id) == (org.hr.id, org.emp_a1.id)
    assert event.details == {
        "assignment_id": a.id,
        "module": "honesty",
        "reason": "Covered by the FCA course",
    }
    page = response.get_data(as_text=True)
    assert "Exempt since" in page and "Remove exemption" in page


def test_hr_removes_an_exemption_with_a_reason(org, login):
    a = org.assignment(org.emp_a2, "dignity")
    response = post(login(org.hr), org.emp_a2, a, "exemption/remove", reason="Back from leave")
    assert "no longer exempt" in response.get_data(as_text=True)
    db.session.refresh(a)
    assert a.exempt_reason is None and a.exempt_at is None
    [event] = events("exemption.removed")
    assert event.details["previous_reason"] == "On long-term leave"
    assert event.details["reason"] == "Back from leave"


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("exemption", {"reason": ""}, "Give a reason: it is kept in the audit trail."),
        ("exemption", {"reason": "   "}, "Give a reason: it is kept in the audit trail."),
        ("exemption", {"reason": "x" * 501}, "Field cannot be longer than 500 characters."),
        ("exemption/remove", {"reason": "Not exempt anyway"}, "This assignment is not exempt."),
        ("attempts", {"number": "0", "reason": "Fair"}, "Give a number from 1 to 10."),
        ("attempts", {"number": "11", "reason": "Fair"}, "Give a number from 1 to 10."),
        ("attempts", {"number": "two", "reason": "Fair"}, "Not a valid integer value."),
        ("attempts", {"number": "", "reason": "Fair"}, "Give a number of attempts."),
        (
            "attempts",
            {"number": "1", "reason": ""},
            "Give a reason: it is kept in the audit trail.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    org, login, action, fields, message
):
    a = org.assignment(org.emp_a1, "honesty")
    before = (a.exempt_reason, a.extra_attempts, event_count())
    response = post(login(org.hr), org.emp_a1, a, action, **fields)
    page = response.get_data(as_text=True)
    assert "Nothing changed." in page
    assert message in page
    db.session.refresh(a)
    assert (a.exempt_reason, a.extra_attempts, event_count()) == before


def test_an_exempt_assignment_cannot_be_exempted_again(org, login):
    a = org.assignment(org.emp_a2, "dignity")
    page = post(login(org.hr), org.emp_a2, a, "exemption", reason="Again").get_data(as_text=True)
    assert "This assignment is already exempt." in page
    assert events("exemption.granted") == []


def test_hr_cannot_change_their_own_record(org, login):
    a = org.assignment(org.hr, "dignity")
    page = post(login(org.hr), org.hr, a, "exemption", reason="I am busy").get_data(as_text=True)
    assert "You cannot change your own training record" in page
    db.session.refresh(a)
    assert a.exempt_reason is None


def test_a_closed_assignment_cannot_be_changed(org, login):
    a = org.assignment(org.emp_a1, "honesty")
    a.closed_on = org.today
    db.session.commit()
    page = post(login(org.hr), org.emp_a1, a, "exemption", reason="Why not").get_data(as_text=True)
    assert "This assignment is closed" in page


def test_extra_attempts_unlock_a_locked_module_and_are_audited(org, login):
    a = org.assignment(org.emp_b1, "dignity")  # the test module allows 2 attempts per cycle
    version = current_version(a.module_id)
    for _ in range(2):
        db.session.add(
            Attempt(
                assignment_id=a.id,
                user_id=a.user_id,
                module_version_id=version.id,
                cycle=a.cycle,
                drawn=[],
                submitted_at=org.hr.created_at,
                score=0,
                passed=False,
            )
        )
    db.session.commit()
    assert progress_of(a, version, cycle_attempts(a), org.today).step == "locked"
    page = post(login(org.hr), org.emp_b1, a, "attempts", number="2", reason="Fire alarm").get_data(
        as_text=True
    )
    assert "Cleo Castillo has more attempts" in page
    db.session.refresh(a)
    assert a.extra_attempts == 2
    progress = progress_of(a, version, cycle_attempts(a), org.today)
    assert progress.step == "start" and progress.attempts_remaining == 2
    [event] = events("attempts.granted")
    assert event.actor_id == org.hr.id and event.user_id == org.emp_b1.id
    assert event.details["number"] == 2 and event.details["reason"] == "Fire alarm"


def test_attempts_cannot_be_granted_where_they_are_unlimited(org, login):
    a = org.assignment(org.emp_b1, "dignity")
    db.session.scalar(
        select(ModuleVersion).where(ModuleVersion.module_id == a.module_id)
    ).attempts = None
    db.session.commit()
    page = post(login(org.hr), org.emp_b1, a, "attempts", number="1", reason="x").get_data(
        as_text=True
    )
    assert "no limit on attempts" in page
    db.session.refresh(a)
    assert a.extra_attempts == 0


def test_actions_need_a_csrf_token(org, login, app):
    client = login(org.hr)
    app.config["WTF_CSRF_ENABLED"] = True
    a = org.assignment(org.emp_a1, "honesty")
    response = post(client, org.emp_a1, a, "exemption", reason="No token")
    assert response.status_code == 400
    assert "CSRF token is missing" in response.get_data(as_text=True)
    db.session.refresh(a)
    assert a.exempt_reason is None
