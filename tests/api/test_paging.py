"""One `Page` (lms.reports.paging) for the lists paged by number: an empty list is one empty page.

Before HR and the API shared it, HR said "page 1 of 1" and the API `"pages": 0` for the same
empty result, with `"page": 1`: a page number past the page count. The lists paged by keyset
(HR's people, the report, the API after a cursor) have no page numbers: empty, they are one
page with no cursor on either side.
"""

from datetime import date

from lms.hr.queries import audit_page, people_page
from lms.reports.assignments import report_page
from lms.reports.filters import Filters
from lms.reports.paging import Page, clamp_page, page_count
from lms.reports.scope import Scope


def test_an_empty_api_list_is_one_empty_page(api):
    found = api.get("/api/v1/employees?department=Nowhere").json
    assert (found["total"], found["page"], found["pages"], found["employees"]) == (0, 1, 1, [])
    assert found["next"] is None
    after = api.get("/api/v1/employees?department=Nowhere&after=0").json
    assert (after["employees"], after["next"]) == ([], None)


def test_an_empty_hr_list_is_one_empty_page(app):
    day = date(2026, 12, 2)
    pages = (
        report_page(Scope(), Filters(as_of=day, department="Nowhere"), 7),
        audit_page("no.such.action", None, 7),
    )
    for page in pages:
        assert (page.total, page.page, page.pages, page.rows) == (0, 1, 1, [])
        assert (page.first_index, page.last_index) == (0, 0)


def test_an_empty_keyset_list_is_one_page_with_no_cursors(app):
    for cursor in ({}, {"after": 1}, {"before": 1}):
        page = people_page(Scope(), "nobody at all", date(2026, 12, 2), **cursor)
        assert (page.total, page.rows, page.after, page.before) == (0, [], None, None)


def test_page_counts_and_clamps():
    assert [page_count(total, 10) for total in (0, 1, 10, 11, 20, 21)] == [1, 1, 1, 2, 2, 3]
    assert [clamp_page(page, 25, 10) for page in (-5, 0, 1, 2, 3, 4, 99)] == [1, 1, 1, 2, 3, 3, 3]
    assert clamp_page(5, 0, 10) == 1
    assert Page([], 0, 1, 10).pages == 1
