"""The assignments report by keyset: every row once, in order, forwards and back; totals from the summary."""

from sqlalchemy import update

from lms.compliance.queries import report_page
from lms.extensions import db
from lms.models import User
from lms.reports.assignments import count_of, report_select
from lms.reports.assignments import report_page as offset_page
from lms.reports.filters import Filters
from lms.reports.scope import Scope


def every_row(scope, f):
    return [r.assignment_id for r in offset_page(scope, f, 1, per_page=1000).rows]


def test_walking_forwards_and_back_gives_every_row_once_in_order(org):
    # Same names, so the order falls back on the person's id.
    db.session.execute(update(User).where(User.department == "Stores").values(full_name="Sam Same"))
    db.session.commit()
    f = Filters(as_of=org.today)
    expected = every_row(Scope(), f)
    assert len(expected) > 7
    seen, page = [], report_page(Scope(), f, per_page=3)
    assert page.before is None and page.total == len(expected)
    pages = [page]
    while True:
        seen += [r.assignment_id for r in page.rows]
        if page.after is None:
            break
        page = report_page(Scope(), f, after=page.after, per_page=3)
        pages.append(page)
    assert seen == expected
    back = []
    page = pages[-1]
    while page.before is not None:
        page = report_page(Scope(), f, before=page.before, per_page=3)
        back = [r.assignment_id for r in page.rows] + back
    assert back == expected[: len(back)] and len(back) == len(expected) - len(pages[-1].rows)
    assert page.before is None and page.after == pages[0].after


def test_totals_come_from_the_summary_and_match_a_count(org):
    for status in (None, "overdue", "pending", "compliant", "noncompliant", "exempt"):
        for department in (None, "Stores", "-"):
            f = Filters(as_of=org.today, status=status, department=department, module="dignity")
            assert report_page(Scope(), f).total == count_of(Scope(), f), (status, department)


def test_an_unknown_or_foreign_cursor_gives_the_first_page(org):
    f = Filters(as_of=org.today, department="Stores")
    first = report_page(Scope(), f, per_page=2)
    assert report_page(Scope(), f, after=10**9, per_page=2).rows == first.rows
    outside = db.session.execute(
        report_select(Scope(), Filters(as_of=org.today, department="Online"))
    ).first()
    page = report_page(Scope(), f, after=outside.assignment_id, per_page=50)
    assert {r.department for r in page.rows} <= {"Stores"}


def test_the_report_page_links_on_by_cursor(org, login):
    client = login(org.hr)
    html = client.get("/hr/assignments?after=x&before=-").get_data(as_text=True)
    assert "Next page" not in html  # twelve rows fit on a page; bad cursors are ignored
    response = client.get("/hr/assignments?after=1")
    assert response.status_code == 200
    assert 'rel="prev"' in response.get_data(as_text=True)
