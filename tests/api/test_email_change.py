"""A changed email cannot hand an account over (issue: account takeover through an email change).

The whole sequence, over HTTP and real SMTP: an API token changes a person's
email; the person's browser session stops working, their reset link stops
working, and their old address is told. An HR user's email cannot be changed
at all, so "forgot password" on the new address yields nothing.
"""

from sqlalchemy import select

from lms.extensions import db
from lms.mail.sender import send_queued
from lms.models import AuditEvent, User, UserToken
from lms.models.base import utcnow
from lms.people.invitations import RESET, issue_token
from tests.factories import PASSWORD

EVIL = "mallory@evil.example"
CHANGED = "The email address of your Attest account was changed"


def record(user: User, **changes) -> dict:
    """The whole record of `user` as a PUT sends it, with `changes`."""
    values = {
        "email": user.email,
        "full_name": user.full_name,
        "department": user.department,
        "role": user.role,
        "hire_date": "2026-01-05",
        "manager_email": None,
    }
    if user.manager_id is not None:
        values["manager_email"] = db.session.get(User, user.manager_id).email
    return values | changes


def signed_in(app, email: str):
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert browser.get("/").status_code == 200
    return browser


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_an_hr_users_email_cannot_be_changed_so_forgot_password_hands_nothing_over(
    app, org, api, smtp_server
):
    hr_browser = signed_in(app, "hr@example.com")
    response = api.put("/api/v1/employees/H1", json=record(org.hr, email=EVIL))
    assert response.status_code == 403, response.json
    assert response.json["error"] == "forbidden"
    assert "HR user's email cannot be changed" in response.json["detail"]
    [problem] = response.json["problems"]
    assert problem["field"] == "email" and "hr@example.com is an HR user" in problem["message"]
    assert fresh(org.hr).email == "hr@example.com"

    attacker = app.test_client()
    attacker.post("/forgot-password", data={"email": EVIL}).close()
    send_queued()
    assert smtp_server.to(EVIL) == []
    assert db.session.scalar(select(UserToken).where(UserToken.user_id == org.hr.id)) is None
    assert hr_browser.get("/hr/").status_code == 200, "nothing happened to the HR user"


def test_a_batch_touching_an_hr_users_email_changes_no_one(app, org, api):
    response = api.post(
        "/api/v1/employees",
        json={
            "employees": [
                {"employee_id": "A1", **record(org.emp_a1, full_name="Ada A.")},
                {"employee_id": "H1", **record(org.hr, email=EVIL)},
            ]
        },
    )
    assert response.status_code == 403
    assert [(p["item"], p["employee_id"], p["field"]) for p in response.json["problems"]] == [
        (2, "H1", "email")
    ]
    assert (fresh(org.emp_a1).full_name, fresh(org.hr).email) == ("Ada Adeyemi", "hr@example.com")


def test_an_email_change_signs_the_person_out_retires_their_links_and_tells_the_old_address(
    app, org, api, smtp_server
):
    browser = signed_in(app, "ada@example.com")
    reset = issue_token(org.emp_a1, RESET, utcnow())
    db.session.commit()
    assert app.test_client().get(f"/reset/{reset}").status_code == 200

    response = api.put("/api/v1/employees/A1", json=record(org.emp_a1, email="ada.a@example.com"))
    assert response.status_code == 200, response.json
    assert response.json["email"] == "ada.a@example.com"

    page = browser.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert "has expired" in app.test_client().get(f"/reset/{reset}").get_data(as_text=True)

    send_queued()
    [notice] = smtp_server.to("ada@example.com")
    assert notice["Subject"] == CHANGED
    text = " ".join(notice.get_body(("plain",)).get_content().split())
    assert "from ada@example.com to ada.a@example.com" in text
    assert "signed out everywhere" in text and "tell HR at once" in text
    assert smtp_server.to("ada.a@example.com") == [], "the notice goes to the old address only"

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.email_changed"))
    assert event.user_id == org.emp_a1.id
    assert event.details | {} == {
        "old_email": "ada@example.com",
        "new_email": "ada.a@example.com",
        "source": "api",
        "signed_out": True,
        "links_retired": True,
        "notice_to": "ada@example.com",
    }
    # The person signs in again with their password, at the new address.
    signed_in(app, "ada.a@example.com")


def test_an_unchanged_email_leaves_sessions_alone(app, org, api, smtp_server):
    browser = signed_in(app, "ada@example.com")
    response = api.put("/api/v1/employees/A1", json=record(org.emp_a1, full_name="Ada A."))
    assert response.status_code == 200
    assert browser.get("/").status_code == 200
    send_queued()
    assert smtp_server.messages == []


def test_a_new_employee_id_with_the_email_of_someone_without_one_adopts_no_one(app, org, api):
    # Lee was added by hand (no employee_id): a row may not claim them by their email.
    lee = org.lead_a
    response = api.put("/api/v1/employees/E666", json=record(lee, full_name="Lee Lead"))
    assert response.status_code == 422
    [problem] = response.json["problems"]
    assert problem["field"] == "email"
    assert "who has no employee_id" in problem["message"]
    assert "flask lms set-employee-id lee@example.com E666" in problem["message"]
    assert fresh(lee).employee_id is None
    assert db.session.scalar(select(User).where(User.employee_id == "E666")) is None
