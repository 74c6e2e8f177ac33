"""Running `renew` twice, late, dry, and with people joining, moving and leaving."""

from datetime import date, timedelta

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Assignment, AuditEvent, OutboxMessage, User
from lms.models.base import utcnow
from tests.engines import listening
from tests.renewal.conftest import (
    HIRED,
    TITLE,
    assignment_of,
    outbox_keys,
    renew_on,
    stores_hires,
)

ERIN, MONA = "erin@example.com", "mona@example.com"


def test_running_twice_on_one_day_sends_nothing_the_second_time(runner, smtp_server, mona, erin):
    day = HIRED + timedelta(days=31)
    first, _ = renew_on(runner, smtp_server, day)
    assert len(first) == 2
    second, output = renew_on(runner, smtp_server, day)
    assert second == set()
    assert (
        "emails queued: 0" in output
        and "emails sent: 0, failed: 0 (will be retried), failed for good: 0, still queued: 0"
        in output
    )


def test_a_late_run_catches_up_with_one_reminder_not_every_missed_one(
    runner, smtp_server, mona, erin
):
    aid = assignment_of(erin).id
    mail, _ = renew_on(runner, smtp_server, date(2025, 2, 25))  # first run: 20 days overdue
    assert mail == {
        (ERIN, f"Overdue: {TITLE} was due on 5 February 2025"),
        (MONA, f"Overdue: Erin Example has not completed {TITLE}"),
    }
    assert outbox_keys() == [f"{aid}:1:overdue:3", f"{aid}:1:overdue_manager:3"]
    assert renew_on(runner, smtp_server, date(2025, 2, 26))[0] == set()
    assert len(renew_on(runner, smtp_server, date(2025, 3, 5))[0]) == 2  # the next week's


def test_a_late_first_run_before_the_due_date_sends_the_assignment_only(
    runner, smtp_server, mona, erin
):
    mail, _ = renew_on(runner, smtp_server, date(2025, 1, 31))
    assert mail == {(ERIN, f"New training: {TITLE} (due 5 February 2025)")}
    assert renew_on(runner, smtp_server, date(2025, 2, 1))[0] == set()


def test_a_window_missed_entirely_sends_the_expiry_notice_only(runner, smtp_server, mona, erin):
    from tests.renewal.conftest import complete_on

    complete_on(erin, date(2025, 1, 10))
    renew_on(runner, smtp_server, date(2025, 1, 10))
    mail, _ = renew_on(runner, smtp_server, date(2026, 3, 1))
    assert mail == {
        (ERIN, f"Expired: your {TITLE} certification"),
        (MONA, f"Expired: Erin Example's {TITLE} certification"),
    }


def test_dry_run_reports_and_changes_nothing(runner, smtp_server, mona, erin):
    newcomer = User(email="nia@example.com", full_name="Nia New", department="Stores")
    db.session.add(newcomer)
    db.session.commit()
    mail, output = renew_on(runner, smtp_server, HIRED, "--dry-run")
    assert mail == set()
    assert "(dry run)" in output and "assignments: 1 created" in output
    assert "emails would be queued: 2 (assigned 2)" in output
    assert "nothing was changed" in output
    assert outbox_keys() == []
    assert db.session.scalar(select(func.count(Assignment.id))) == 1


def test_renew_assigns_new_hires_and_transfers_and_closes_leavers(runner, smtp_server, mona, erin):
    nia = User(email="nia@example.com", full_name="Nia New", department="Stores", hire_date=HIRED)
    db.session.add(nia)
    mona.department = "Stores"  # a transfer into the audience
    db.session.commit()
    mail, output = renew_on(runner, smtp_server, HIRED)
    assert "assignments: 2 created, 0 reopened, 0 closed" in output
    assert {to for to, _ in mail} == {ERIN, MONA, "nia@example.com"}
    assert assignment_of(nia).due_date == HIRED + timedelta(days=30)
    mona.department = "Management"  # and out again
    db.session.commit()
    _, output = renew_on(runner, smtp_server, HIRED + timedelta(days=1))
    assert "assignments: 0 created, 0 reopened, 1 closed" in output
    overdue, _ = renew_on(runner, smtp_server, HIRED + timedelta(days=31))
    assert MONA not in {to for to, subject in overdue if "Overdue: Every" in subject}


