"""lms.database.insert_rows: bulk rows go in as an INSERT would put them (COPY on PostgreSQL)."""

from sqlalchemy import delete, select

from lms.database import insert_rows
from lms.extensions import db
from lms.models import Assignment, AuditEvent, Module
from lms.models.base import utcnow, utctoday
from tests.factories import make_employee


def test_missing_columns_get_their_python_defaults(synced):
    erin = make_employee()
    module_ids = db.session.scalars(select(Module.id).order_by(Module.id)).all()
    db.session.execute(delete(Assignment))
    before = utcnow()
    rows = [
        {"user_id": erin.id, "module_id": m, "assigned_on": utctoday(), "due_date": utctoday()}
        for m in module_ids
    ]
    insert_rows(Assignment.__table__, rows)
    db.session.commit()
    stored = db.session.scalars(select(Assignment).order_by(Assignment.module_id)).all()
    assert [a.module_id for a in stored] == module_ids
    assert {(a.cycle, a.extra_attempts, a.program_id, a.closed_on) for a in stored} == {
        (1, 0, None, None)
    }
    assert all(before <= a.created_at <= utcnow() for a in stored)


def test_json_and_text_come_back_as_written(app):
    details = {"source": "cli", "rows": 3, "names": ["Zoë", "山田 太郎"], "nested": {"a": None}}
    rows = [
        {"created_at": utcnow(), "action": f"test.{n}", "actor_id": None, "user_id": None,
         "details": details, "prev_hash": "0" * 64, "hash": f"{n:064d}"}
        for n in range(3)
    ]  # fmt: skip
    insert_rows(AuditEvent.__table__, rows)
    db.session.commit()
    stored = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in stored] == ["test.0", "test.1", "test.2"]
    assert all(e.details == details for e in stored)


def test_nothing_to_insert_sends_nothing(app, count_queries):
    counter, _ = count_queries(lambda: insert_rows(AuditEvent.__table__, []))
    assert counter.count == 0
