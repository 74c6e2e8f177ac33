"""People without a work email: imported from CSV, the API and `create-user`, shown everywhere.

DESIGN.md, "CSV import": `email` may be empty for someone with no work email;
they sign in with their employee number and get an activation letter instead
of an invitation. Nothing else changes for them.
"""

import io
from datetime import date

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import OutboxMessage, User
from lms.models.base import utctoday
from tests.api.conftest import Api, new_token
from tests.factories import PASSWORD, make_employee
from tests.hr.importing import csv_bytes, row


@pytest.fixture
def hana(synced):
    return make_employee(
        email="hr@example.com", full_name="Hana Reyes", is_hr=True, employee_id="H1"
    )


@pytest.fixture
def mona(synced):
    return make_employee(
        email="mona@example.com", full_name="Mona Manager", department="Management"
    )


def run_import(runner, tmp_path, data: bytes, *options: str):
    path = tmp_path / "hires.csv"
    path.write_bytes(data)
    return runner.invoke(args=["lms", "import-hires", str(path), *options])


def by_employee_id(employee_id: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.employee_id == employee_id))


def test_a_row_without_email_imports_and_gets_training(runner, tmp_path, mona):
    data = csv_bytes(
        row("S1", "", "Sam Till", manager_email="mona@example.com"),
        row("S2", "", "Tia Till", manager_email="mona@example.com"),
    )
    result = run_import(runner, tmp_path, data, "--invite")
    assert result.exit_code == 0, result.output
    sam = by_employee_id("S1")
    assert sam.email is None and sam.manager_id == mona.id and sam.password_hash is None
    assert by_employee_id("S2").email is None  # two people without email: no clash
    # No invitation went anywhere: they need a letter.
    assert (
        db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "invitation"))
        is None
    )
    from lms.models import Assignment

    assert db.session.scalar(select(Assignment.id).where(Assignment.user_id == sam.id))


def test_a_row_with_neither_email_nor_employee_id_is_refused_clearly(runner, tmp_path, synced):
    result = run_import(runner, tmp_path, csv_bytes(row("", "", "Nobody Known")))
    assert result.exit_code == 1
    assert "line 2: email: empty, and so is employee_id" in result.output
    assert db.session.scalar(select(User.id)) is None


def test_an_email_already_taken_is_still_refused_and_many_empty_ones_are_not(
    runner, tmp_path, mona
):
    data = csv_bytes(row("S1", "mona@example.com", "Sam Till"), row("S2", ""), row("S3", ""))
    result = run_import(runner, tmp_path, data)
    assert result.exit_code == 1
    assert "line 2: email: mona@example.com already belongs to Mona Manager" in result.output
    assert "line 3" not in result.output and "line 4" not in result.output


def test_an_empty_email_removes_an_address_signs_them_out_and_tells_the_old_one(
    runner, tmp_path, client, auth, synced
):
    make_employee(employee_id="E7")
    auth.login("erin@example.com")
    assert client.get("/").status_code == 200
    result = run_import(runner, tmp_path, csv_bytes(row("E7", "", "Erin Example")))
    assert result.exit_code == 0, result.output
    assert by_employee_id("E7").email is None
    assert client.get("/").status_code == 302  # signed out everywhere
    notice = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "email_changed"))
    assert notice.to_email == "erin@example.com"
    assert "no email address" in notice.text_body and "employee number" in notice.text_body
    # ...and they sign in with their employee number from now on.
    assert auth.login("E7").status_code == 302


def test_an_import_cannot_remove_an_hr_users_email(runner, tmp_path, hana):
    result = run_import(runner, tmp_path, csv_bytes(row("H1", "", "Hana Reyes")))
    assert result.exit_code == 1
    assert "line 2: email: hr@example.com is an HR user" in result.output
    assert by_employee_id("H1").email == "hr@example.com"


def test_the_web_preview_shows_no_email_and_imports(client, auth, hana):
    auth.login("hr@example.com")
    data = csv_bytes(row("S1", "", "Sam Till"))
    page = client.post(
        "/hr/import/",
        data={"file": (io.BytesIO(data), "hires.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Sam Till" in page and "no email" in page and "None" not in page


def test_the_api_upserts_someone_without_email(app, client, synced):
    api = Api(app, client, new_token())
    employee = {"full_name": "Sam Till", "hire_date": "2026-03-02", "email": None}
    response = api.put("/api/v1/employees/S1", json=employee)
    assert response.status_code in (200, 201), response.json
    assert by_employee_id("S1").email is None
    body = api.get("/api/v1/employees/S1").json
    assert body["email"] is None and body["employee_id"] == "S1"
    # Neither: refused, naming the field.
    batch = {"employees": [{"full_name": "X", "hire_date": "2026-03-02"}]}
    response = api.post("/api/v1/employees", json=batch)
    assert response.status_code == 400
    problems = {p["field"]: p["message"] for p in response.json["problems"]}
    assert problems["email"].startswith("empty, and so is employee_id")


def test_create_user_without_email_needs_an_employee_id(runner, synced):
    result = runner.invoke(args=["lms", "create-user", "--name", "Sam Till", "--employee-id", "S1"])
    assert result.exit_code == 0, result.output
    assert "created S1" in result.output and "activation-letters" in result.output
    assert by_employee_id("S1").email is None
    result = runner.invoke(args=["lms", "create-user", "--name", "Nobody"])
    assert result.exit_code == 1
    assert "an email or an employee id is required" in result.output
    result = runner.invoke(args=["lms", "create-user", "--name", "Sam Two", "--employee-id", "S1"])
    assert result.exit_code == 1 and "employee id S1 already exists" in result.output


def test_sign_in_with_the_employee_number(client, auth, synced):
    make_employee(email=None, employee_id="S1", full_name="Sam Till")
    assert auth.login(" S1 ").status_code == 302
    assert "Sam Till" in client.get("/", follow_redirects=True).get_data(as_text=True)
    auth.logout()
    assert auth.login("S1", "not the password").status_code == 401
    assert auth.login("s1").status_code == 401  # employee numbers are exact
    page = client.get("/login").get_data(as_text=True)
    assert "Email or employee number" in page and 'type="email"' not in page


def test_hr_pages_show_the_employee_number_and_no_none(client, auth, hana):
    sam = make_employee(email=None, employee_id="S1", full_name="Sam Till", password=None)
    auth.login("hr@example.com")
    for url in ("/hr/people", f"/hr/people/{sam.id}", "/hr/import/invitations"):
        page = client.get(url).get_data(as_text=True)
        assert "Sam Till" in page and "None" not in page, url
    page = client.get("/hr/import/invitations").get_data(as_text=True)
    assert "needs an activation letter" in page
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(f"/hr/import/people/{sam.id}/invite", data={"csrf_token": csrf})
    assert response.status_code == 302
    page = client.get("/hr/import/invitations").get_data(as_text=True)
    assert "Sam Till has no email address: print them an activation letter instead." in page


def test_the_transcript_csv_and_reports_cope_without_email(client, auth, hana):
    sam = make_employee(email=None, employee_id="S1", full_name="Sam Till", hire_date=utctoday())
    auth.login("hr@example.com")
    for url in (f"/hr/people/{sam.id}.csv", "/hr/assignments.csv", "/hr/assignments", "/hr/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "None" not in response.get_data(as_text=True), url


def test_a_password_set_by_hand_works(runner, client, auth, synced):
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--name",
            "Sam Till",
            "--employee-id",
            "S1",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert auth.login("S1").status_code == 302
    assert date.today()  # nothing else to check: signing in is the point
