"""A large web import runs in the background; any instance shows its progress and result.

The confirm of a file over LMS_IMPORT_INLINE_ROWS only records a job and answers
at once (a 62,000-row file took ~47 s in the request, past gunicorn's 30 s). The
tests lower the limit so that a few rows take the same path.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.extensions import db
from lms.imports import jobs
from lms.models import AuditEvent, ImportJob, StagedImport, User
from lms.models.base import utcnow
from tests.conftest import dispose_apps
from tests.factories import make_employee
from tests.hr.importing import csv_bytes, row
from tests.hr.test_import_web import confirm_fields, count_people, upload

ROWS = csv_bytes(
    row(),
    row("E2", "ben@example.com", full_name="Ben Okafor", manager_email="ana@example.com"),
    row("E3", "cy@example.com", full_name="Cy Young", manager_email="ana@example.com"),
)


@pytest.fixture
def hana(synced):
    return make_employee(
        email="hr@example.com", full_name="Hana Reyes", is_hr=True, employee_id="H1"
    )


@pytest.fixture
def as_hr(client, auth, hana):
    auth.login("hr@example.com")
    return client


@pytest.fixture(autouse=True)
def small_limit(app):
    app.config["LMS_IMPORT_INLINE_ROWS"] = 2
    yield
    jobs.join_jobs(30)


def confirm_in_background(client, data: bytes, **extra) -> str:
    """Upload, confirm, and return the job page's address once the job has run."""
    fields = confirm_fields(upload(client, data).get_data(as_text=True)) | extra
    response = client.post("/hr/import/confirm", data=fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    jobs.join_jobs(30)
    db.session.expire_all()
    return response.headers["Location"]


@pytest.mark.parametrize(
    ("rows", "limit", "expected"),
    [(5000, 5000, False), (5001, 5000, True), (62_000, 5000, True), (0, 0, False), (1, 0, True)],
)
def test_only_files_over_the_limit_are_imported_in_the_background(rows, limit, expected):
    assert jobs.runs_in_background(rows, limit) is expected


NOW = utcnow()


@pytest.mark.parametrize(
    ("state", "updated", "expected"),
    [
        ("running", NOW, "running"),
        ("running", NOW - jobs.STALE_AFTER, "running"),
        ("running", NOW - jobs.STALE_AFTER - timedelta(seconds=1), "interrupted"),
        ("done", NOW - timedelta(days=3), "done"),  # only a running job can be interrupted
        ("failed", NOW - timedelta(days=3), "failed"),
        ("changed", NOW - timedelta(days=3), "changed"),
    ],
)
def test_a_running_job_no_longer_updated_reads_as_interrupted(state, updated, expected):
    assert jobs.shown_state(state, updated, NOW) == expected


@pytest.mark.parametrize(
    ("content", "lines"),
    [(b"h\n", 1), (b"h", 1), (b"h\na\nb\n", 3), (b"h\na\nb", 3), (b"h\r\na\r\n", 2)],
)
def test_lines_are_counted_without_parsing(content, lines):
    assert jobs.line_count(content) == lines


def test_a_large_upload_is_imported_in_the_background_and_any_instance_shows_it(app, as_hr, hana):
    page_url = confirm_in_background(as_hr, ROWS)
    job = db.session.scalars(select(ImportJob)).one()
    assert page_url == f"/hr/import/jobs/{job.id}"
    assert job.state == "done" and job.created_by_id == hana.id
    assert job.result["counts"] | {"errors": 0} == {
        "new": 3,
        "updated": 0,
        "terminated": 0,
        "unchanged": 0,
        "errors": 0,
    }
    assert job.result["assigned"] == {"created": 3, "reopened": 0, "closed": 0}
    assert count_people() == 4
    summary = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "import.applied")
    ).one()
    assert summary.actor_id == hana.id and summary.details["source"] == "web"
    assert db.session.scalar(select(func.count(StagedImport.id))) == 0

    # Another instance on the same database shows the same result.
    other = create_app(dict(app.config))
    try:
        client = other.test_client()
        client.post("/login", data={"email": "hr@example.com", "password": "correct horse battery"})
        page = client.get(page_url).get_data(as_text=True)
    finally:
        dispose_apps([other])
    assert "Imported hires.csv" in page
    assert '<strong id="count-new">3</strong>' in page and "Assignments: 3 created" in page
    assert 'http-equiv="refresh"' not in page
    assert "hires.csv" in as_hr.get("/hr/import/").get_data(as_text=True)


