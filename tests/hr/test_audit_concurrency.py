"""Two writers at once never fork the audit chain."""

import threading

import pytest
from sqlalchemy import func, select

from lms.audit import first_broken_link, record_event
from lms.extensions import db
from lms.models import AuditEvent


def test_concurrent_writers_keep_one_chain(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; the race needs PostgreSQL")
    barrier = threading.Barrier(2)
    errors = []

    def writer(name):
        try:
            with app.app_context():
                barrier.wait()
                for n in range(25):
                    record_event("test.concurrent", details={"writer": name, "n": n})
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 50
    assert first_broken_link() is None
