"""lms.database.insert_rows: bulk rows go in as an INSERT would put them (COPY on PostgreSQL)."""

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

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
