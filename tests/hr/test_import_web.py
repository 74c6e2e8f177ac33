"""HR's upload page: preview what would change, confirm, and only then import."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AuditEvent, StagedImport, User
from lms.models.base import utcnow
from tests.factories import make_employee
from tests.hr.importing import HEADER, csv_bytes, row


@pytest.fixture
def hana(synced):
    return make_employee(
        email="hr@example.com", full_name="Hana Reyes", is_hr=True, employee_id="H1"
    )


@pytest.fixture
def as_hr(client, auth, hana):
    auth.login("hr@example.com")
    return client


def upload(client, data: bytes, filename="hires.csv", invite=False):
    form = {"file": (io.BytesIO(data), filename)}
    if invite:
        form["invite"] = "y"
    return client.post("/hr/import/", data=form, content_type="multipart/form-data")


def confirm_fields(page: str) -> dict[str, str]:
    """The hidden fields of the preview's confirm form, as a browser would send them."""
    form = page[page.index('action="/hr/import/confirm"') :]
    return dict(
        re.findall(
            r'<input id="(staged_id|digest|partial)" name="\1" type="hidden" value="([^"]*)">', form
        )
    )


def count_people() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_upload_shows_new_updated_terminated_and_problems_and_changes_nothing(as_hr):
    make_employee(email="erin@example.com", employee_id="E7", full_name="Erin Example")
    make_employee(email="finn@example.com", employee_id="E8", full_name="Finn Example")
    data = csv_bytes(
        row("E1", "ana@example.com", "Ana Lima") + ",",
        row("E7", "erin@example.com", "Erin Example", role="Supervisor") + ",active",
        row("E8", "finn@example.com", "Finn Example", role="Sales Associate") + ",terminated",
        row("E9", "bad@example.com", hire_date="someday") + ",",
        header=HEADER + ",status",
    )
    page = upload(as_hr, data).get_data(as_text=True)
    assert count_people() == 3
    for kind, n in [("new", 1), ("updated", 1), ("terminated", 1), ("errors", 1)]:
        assert f'<strong id="count-{kind}">{n}</strong>' in page
    assert "line 5: hire_date: &#39;someday&#39; is not a date; use YYYY-MM-DD" in page
    assert "Ana Lima" in page and "ana@example.com" in page
    assert "<del>Sales Associate</del> → <ins>Supervisor</ins>" in page
    assert "<del>active</del> → <ins>terminated</ins>" in page
    assert "Import the 3 changes from good rows; skip 1 row with problems" in page


def test_confirming_imports_exactly_what_was_previewed_and_records_who(as_hr, hana):
    page = upload(
        as_hr, csv_bytes(row(), row("E2", "ben@example.com", manager_email="ana@example.com"))
    )
    fields = confirm_fields(page.get_data(as_text=True))
    assert fields["partial"] == ""
    done = as_hr.post("/hr/import/confirm", data=fields)
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert '<strong id="count-new">2</strong>' in text and "Assignments: 2 created" in text
    assert count_people() == 3
    ana_id = db.session.scalar(select(User.id).where(User.email == "ana@example.com"))
    assert (
        db.session.scalar(select(User.manager_id).where(User.email == "ben@example.com")) == ana_id
    )
    summary = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "import.applied")
    ).one()
    assert summary.actor_id == hana.id and summary.details["source"] == "web"
    assert summary.details["filename"] == "hires.csv" and summary.details["new"] == 2
    created = db.session.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.action == "person.created")
    ).all()
    assert created == [hana.id, hana.id]
    assert db.session.scalar(select(func.count(StagedImport.id))) == 0
    again = as_hr.post("/hr/import/confirm", data=fields)  # a second click, or the back button
    assert again.status_code == 404 and count_people() == 3
    assert "hires.csv" in as_hr.get("/hr/import/").get_data(as_text=True)  # latest imports


