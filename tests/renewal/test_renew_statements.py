"""The statements behind `renew`'s work, counted: the round trips its speed-ups cut (issue 18)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.mail.outbox import message_values, queue_emails
from lms.models import OutboxMessage
from tests.conftest import QueryCounter
from tests.engines import listening
from tests.factories import make_employee


def counted(fn):
    counter = QueryCounter()
    with listening("before_cursor_execute", counter):
        result = fn()
    return counter.statements, result


def test_thousands_of_messages_are_one_insert_on_postgresql(app, synced):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes an executemany, a loop in C inside one file")
    erin = make_employee()
    context = {"employee": erin, "title": "T", "due": "", "link": ""}
    rows = [
        message_values(
            to=erin, subject=f"s{n}", template="assigned", context=context, key=f"k{n}", kind="x"
        )
        for n in range(2500)
    ]
    statements, kinds = counted(lambda: queue_emails(rows))
    assert len(statements) == 1 and "unnest" in statements[0]  # 1,000 rows a statement before
    assert kinds == ["x"] * 2500
    again, kinds = counted(lambda: queue_emails(rows[2400:] + [rows[0]]))
    assert len(again) == 1 and kinds == []
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2500


def test_the_outbox_statistics_are_refreshed_each_time_the_queued_count_doubles(
    app, mona, erin, monkeypatch
):
    import lms.renewal.job as job
    from tests.renewal.conftest import HIRED, stores_hires

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    stores_hires(6)
    monkeypatch.setattr(job, "ANALYZE_AFTER", 1)
    statements, report = counted(lambda: job.renew(HIRED, send=False, batch_size=1))
    assert report.queued.total() == 7  # one "New training" message each, one person a batch
    # At 1, 2, 4 messages queued: one every message (7) before.
    assert len([s for s in statements if s.startswith("ANALYZE")]) == 3
