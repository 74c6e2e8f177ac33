"""An import reports every problem of every row at once, and its page is one of HR's pages
(navigation, a template CSV to start from)."""

import pytest

from lms.imports.csvfile import parse_csv
from lms.imports.plan import plan_import
from tests.hr.importing import csv_bytes, row
from tests.hr.test_import_plan import ANA, errors, plan

UNKNOWN = "manager_email: unknown manager nobody@example.com: no one in the file or in Attest has that email"


@pytest.mark.parametrize(
    ("line", "other"),
    [
        (
            row(hire_date="2026-13-01", manager_email="nobody@example.com"),
            "line 2: hire_date: 2026-13-01 is not a real date",
        ),
        (
            row(full_name="", manager_email="nobody@example.com"),
            "line 2: full_name: a value is required",
        ),
        (
            row(email="not-an-email", manager_email="nobody@example.com"),
            "line 2: email: 'not-an-email' is not an email address",
        ),
    ],
)
def test_an_unknown_manager_is_reported_beside_the_rows_other_problems(line, other):
    found = errors(plan(line))
    assert any(e.startswith(other) for e in found), found
    assert f"line 2: {UNKNOWN}" in found


def test_an_unknown_manager_on_a_row_whose_email_clashes_is_reported_too():
    clash = row("E9", "ana@example.com", manager_email="nobody@example.com")
    found = errors(plan(clash, people=[ANA]))
    assert any("line 2: email:" in e for e in found) and f"line 2: {UNKNOWN}" in found


def test_a_known_manager_on_a_refused_row_is_not_a_problem():
    lines = (
        row("E2", "sam@example.com"),
        row("E3", "cy@example.com", hire_date="x", manager_email="sam@example.com"),
    )
    found = errors(plan(*lines))
    assert found == ["line 3: hire_date: 'x' is not a date; use YYYY-MM-DD"]


def test_each_row_is_reported_once_per_problem():
    found = errors(plan(row(hire_date="x", manager_email="nobody@example.com")))
    assert found.count(f"line 2: {UNKNOWN}") == 1 and len(found) == 2


def test_the_import_page_has_the_hr_navigation_and_a_template_to_download(org, login):
    client = login(org.hr)
    page = client.get("/hr/import/").get_data(as_text=True)
    assert 'class="hr-nav"' in page and 'href="/hr/outbox"' in page
    assert 'href="/hr/import/" aria-current="page"' in page
    assert 'href="/hr/import/template.csv"' in page
    response = client.get("/hr/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    template = response.get_data()
    assert template.startswith(
        b"employee_id,email,full_name,department,role,hire_date,manager_email"
    )
    # The example row imports as it is into an empty Attest.
    result = plan_import(parse_csv(template), [])
    assert result.errors == [] and result.counts["new"] == 1


def test_the_template_is_hr_only(org, login, client):
    assert login(org.mgr_a).get("/hr/import/template.csv").status_code == 403
    client.post("/logout")
    assert client.get("/hr/import/template.csv").status_code == 302


def test_the_web_preview_lists_both_problems_of_a_row(org, login):
    data = csv_bytes(
        row("E7", "zed@example.com", hire_date="2026-02-30", manager_email="nobody@example.com")
    )
    from io import BytesIO

    page = (
        login(org.hr)
        .post(
            "/hr/import/",
            data={"file": (BytesIO(data), "hires.csv")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        .get_data(as_text=True)
    )
    assert "2026-02-30 is not a real date" in page
    assert "unknown manager nobody@example.com" in page
