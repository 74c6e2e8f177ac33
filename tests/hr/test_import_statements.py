"""An import's SQL: the same statements, and on PostgreSQL the same text, for 20 new people as for 60.

Batches of people go to the database as one array parameter on PostgreSQL
(`lms.database.among`): an `IN (...)` list gave each id its own placeholder, a
statement SQLAlchemy rendered and psycopg parsed afresh per batch (a 100,000-person
import sent 100 UPDATEs of 1,000 placeholders to raise revisions, and 40 SELECTs of
5,000 to find ids and assignments). This fails if a batch goes back to `IN` lists.
"""

import re
from datetime import date

import pytest
from sqlalchemy import text

from lms.database.bulk import BULK_WORK_MEM
from lms.extensions import db
from lms.imports.apply import import_csv_bytes
from tests.hr.importing import csv_bytes, row

TODAY = date(2026, 6, 1)


def new_people(count: int, start: int) -> bytes:
    return csv_bytes(
        *(
            row(f"E{n}", f"p{n}@example.com", f"Person {n}", hire_date="2026-05-01")
            for n in range(start, start + count)
        )
    )


def statements_of(count_queries, data: bytes) -> list[str]:
    counter, result = count_queries(lambda: import_csv_bytes(data, today=TODAY))
    assert result.is_applied and result.counts["new"] == data.count(b"\n") - 1
    db.session.commit()
    # The advisory lock's and LIMIT's numbers aside, a statement is its text.
    return [re.sub(r"\s+", " ", s) for s in counter.statements]


def test_an_import_sends_the_same_statements_whatever_its_size(synced, count_queries):
    small = statements_of(count_queries, new_people(20, 1))
    large = statements_of(count_queries, new_people(60, 100))
    assert len(small) == len(large)
    if db.engine.dialect.name == "postgresql":
        assert small == large
        assert not [s for s in large if " IN (" in s]


def test_an_import_sorts_in_memory_on_postgresql(synced):
    """The import's transaction has room to sort (`room_to_sort`), and only that transaction."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no work_mem: nothing to set")
    result = import_csv_bytes(new_people(3, 1), today=TODAY)
    assert result.is_applied
    assert db.session.execute(text("SHOW work_mem")).scalar_one() == BULK_WORK_MEM
    db.session.commit()
    assert db.session.execute(text("SHOW work_mem")).scalar_one() != BULK_WORK_MEM


def test_new_hires_revisions_stay_while_a_transfer_s_are_raised(org_content, synced, count_queries):
    """People created by the import have no page anyone has seen: no UPDATE raises them.

    Someone already here whose training the import changes (a move into Stores, whose
    program adds a module) is raised, once.
    """

    def people(first_department: str) -> bytes:
        return csv_bytes(
            *(
                row(
                    f"E{n}",
                    f"p{n}@example.com",
                    f"Person {n}",
                    hire_date="2026-05-01",
                    department=first_department if n == 1 else "Online",
                )
                for n in range(1, 6)
            )
        )

    statements = statements_of(count_queries, people("Online"))
    assert not [s for s in statements if "training_rev" in s and s.startswith("UPDATE")]
    assert set(db.session.scalars(text("SELECT training_rev FROM users")).all()) == {0}
    result = import_csv_bytes(people("Stores"), today=TODAY)
    assert result.counts["updated"] == 1 and result.assigned.created == 1
    db.session.commit()
    revisions = dict(db.session.execute(text("SELECT employee_id, training_rev FROM users")).all())
    assert revisions == {"E1": 1, "E2": 0, "E3": 0, "E4": 0, "E5": 0}
