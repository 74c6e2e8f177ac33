"""Any file HR can upload is read into rows and line-numbered problems, never an exception.

Arbitrary bytes go through the CSV reader and the plan; rows made of any text
(NUL bytes, odd dates, loops of managers, duplicates) go through the whole import
(`flask lms import-hires`): it imports or refuses with `line N: column: problem`,
and a refusal writes nothing.
"""

from __future__ import annotations

import re
from datetime import date

from hypothesis import example, given
from hypothesis import strategies as st

from lms.extensions import db
from lms.imports.csvfile import COLUMNS, OPTIONAL_COLUMNS, RowError, parse_csv
from lms.imports.plan import Person, plan_import
from tests.hr.importing import HEADER
from tests.input.properties import PURE, THROUGH_DB

MESSAGE = re.compile(r"line [1-9]\d*: [^\n]+: [^\n]+", re.DOTALL)
PEOPLE = [
    Person(
        1, "E1", "ana@example.com", "Ana Lima", "Stores", "Cashier", date(2026, 3, 2), None, True
    ),
    Person(2, None, "bo@example.com", "Bo Berg", None, None, None, 1, True),
]


def assert_clear(errors: list[RowError]) -> None:
    for error in errors:
        text = str(error)
        assert MESSAGE.fullmatch(text), text
        assert "\x00" not in text and not any("\udc80" <= c <= "\udcff" for c in text), text


@PURE
@given(st.binary(max_size=400))
def test_any_bytes_are_rows_or_line_numbered_problems(data):
    parsed = parse_csv(data)
    assert_clear(parsed.errors)
    plan = plan_import(parsed, PEOPLE)
    assert_clear(plan.errors)


@PURE
@given(st.binary(max_size=300))
def test_any_bytes_after_a_good_header_are_rows_or_line_numbered_problems(data):
    parsed = parse_csv(HEADER.encode() + b"\n" + data)
    assert_clear(parsed.errors)
    assert_clear(plan_import(parsed, PEOPLE).errors)


# Rows as HR systems export them (each person once, managers named by email), with up to
# two cells replaced by something odd: the edges of what a cell may hold, what it should
# not (a NUL, a date no calendar reaches) or any text. Mostly valid rows, so that odd
# values get through to the database.
ODD = (
    st.sampled_from(
        [
            "",
            " E2 ",
            "E\x001",
            "Cy\x00Chan",
            "x" * 201,
            "P1@Example.COM",
            "x@",
            "1900-01-01",
            "2199-12-31",
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "soon",
            "Terminated",
            "gone",
        ]
    )
    | st.dates().map(str)
    | st.text(max_size=12)
)


@st.composite
def exports(draw) -> bytes:
    columns = list(COLUMNS) + (list(OPTIONAL_COLUMNS) if draw(st.booleans()) else [])
    rows = []
    for n in range(1, draw(st.integers(0, 4)) + 1):
        earlier = [r["email"] for r in rows]
        row = {
            "employee_id": f"E{n}",
            "email": f"p{n}@example.com",
            "full_name": f"Person {n}",
            "department": draw(st.sampled_from(["Stores", "Online", ""])),
            "role": draw(st.sampled_from(["Cashier", ""])),
            "hire_date": "2026-03-02",
            "manager_email": draw(st.sampled_from(["", *earlier])),
            "status": draw(st.sampled_from(["", "active", "terminated"])),
        }
        row |= draw(st.dictionaries(st.sampled_from(columns), ODD, max_size=2))
        rows.append(row)
    lines = [",".join(columns)] + [",".join(csv_cell(row[c]) for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def snapshot() -> dict[str, list]:
    db.session.expire_all()
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
    }


NUL_NAME = HEADER.encode() + b'\nE1,ana@example.com,"Ana\x00Lima",Stores,Cashier,2026-03-02,\n'
FAR_HIRE = HEADER.encode() + b"\nE1,ana@example.com,Ana Lima,Stores,Cashier,9999-12-31,\n"


@THROUGH_DB
@given(data=exports(), partial=st.booleans())
@example(data=NUL_NAME, partial=False)  # PostgreSQL raised; SQLite stored the NUL
@example(data=FAR_HIRE, partial=True)  # accepted, then overflowed adding the due period
def test_an_import_applies_or_refuses_with_clear_problems_and_writes_nothing_then(
    runner, synced, tmp_path, data, partial
):
    path = tmp_path / "hires.csv"
    path.write_bytes(data)
    before = snapshot()
    result = runner.invoke(
        args=["lms", "import-hires", str(path), *(["--partial"] if partial else [])]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    problems = [line for line in result.output.splitlines() if line.startswith("line ")]
    if result.exit_code == 0:
        assert "imported:" in result.output and not problems
    elif "nothing was imported" in result.output:
        assert problems, result.output
        assert snapshot() == before  # refused: not one row written
    else:
        assert partial and problems and "were not imported" in result.output, result.output
