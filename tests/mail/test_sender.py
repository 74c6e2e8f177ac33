"""Delivering the outbox over real SMTP: once each, retried with backoff, never lost."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.mail.sender import claim_batch, retry_delay, send_queued
from lms.models import OutboxMessage
from lms.models.base import utcnow
from lms.renewal.notices import queue_notice
from tests.factories import make_employee


def queue(n, *, to=None):
    """Queue n distinct reminders to Erin (or `to`) and commit."""
    from lms.mail.outbox import queue_email

    erin = to or make_employee()
    for i in range(n):
        queue_email(
            to=erin,
            subject=f"Message {i}",
            template="assigned",
            key=f"test:{i}",
            context={
                "employee": erin,
                "title": f"Module {i}",
                "due": "soon",
                "link": f"http://attest.test/modules/m{i}",
            },
        )
    db.session.commit()
    return erin


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 2), (3, 4), (6, 32), (9, 256), (10, 360), (50, 360)],
)
def test_retry_delay_doubles_up_to_six_hours(attempts, minutes):
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_sent_email_is_multipart_with_subject_link_and_stable_message_id(app, synced, smtp_server):
    queue(1)
    report = send_queued()
    assert (report.sent, report.failed, report.remaining) == (1, 0, 0)
    [message] = smtp_server.messages
    assert message["Subject"] == "Message 0"
    assert message["To"] == "erin@example.com"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Message-ID"] == f"<outbox-{rows()[0].id}@attest.test>"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "http://attest.test/modules/m0" in text
    assert 'href="http://attest.test/modules/m0"' in html
    [row] = rows()
    assert row.sent_at is not None and row.claimed_by is None and row.status == "sent"


def test_sending_again_sends_nothing(app, synced, smtp_server):
    queue(3)
    assert send_queued().sent == 3
    report = send_queued()
    assert (report.sent, report.failed, report.remaining) == (0, 0, 0)
    assert len(smtp_server.messages) == 3


def test_limit_sends_only_that_many(app, synced, smtp_server):
    queue(5)
    report = send_queued(limit=2)
    assert (report.sent, report.remaining) == (2, 3)
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["Message 0", "Message 1"]


def test_names_and_subjects_beyond_ascii_survive(app, synced, smtp_server):
    from lms.mail.outbox import queue_email

    app.config["MAIL_FROM"] = "Équipe Formation <attest@example.com>"
    chloe = make_employee(email="chloe@example.com", full_name="Chloé Müller")
    queue_email(
        to=chloe,
        subject="Überfällig: Chloé Müller",
        template="assigned",
        context={"employee": chloe, "title": "Dignité", "due": "", "link": ""},
    )
    db.session.commit()
    send_queued()
    [message] = smtp_server.messages
    assert message["Subject"] == "Überfällig: Chloé Müller"
    assert message["From"].addresses[0].display_name == "Équipe Formation"
    assert "Hello Chloé," in message.get_body(("plain",)).get_content()
    assert "Dignité" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize("failure", ["drop_connections", "refuse_connections"])
def test_unreachable_server_keeps_messages_queued_and_backs_off(app, synced, smtp_server, failure):
    queue(3)
    getattr(smtp_server, failure)(1000)
    started = utcnow()
    report = send_queued()
    assert (report.sent, report.failed, report.remaining) == (0, 3, 3)
    for row in rows():
        assert row.attempts == 1 and row.status == "retrying" and row.last_error
        assert started + timedelta(minutes=1) <= row.send_after <= utcnow() + timedelta(minutes=1)
    assert send_queued().failed == 0, "nothing is due before the backoff has passed"
    report = send_queued(now=utcnow() + timedelta(minutes=2))
    assert (report.sent, report.failed) == (0, 3)
    assert {row.attempts for row in rows()} == {2}
    getattr(smtp_server, failure)(0)  # the server is back
    report = send_queued(now=utcnow() + timedelta(minutes=10))
    assert (report.sent, report.failed, report.remaining) == (3, 0, 0)
    assert send_queued(now=utcnow() + timedelta(days=1)).sent == 0
    assert sorted(m["Subject"] for m in smtp_server.messages) == [f"Message {i}" for i in range(3)]


def test_first_connections_refused_then_every_message_goes_once(app, synced, smtp_server):
    queue(20)
    smtp_server.refuse_connections(2)
    first = send_queued()
    assert first.sent + first.failed == 20 and first.failed > 0
    later = send_queued(now=utcnow() + timedelta(minutes=5))
    assert (first.sent + later.sent, later.remaining) == (20, 0)
    assert sorted(m["Subject"] for m in smtp_server.messages) == sorted(
        f"Message {i}" for i in range(20)
    )


def test_one_connection_sends_in_queue_order(app, synced, smtp_server):
    app.config["MAIL_CONNECTIONS"] = 1
    queue(5)
    assert send_queued().sent == 5
    assert [m["Subject"] for m in smtp_server.messages] == [f"Message {i}" for i in range(5)]


def test_a_rejected_message_is_retried_alone(app, synced, smtp_server):
    queue(3)
    smtp_server.reject_messages(1)
    report = send_queued()
    assert (report.sent, report.failed, report.remaining) == (2, 1, 1)
    assert sorted(r.status for r in rows()) == ["retrying", "sent", "sent"]
    assert "451" in next(r.last_error for r in rows() if r.status == "retrying")
    assert send_queued(now=utcnow() + timedelta(minutes=5)).sent == 1
    assert sorted(m["Subject"] for m in smtp_server.messages) == [f"Message {i}" for i in range(3)]


def test_send_mail_command_reports_and_keeps_failures_for_later(app, synced, smtp_server, runner):
    queue(2)
    smtp_server.refuse_connections(1000)
    result = runner.invoke(args=["lms", "send-mail"])
    assert result.exit_code == 1, "nothing could be delivered: cron monitoring must notice"
    assert (
        "emails sent: 0, failed: 2 (will be retried), failed for good: 0, still queued: 2"
        in result.stdout
    )
    assert result.stderr == (
        "error: none of 2 email(s) could be delivered; they will be retried: The mail server "
        "would not talk to Attest: 421 4.3.2 Service not available, closing channel\n"
    )
    assert smtp_server.messages == []
    assert len(rows()) == 2


def test_a_person_terminated_after_queueing_is_not_sent_it(app, synced, smtp_server):
    erin = queue(1)
    erin.is_active = False
    db.session.commit()
    report = send_queued()
    assert (report.sent, report.remaining) == (0, 0)
    [row] = rows()
    assert row.status == "cancelled" and row.last_error == "recipient terminated"
    assert smtp_server.messages == []


def test_two_senders_never_claim_the_same_message(app, synced):
    queue(5)
    now = utcnow()
    first = claim_batch("one", now, 3)
    second = claim_batch("two", now, 10)
    assert [m.id for m in first] == [r.id for r in rows()[:3]]
    assert [m.id for m in second] == [r.id for r in rows()[3:]]
    assert claim_batch("three", now, 10) == []


def test_a_claim_abandoned_by_a_dead_sender_is_taken_over(app, synced, smtp_server):
    queue(1)
    claim_batch("crashed", utcnow(), 10)
    assert send_queued().sent == 0
    assert send_queued(now=utcnow() + timedelta(hours=1)).sent == 1
    assert len(smtp_server.messages) == 1


def test_manager_copy_goes_to_the_manager_and_is_listed_about_the_employee(
    app, synced, smtp_server
):
    from lms.models import Assignment
    from lms.renewal.notices import Dates, ModuleInfo

    mona = make_employee(email="mona@example.com", full_name="Mona Manager")
    erin = make_employee(manager_email="mona@example.com")
    assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == erin.id))
    queue_notice(
        "overdue_manager",
        1,
        assignment_id=assignment.id,
        cycle=1,
        employee=erin,
        manager=mona,
        module=ModuleInfo("dignity", "Dignity"),
        dates=Dates(due_date=assignment.due_date),
    )
    db.session.commit()
    send_queued()
    [message] = smtp_server.messages
    assert message["To"] == "mona@example.com"
    assert message["Subject"] == "Overdue: Erin Example has not completed Dignity"
    assert "Erin Example has not completed Dignity" in message.get_body(("plain",)).get_content()
    assert rows()[0].about_user_id == erin.id