def test_a_file_with_problems_can_only_be_imported_as_its_good_rows(as_hr):
    data = csv_bytes(row(), row("E2", "ben@example.com", hire_date="2026-02-31"))
    fields = confirm_fields(upload(as_hr, data).get_data(as_text=True))
    assert fields["partial"] == "1"
    refused = as_hr.post("/hr/import/confirm", data=fields | {"partial": ""})
    assert refused.status_code == 422 and count_people() == 1
    done = as_hr.post("/hr/import/confirm", data=fields)
    assert done.status_code == 200
    assert "line 3: hire_date: 2026-02-31 is not a real date" in done.get_data(as_text=True)
    assert set(db.session.scalars(select(User.email))) == {"hr@example.com", "ana@example.com"}


def test_a_file_that_cannot_be_read_offers_no_import(as_hr):
    page = upload(as_hr, b"name;mail\nAna;ana@example.com\n").get_data(as_text=True)
    assert "line 1: name;mail: unknown column" in page
    assert 'action="/hr/import/confirm"' not in page


def test_if_people_changed_since_the_preview_it_is_shown_again_before_importing(as_hr):
    fields = confirm_fields(
        upload(as_hr, csv_bytes(row(department="Online"))).get_data(as_text=True)
    )
    make_employee(email="ana@example.com", employee_id="E1", full_name="Ana Lima")  # meanwhile
    stale = as_hr.post("/hr/import/confirm", data=fields)
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "changed since you looked at this preview" in page
    assert '<strong id="count-updated">1</strong>' in page
    assert (
        db.session.scalar(select(User.department).where(User.email == "ana@example.com"))
        == "Stores"
    )
    assert as_hr.post("/hr/import/confirm", data=confirm_fields(page)).status_code == 200
    assert (
        db.session.scalar(select(User.department).where(User.email == "ana@example.com"))
        == "Online"
    )


def test_an_upload_can_only_be_confirmed_by_the_hr_user_who_made_it(as_hr, client, auth):
    fields = confirm_fields(upload(as_hr, csv_bytes(row())).get_data(as_text=True))
    auth.logout()
    make_employee(email="hr2@example.com", full_name="Other HR", is_hr=True)
    auth.login("hr2@example.com")
    assert client.post("/hr/import/confirm", data=fields).status_code == 404
    assert count_people() == 2


@pytest.mark.parametrize("csrf", [False, True])  # with CSRF on, the form is read before the view
def test_a_file_over_the_upload_limit_is_refused_with_a_clear_message(app, as_hr, csrf):
    app.config.update(MAX_CONTENT_LENGTH=4096, WTF_CSRF_ENABLED=csrf)
    response = upload(as_hr, csv_bytes(*[row(f"E{n}", f"p{n}@example.com") for n in range(100)]))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too large: uploads are limited to 4 KB." in page
    assert "flask lms import-hires" in page and 'type="file"' in page
    assert count_people() == 1


def test_no_file_is_a_form_error(as_hr):
    response = as_hr.post("/hr/import/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a file." in response.get_data(as_text=True)


def test_the_upload_form_needs_a_csrf_token(app, as_hr):
    app.config["WTF_CSRF_ENABLED"] = True
    assert upload(as_hr, csv_bytes(row())).status_code == 400
    assert db.session.scalar(select(func.count(StagedImport.id))) == 0


ROUTES = [
    ("get", "/hr/import/"),
    ("post", "/hr/import/"),
    ("post", "/hr/import/confirm"),
    ("get", "/hr/import/invitations"),
    ("post", "/hr/import/people/1/invite"),
]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_employees_and_managers_get_403_on_every_import_route(client, auth, synced, method, url):
    boss = make_employee(email="boss@example.com", full_name="Bea Boss")
    make_employee(email="erin@example.com", manager_email=boss.email)
    for email in ("erin@example.com", "boss@example.com"):
        auth.login(email)
        response = getattr(client, method)(url)
        assert response.status_code == 403, (email, url)
        assert "Import" not in response.get_data(as_text=True)
        auth.logout()


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, synced, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_uploads_not_confirmed_within_a_day_are_cleared(as_hr, hana):
    db.session.add(
        StagedImport(
            created_by_id=hana.id,
            created_at=utcnow() - timedelta(days=2),
            filename="old.csv",
            content=b"",
        )
    )
    db.session.commit()
    upload(as_hr, csv_bytes(row()))
    assert db.session.scalars(select(StagedImport.filename)).all() == ["hires.csv"]
