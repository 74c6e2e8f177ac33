"""lms.database.insert_rows: bulk rows go in as an INSERT would put them (COPY on PostgreSQL)."""

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DataError, IntegrityError

from lms.database import COPY_MIN_ROWS, insert_rows
from lms.extensions import db
from lms.models import Assignment, AuditEvent, Module, User
from lms.models.base import utcnow, utctoday
from tests.factories import make_employee


def test_missing_columns_get_their_python_defaults(synced):
    # Enough rows for COPY on PostgreSQL: people, each given every module.
    module_ids = db.session.scalars(select(Module.id).order_by(Module.id)).all()
    count = COPY_MIN_ROWS // len(module_ids) + 1
    people = [make_employee(email=f"p{n}@example.com") for n in range(count)]
    db.session.execute(delete(Assignment))
    before = utcnow()
    rows = [
        {"user_id": p.id, "module_id": m, "assigned_on": utctoday(), "due_date": utctoday()}
        for p in people
        for m in module_ids
    ]
    assert len(rows) >= COPY_MIN_ROWS
    insert_rows(Assignment.__table__, rows)
    db.session.commit()
    stored = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
    assert [(a.user_id, a.module_id) for a in stored] == [
        (r["user_id"], r["module_id"]) for r in rows
    ]
    assert {(a.cycle, a.extra_attempts, a.program_id, a.closed_on) for a in stored} == {
        (1, 0, None, None)
    }
    assert all(before <= a.created_at <= utcnow() for a in stored)


@pytest.mark.parametrize("count", [3, COPY_MIN_ROWS])
def test_json_and_text_come_back_as_written(app, count):
    details = {"source": "cli", "rows": 3, "names": ["Zoë", "山田 太郎"], "nested": {"a": None}}
    rows = [
        {
            "created_at": utcnow(),
            "action": f"test.{n}",
            "actor_id": None,
            "user_id": None,
            "details": details,
            "prev_hash": "0" * 64,
            "hash": f"{n:064d}",
        }
        for n in range(count)
    ]
    insert_rows(AuditEvent.__table__, rows)
    db.session.commit()
    stored = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in stored] == [f"test.{n}" for n in range(count)]
    assert all(e.details == details for e in stored)


def test_nothing_to_insert_sends_nothing(app, count_queries):
    counter, _ = count_queries(lambda: insert_rows(AuditEvent.__table__, []))
    assert counter.count == 0


@pytest.mark.parametrize("count", [3, COPY_MIN_ROWS + 50])
def test_a_refused_row_raises_integrity_error_and_writes_nothing(app, count):
    # Someone else got there first with one of the emails (another instance, say).
    with db.engine.begin() as other:
        other.execute(insert(User).values(email="p1@example.com", full_name="Already Here"))
    rows = [
        {"email": f"p{n}@example.com", "full_name": f"Person {n}", "is_active": True}
        for n in range(count)
    ]
    with pytest.raises(IntegrityError):
        insert_rows(User.__table__, rows)
    db.session.rollback()
    assert db.session.scalars(select(User.full_name)).all() == ["Already Here"]


TRICKY = [
    "tab\there",
    "new\nline",
    "back\\slash",
    "\\N",
    "cr\rlf\r\n",
    "Zoë 山田 محمد",
    "",
    "'q\"",
    "\\.",
]


def test_text_dates_booleans_and_nulls_come_back_as_written(app):
    # COPY's own text is written here (lms.database.bulk.copy_text): its escapes, and \N
    # as a value rather than NULL, against every value that needs them.
    rows = [
        {
            "email": f"p{n}@example.com",
            "full_name": TRICKY[n % len(TRICKY)] + str(n),
            "employee_id": None if n % 3 == 0 else f"E{n}",
            "department": None if n % 4 == 0 else TRICKY[(n + 1) % len(TRICKY)],
            "hire_date": None if n % 5 == 0 else utctoday(),
            "is_active": n % 2 == 0,
        }
        for n in range(COPY_MIN_ROWS + 20)
    ]
    insert_rows(User.__table__, rows)
    db.session.commit()
    stored = db.session.execute(
        select(
            User.email,
            User.full_name,
            User.employee_id,
            User.department,
            User.hire_date,
            User.is_active,
            User.session_version,
            User.is_hr,
        ).order_by(User.id)
    ).all()
    assert [tuple(r[:6]) for r in stored] == [tuple(r.values()) for r in rows]
    assert {(r.session_version, r.is_hr) for r in stored} == {(1, False)}  # Python defaults


def test_json_with_escapes_and_timestamps_come_back_as_written(app):
    at = utcnow()
    rows = [
        {
            "created_at": at,
            "action": TRICKY[n % len(TRICKY)],
            "details": {"text": TRICKY[n % len(TRICKY)], "n": n, "none": None, "list": [1, "\\"]},
            "prev_hash": "0" * 64,
            "hash": f"{n:064d}",
        }
        for n in range(COPY_MIN_ROWS + 5)
    ]
    insert_rows(AuditEvent.__table__, rows)
    db.session.commit()
    stored = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.created_at, e.action, e.details) for e in stored] == [
        (r["created_at"], r["action"], r["details"]) for r in rows
    ]


def test_a_nul_in_text_is_refused_and_writes_nothing_on_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores a NUL; the import refuses it before (lms.imports.csvfile)")
    rows = [
        {"email": f"p{n}@example.com", "full_name": "Nul\x00" if n == 7 else "Fine"}
        for n in range(COPY_MIN_ROWS + 5)
    ]
    with pytest.raises(DataError):
        insert_rows(User.__table__, rows)
    db.session.rollback()
    assert db.session.scalar(select(User.id)) is None
