"""The report's CSV on PostgreSQL is written by COPY: the same bytes as the csv module's.

The portable path (`csv_chunks` over `iter_report_rows`, what SQLite serves) is the
reference; every awkward cell is here: commas, quotes, line breaks inside a cell,
formulas in the columns people type into (and a formula-looking cell in a column
that is not defused), empty strings and NULLs, non-ASCII text.
"""

import pytest

from lms.extensions import db
from lms.hr.exports import copy_csv_chunks, csv_chunks
from lms.reports.assignments import (
    REPORT_COLUMNS,
    REPORT_TEXT_COLUMNS,
    iter_report_rows,
    report_windows,
)
from lms.reports.filters import Filters
from lms.reports.scope import Scope
from tests.hr.test_reports import csv_rows


@pytest.fixture
def awkward(org):
    """The org with every kind of awkward cell in the report's columns."""
    org.emp_a1.full_name = 'Ann "Annie", O\'Neil\nJr'
    org.emp_a1.role = ""  # an empty string, not NULL: both must come out as an empty cell
    org.emp_a1.employee_id = "@A1"
    org.lead_a.full_name = '=HYPERLINK("http://evil.example")'  # emp_a1's manager column
    org.emp_a2.full_name = "Zoë Ødegård, 山田\r\n"
    org.emp_a2.department = "-Stores"
    org.emp_a2.employee_id = "\tA2"
    org.mgr_b.full_name = '+Priya, "the boss"'
    org.emp_b1.email = "cleo@example.com"
    org.emp_b1.role = '"quoted"'
    org.loner.department = ""
    exempt = org.assignment(org.emp_b1, "dignity")
    exempt.exempt_reason = '+1 line\nand another, with "quotes"\r\nand \r a CR'
    exempt.exempt_at = exempt.created_at
    exempt.exempt_by = org.hr
    db.session.commit()
    return org


def portable(f: Filters) -> bytes:
    from lms.hr.routes import REPORT_CONVERT

    rows = iter_report_rows(Scope(), f, batch_size=3)
    return "".join(csv_chunks(REPORT_COLUMNS, rows, REPORT_CONVERT, rows_per_chunk=2)).encode()


def test_copy_writes_the_same_bytes_as_the_csv_module(awkward):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    f = Filters(as_of=awkward.today)
    expected = portable(f)
    assert expected.count(b"\r\n") > 12  # a header, twelve rows, and line breaks inside cells
    assert b'"Ann ""Annie"", O\'Neil\nJr"' in expected
    assert b"'=HYPERLINK" in expected and b"'@A1" in expected and b"'-Stores" in expected
    # Small windows and chunks: the boundaries between COPYs and between chunks are exercised.
    for window, chunk in ((3, 2), (5, 1), (50_000, 2000)):
        copied = b"".join(
            copy_csv_chunks(
                REPORT_COLUMNS,
                report_windows(Scope(), f, window),
                REPORT_TEXT_COLUMNS,
                rows_per_chunk=chunk,
            )
        )
        assert copied == expected, (window, chunk)
    # Filtered, and on another day (a different status column), likewise.
    for narrowed in (
        Filters(as_of=awkward.today, department="Stores"),
        Filters(as_of=awkward.today.replace(year=awkward.today.year + 3), status="expired"),
        Filters(as_of=awkward.today, department="nobody"),
    ):
        copied = b"".join(
            copy_csv_chunks(
                REPORT_COLUMNS, report_windows(Scope(), narrowed, 4), REPORT_TEXT_COLUMNS
            )
        )
        assert copied == portable(narrowed), narrowed


def test_the_download_is_the_portable_paths_bytes_on_either_database(awkward, login):
    client = login(awkward.hr)
    f = Filters(as_of=awkward.today)
    response = client.get("/hr/assignments.csv")
    assert response.is_streamed
    assert response.get_data() == portable(f)
    rows = csv_rows(client.get("/hr/assignments.csv"))
    assert len(rows) == 12
    assert {r["full_name"] for r in rows} >= {'Ann "Annie", O\'Neil\nJr', "Zoë Ødegård, 山田\r\n"}
    module = client.get("/hr/modules/dignity.csv")
    assert module.get_data() == portable(Filters(as_of=awkward.today, module="dignity"))