def test_terminated_people_get_nothing_and_their_manager_no_copy(runner, smtp_server, mona, erin):
    erin.is_active = False
    db.session.commit()
    mail, _ = renew_on(runner, smtp_server, HIRED + timedelta(days=31))
    assert mail == set()


def test_no_manager_copy_when_the_manager_has_left(runner, smtp_server, mona, erin):
    mona.is_active = False
    db.session.commit()
    mail, _ = renew_on(runner, smtp_server, HIRED + timedelta(days=31))
    assert mail == {(ERIN, f"Overdue: {TITLE} was due on 5 February 2025")}


def test_exempt_assignments_get_no_reminders(runner, smtp_server, mona, erin):
    assignment = assignment_of(erin)
    assignment.exempt_reason, assignment.exempt_at = "Certified elsewhere", utcnow()
    db.session.commit()
    assert renew_on(runner, smtp_server, HIRED + timedelta(days=31))[0] == set()


def test_each_run_leaves_an_audit_event(runner, smtp_server, mona, erin):
    renew_on(runner, smtp_server, HIRED)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "renew.completed"))
    assert event.details["as_of"] == HIRED.isoformat()
    assert event.details["queued"] == {"assigned": 1}


def test_mail_refused_at_first_stays_queued_and_goes_out_later_once(
    runner, smtp_server, mona, erin
):
    from lms.mail.sender import send_queued

    day = HIRED + timedelta(days=31)
    smtp_server.drop_connections(1000)
    mail, output = renew_on(runner, smtp_server, day, exit_code=1)  # nothing went: cron must see
    assert mail == set()
    assert (
        "emails sent: 0, failed: 2 (will be retried), failed for good: 0, still queued: 2" in output
    )
    assert "error: none of 2 email(s) could be delivered; they will be retried" in output
    mail, output = renew_on(runner, smtp_server, day)  # again: nothing new, retry not due yet
    assert mail == set() and "emails queued: 0" in output and "still queued: 2" in output
    smtp_server.drop_connections(0)  # the server is back
    assert send_queued(now=utcnow() + timedelta(minutes=5)).sent == 2
    assert len(smtp_server.mail()) == 2
    assert renew_on(runner, smtp_server, day)[0] == set()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_batches_cover_everyone(app, smtp_server, mona, erin):
    from lms.renewal.job import renew

    stores_hires(5)
    report = renew(HIRED, batch_size=2)
    assert report.queued["assigned"] == 6 and report.mail.sent == 6


def test_no_send_queues_the_reminders_and_leaves_them_to_send_mail(runner, smtp_server, mona, erin):
    day = date(2025, 2, 25)
    mail, output = renew_on(runner, smtp_server, day, "--no-send")
    assert mail == set()
    assert "emails queued: 2" in output and "left queued for send-mail (--no-send)" in output
    queued = db.session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
    assert len(queued.all()) == 2
    result = runner.invoke(args=["lms", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "emails sent: 2" in result.output
    assert {subject for _, subject in smtp_server.mail()} == {
        f"Overdue: {TITLE} was due on 5 February 2025",
        f"Overdue: Erin Example has not completed {TITLE}",
    }
    assert renew_on(runner, smtp_server, day)[0] == set()  # nothing twice


def test_a_run_that_queues_many_messages_refreshes_the_outbox_statistics(
    runner, smtp_server, mona, erin, monkeypatch
):
    import pytest

    import lms.renewal.job as job

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with listening("before_cursor_execute", listener):
        monkeypatch.setattr(job, "ANALYZE_AFTER", 3)
        renew_on(runner, smtp_server, date(2025, 1, 31))  # one message: no
        assert not [s for s in statements if s.startswith("ANALYZE")]
        monkeypatch.setattr(job, "ANALYZE_AFTER", 2)
        renew_on(runner, smtp_server, date(2025, 2, 25))  # two: yes
        assert [s for s in statements if s.startswith("ANALYZE")] == [
            "ANALYZE outbox_messages, sent_reminders"
        ]
