"""The assignments report: every filter, pagination, and the streamed CSV with the same filters."""

import csv
import io
from datetime import timedelta

import pytest

from lms.extensions import db
from lms.reports.assignments import REPORT_COLUMNS, iter_report_rows, report_page
from lms.reports.filters import Filters
from lms.reports.scope import Scope


def csv_rows(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert tuple(reader.fieldnames) == REPORT_COLUMNS
    return list(reader)


def people_in(client, query):
    return sorted({r["full_name"] for r in csv_rows(client.get(f"/hr/assignments.csv?{query}"))})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("department=Customer+Service", ["Cleo Castillo", "Priya Nair"]),
        ("module=honesty", ["Ada Adeyemi", "Ben Brennan", "Lee Lead", "Sam Okafor"]),
        ("program=stores", ["Ada Adeyemi", "Ben Brennan", "Lee Lead", "Sam Okafor"]),
        ("status=overdue", ["Ada Adeyemi"]),
        ("status=expired", ["Cleo Castillo"]),
        ("status=exempt", ["Ben Brennan"]),
        ("status=in_progress", ["Sam Okafor"]),
        ("status=noncompliant", ["Ada Adeyemi", "Cleo Castillo"]),
        ("module=dignity&status=pending", ["Hana Reyes", "Lou Loner", "Priya Nair", "Sam Okafor"]),
        (
            "department=Stores&module=dignity&status=compliant",
            ["Ada Adeyemi", "Ben Brennan", "Lee Lead"],
        ),
    ],
)
def test_each_filter_narrows_the_report(org, login, query, expected):
    assert people_in(login(org.hr), query) == expected


def test_manager_filter_means_the_managers_whole_team(org, login):
    client = login(org.hr)
    assert people_in(client, f"manager={org.mgr_a.id}") == [
        "Ada Adeyemi",
        "Ben Brennan",
        "Lee Lead",
    ]
    assert people_in(client, f"manager={org.lead_a.id}") == ["Ada Adeyemi", "Ben Brennan"]


def test_date_ranges_filter_due_and_expiry_dates(org, login):
    client = login(org.hr)
    t = org.today
    due = f"due_from={(t - timedelta(days=31)).isoformat()}&due_to={(t - timedelta(days=29)).isoformat()}"
    assert "Ada Adeyemi" in people_in(client, due)
    assert "Hana Reyes" not in people_in(client, due)  # due in 10 days
    expires = f"expires_from={t.isoformat()}&expires_to={(t + timedelta(days=20)).isoformat()}"
    assert people_in(client, expires) == ["Ben Brennan"]


def test_as_of_changes_the_status_column_and_the_status_filter(org, login):
    client = login(org.hr)
    later = (org.today + timedelta(days=20)).isoformat()
    rows = csv_rows(client.get(f"/hr/assignments.csv?as_of={later}&status=expired"))
    assert sorted(r["full_name"] for r in rows) == ["Ben Brennan", "Cleo Castillo"]
    assert {r["status"] for r in rows} == {"expired"}


def test_bad_filters_are_reported_and_nothing_is_listed(org, login):
    client = login(org.hr)
    response = client.get("/hr/assignments?due_from=yesterday&status=sideways&manager=abc")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Due from: Not a valid date value." in page
    assert "Status: Not a valid choice." in page
    assert "Choose a manager by name, email or employee number." in page
    assert "Ada Adeyemi" not in page
    assert client.get("/hr/assignments.csv?due_from=yesterday").status_code == 400
    reversed_range = client.get("/hr/assignments?due_from=2026-05-01&due_to=2026-04-01")
    assert reversed_range.status_code == 400
    assert "must be on or after" in reversed_range.get_data(as_text=True)


def test_the_page_shows_people_modules_statuses_and_links(org, login):
    page = login(org.hr).get("/hr/assignments?status=overdue").get_data(as_text=True)
    assert f'href="/hr/people/{org.emp_a1.id}"' in page
    assert 'href="/hr/modules/honesty"' in page
    assert "badge-overdue" in page
    assert 'href="/hr/assignments.csv?status=overdue"' in page


def test_pages_split_the_report_and_keep_the_filters(org, login):
    f = Filters(as_of=org.today)
    first, second = report_page(Scope(), f, 1, per_page=5), report_page(Scope(), f, 2, per_page=5)
    last = report_page(Scope(), f, 99, per_page=5)
    assert first.total == 12 and first.pages == 3
    assert len(first.rows) == 5 and len(second.rows) == 5 and len(last.rows) == 2
    assert last.page == 3
    ids = [r.assignment_id for r in first.rows + second.rows + last.rows]
    assert len(set(ids)) == 12
    assert [r.full_name for r in first.rows] == sorted(r.full_name for r in first.rows)


def test_csv_is_streamed_and_defuses_formulas(org, login):
    org.emp_b1.full_name = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    response = login(org.hr).get("/hr/assignments.csv?department=Customer+Service")
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    names = {r["full_name"] for r in csv_rows(response)}
    assert '\'=HYPERLINK("http://evil.example")' in names


def test_csv_export_fetches_in_batches_and_keeps_every_row(org):
    rows = list(iter_report_rows(Scope(), Filters(as_of=org.today), batch_size=5))
    assert len(rows) == 12
    assert [r.assignment_id for r in rows] == sorted(r.assignment_id for r in rows)


def test_csv_export_runs_one_query_per_batch(org, count_queries):
    counter, rows = count_queries(
        lambda: list(iter_report_rows(Scope(), Filters(as_of=org.today), batch_size=5))
    )
    assert len(rows) == 12
    # the id range, then ids 1-5, 6-10, 11-12: memory holds one batch, whatever the total
    assert counter.count == 4


def test_download_names_are_safe_whatever_the_employee_id(org, login):
    org.emp_a1.employee_id = 'A1"; evil=1'
    db.session.commit()
    response = login(org.hr).get(f"/hr/people/{org.emp_a1.id}.csv")
    response.get_data()  # a streamed body must be read to the end, which ends its app context
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="transcript-A1___evil_1.csv"'