def test_a_second_confirm_while_it_runs_finds_the_same_job(app, as_hr):
    fields = confirm_fields(upload(as_hr, ROWS).get_data(as_text=True))
    staged = db.session.scalars(select(StagedImport)).one()
    job, is_new = jobs.start_job(
        staged, digest=fields["digest"], partial=False, invite=False, actor_id=staged.created_by_id
    )
    db.session.commit()
    assert is_new
    again = as_hr.post("/hr/import/confirm", data=fields)  # the job has not started yet
    assert again.status_code == 303 and again.headers["Location"] == f"/hr/import/jobs/{job.id}"
    page = as_hr.get(again.headers["Location"]).get_data(as_text=True)
    assert "In progress: Waiting to start" in page and 'http-equiv="refresh"' in page
    assert db.session.scalar(select(func.count(ImportJob.id))) == 1 and count_people() == 1


def test_good_rows_only_lists_every_problem_in_the_result(as_hr):
    data = csv_bytes(
        row(), row("E2", "ben@example.com", hire_date="2026-02-31"), row("E3", "cy@example.com")
    )
    page_url = confirm_in_background(as_hr, data)
    page = as_hr.get(page_url).get_data(as_text=True)
    assert "line 3: hire_date: 2026-02-31 is not a real date" in page
    assert '<strong id="count-new">2</strong>' in page
    assert set(db.session.scalars(select(User.email))) == {
        "hr@example.com",
        "ana@example.com",
        "cy@example.com",
    }


def test_all_or_nothing_with_a_bad_row_imports_nothing_and_says_why(as_hr):
    data = csv_bytes(
        row(), row("E2", "ben@example.com", hire_date="2026-02-31"), row("E3", "cy@example.com")
    )
    page_url = confirm_in_background(as_hr, data, partial="")
    page = as_hr.get(page_url).get_data(as_text=True)
    assert "was not imported" in page and "Nothing was imported." in page
    assert "line 3: hire_date: 2026-02-31 is not a real date" in page
    assert count_people() == 1
    assert db.session.scalars(select(ImportJob.state)).one() == "failed"


def test_people_changed_since_the_preview_imports_nothing_and_offers_a_new_preview(as_hr):
    fields = confirm_fields(upload(as_hr, ROWS).get_data(as_text=True))
    make_employee(
        email="ana@example.com", employee_id="E1", full_name="Ana Lima", department="Online"
    )  # meanwhile
    response = as_hr.post("/hr/import/confirm", data=fields)
    jobs.join_jobs(30)
    page = as_hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "changed since you looked at the preview" in page
    assert count_people() == 2
    job_id = db.session.scalar(select(ImportJob.id))
    preview = as_hr.post(f"/hr/import/jobs/{job_id}/preview")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert (
        '<strong id="count-updated">1</strong>' in text
        and '<strong id="count-new">2</strong>' in text
    )
    again = as_hr.post("/hr/import/confirm", data=confirm_fields(text))
    assert again.status_code == 303
    jobs.join_jobs(30)
    db.session.expire_all()
    assert count_people() == 4
    assert db.session.scalar(select(User.department).where(User.email == "ana@example.com")) == (
        "Stores"
    )


def test_an_upload_gone_before_the_job_ran_fails_cleanly(app, as_hr):
    fields = confirm_fields(upload(as_hr, ROWS).get_data(as_text=True))
    staged = db.session.scalars(select(StagedImport)).one()
    job, _ = jobs.start_job(
        staged, digest=fields["digest"], partial=False, invite=False, actor_id=staged.created_by_id
    )
    db.session.delete(staged)
    db.session.commit()
    jobs.run_job(app, job.id)
    db.session.expire_all()
    page = as_hr.get(f"/hr/import/jobs/{job.id}").get_data(as_text=True)
    assert "The upload is no longer here; upload the file again." in page
    assert count_people() == 1


def test_a_job_that_stopped_updating_reads_as_interrupted(as_hr):
    upload(as_hr, ROWS)
    staged = db.session.scalars(select(StagedImport)).one()
    job, _ = jobs.start_job(
        staged, digest="0" * 64, partial=False, invite=False, actor_id=staged.created_by_id
    )
    job.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = as_hr.get(f"/hr/import/jobs/{job.id}").get_data(as_text=True)
    assert "stopped before it finished" in page and 'http-equiv="refresh"' not in page


@pytest.mark.parametrize("job_id", ["999", "99999999999999999999"])
def test_an_unknown_job_is_a_404(as_hr, job_id):
    assert as_hr.get(f"/hr/import/jobs/{job_id}").status_code == 404


def test_employees_cannot_see_import_jobs(client, auth, synced):
    make_employee()
    auth.login("erin@example.com")
    assert client.get("/hr/import/jobs/1").status_code == 403
    assert client.post("/hr/import/jobs/1/preview").status_code in (400, 403)
