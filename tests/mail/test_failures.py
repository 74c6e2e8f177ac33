"""Mail that can never be delivered is marked failed, not retried forever; cron sees it.

Against a real SMTP server (aiosmtpd) that answers 550 / 450 / 554 on request,
and against a port where nothing listens.
"""

import smtplib
import socket
from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.mail.outbox import queue_email
from lms.mail.rules import delivery_problem, explain_failure
from lms.mail.sender import send_queued
from lms.models import OutboxMessage
from lms.models.base import utcnow
from lms.people.invitations import send_password_reset
from tests.factories import make_employee
from tests.smtp import free_port

NO_SUCH_USER = "The mail server refused the address: 550 5.1.1 No such user"
REFUSED = "Could not reach the mail server (connection refused); will retry"


@pytest.mark.parametrize(
    ("error", "permanent", "reason"),
    [
        (
            smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"5.1.1 No such user")}),
            True,
            NO_SUCH_USER,
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"No such user")}),
            True,
            "The mail server refused the address: 550 No such user",
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@b.c": (450, b"4.2.1 Mailbox busy")}),
            False,
            "The mail server turned the address away for now: 450 4.2.1 Mailbox busy; will retry",
        ),
        (
            smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not allowed", "attest@example.com"),
            True,
            "The mail server refused the sender address attest@example.com (MAIL_FROM): "
            "553 5.7.1 Sender not allowed",
        ),
        (
            smtplib.SMTPSenderRefused(451, b"Try later", "attest@example.com"),
            False,
            "The mail server turned the sender address attest@example.com away for now: "
            "451 Try later; will retry",
        ),
        (
            smtplib.SMTPDataError(554, b"5.6.0 Message rejected\nas spam"),
            True,
            "The mail server refused the message: 554 5.6.0 Message rejected as spam",
        ),
        (
            smtplib.SMTPDataError(451, b"4.3.0 Try again later"),
            False,
            "The mail server could not take the message for now: 451 4.3.0 Try again later; will retry",
        ),
        (
            smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"),
            False,
            "The mail server did not accept Attest's sign-in (check MAIL_USERNAME and MAIL_PASSWORD): "
            "535 5.7.8 Bad credentials; will retry",
        ),
        (
            smtplib.SMTPConnectError(554, b"No SMTP service here"),
            False,
            "The mail server would not talk to Attest: 554 No SMTP service here; will retry",
        ),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            False,
            "The mail server closed the connection; will retry",
        ),
        (ConnectionRefusedError(111, "Connection refused"), False, REFUSED),
        (
            TimeoutError("timed out"),
            False,
            "Could not reach the mail server (it did not answer in time); will retry",
        ),
        (
            socket.gaierror(-2, "Name or service not known"),
            False,
            "Could not reach the mail server (its name could not be looked up: check MAIL_SERVER); "
            "will retry",
        ),
        (
            OSError(113, "No route to host"),
            False,
            "Could not reach the mail server (No route to host); will retry",
        ),
        (ValueError("boom"), False, "Sending failed unexpectedly (ValueError: boom); will retry"),
    ],
)
def test_a_failure_is_told_in_words_and_only_5xx_replies_are_final(error, permanent, reason):
    failure = explain_failure(error)
    assert (failure.is_permanent, failure.reason) == (permanent, reason)


@pytest.mark.parametrize(
    ("sent", "failed", "for_good", "problem"),
    [
        (0, 0, 0, None),  # nothing to send
        (5, 0, 0, None),
        (4, 1, 0, None),  # one will be retried, the rest went: not an error
        (
            0,
            3,
            0,
            "none of 3 email(s) could be delivered; they will be retried: Could not reach "
            "the mail server (connection refused)",
        ),
        (
            2,
            0,
            1,
            f"1 of 3 email(s) failed for good: {NO_SUCH_USER}; HR sees them on the outbox "
            "page (Email, Failed)",
        ),
        (
            0,
            2,
            1,
            f"1 of 3 email(s) failed for good: {NO_SUCH_USER}; HR sees them on the outbox "
            "page (Email, Failed); 2 more will be retried",
        ),
    ],
)
def test_a_run_is_an_error_when_something_failed_for_good_or_nothing_went(
    sent, failed, for_good, problem
):
    found = delivery_problem(
        sent=sent, failed=failed, failed_for_good=for_good, refused=NO_SUCH_USER, retrying=REFUSED
    )
    assert found == problem


def queue_to(*addresses):
    """Queue one notice to each address and commit."""
    for n, address in enumerate(addresses):
        queue_email(
            to=address,
            subject=f"Notice {n}",
            template="assigned",
            key=f"test:{n}",
            context={"employee": None, "title": "Dignity", "due": "soon", "link": ""},
        )
    db.session.commit()


def outbox():
    db.session.expire_all()
    return {m.to_email: m for m in db.session.scalars(select(OutboxMessage))}


def test_an_address_the_server_refuses_for_good_is_failed_and_never_retried(
    app, synced, smtp_server
):
    smtp_server.answer_address("gone@example.com", "550 5.1.1 No such user")
    queue_to("ana@example.com", "gone@example.com", "ben@example.com")
    report = send_queued()
    assert (report.sent, report.failed, report.failed_for_good, report.remaining) == (2, 0, 1, 0)
    assert report.refused == NO_SUCH_USER
    gone = outbox()["gone@example.com"]
    assert (gone.status, gone.attempts, gone.last_error) == ("failed", 1, NO_SUCH_USER)
    assert gone.failed_at is not None and gone.claimed_by is None
    smtp_server.answer_address("gone@example.com", None)
    assert send_queued(now=utcnow() + timedelta(days=2)).tried == 0, "never tried again"
    assert outbox()["gone@example.com"].attempts == 1
    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "ana@example.com",
        "ben@example.com",
    ]


def test_a_temporary_refusal_of_an_address_is_retried_until_it_goes(app, synced, smtp_server):
    smtp_server.answer_address("busy@example.com", "450 4.2.1 Mailbox busy")
    queue_to("busy@example.com")
    report = send_queued()
    assert (report.sent, report.failed, report.failed_for_good, report.remaining) == (0, 1, 0, 1)
    busy = outbox()["busy@example.com"]
    assert busy.status == "retrying"
    assert busy.last_error == (
        "The mail server turned the address away for now: 450 4.2.1 Mailbox busy; will retry"
    )
    smtp_server.answer_address("busy@example.com", None)
    assert send_queued(now=utcnow() + timedelta(minutes=5)).sent == 1
    assert outbox()["busy@example.com"].status == "sent"


def test_a_message_refused_at_data_fails_for_good(app, synced, smtp_server):
    smtp_server.reject_messages(1, "554 5.6.0 Message rejected")
    queue_to("ana@example.com")
    report = send_queued()
    assert (report.sent, report.failed_for_good) == (0, 1)
    assert outbox()["ana@example.com"].last_error == (
        "The mail server refused the message: 554 5.6.0 Message rejected"
    )


def test_a_reset_link_refused_for_good_is_not_kept_in_the_outbox(app, synced, smtp_server):
    make_employee(email="erin@example.com")
    smtp_server.answer_address("erin@example.com", "550 5.1.1 No such user")
    send_password_reset("erin@example.com")
    db.session.commit()
    send_queued()
    [message] = outbox().values()
    assert message.status == "failed" and "/reset/" not in message.text_body + message.html_body


def test_send_mail_exits_1_with_a_summary_when_the_server_refuses_everything(
    app, synced, smtp_server, runner
):
    smtp_server.answer_sender("553 5.7.1 Sender not allowed")
    queue_to(*(f"person{n}@example.com" for n in range(48)))
    result = runner.invoke(args=["lms", "send-mail"])
    assert result.exit_code == 1
    assert "emails sent: 0, failed: 0 (will be retried), failed for good: 48" in result.stdout
    [line] = result.stderr.splitlines()
    assert line == (
        "error: 48 of 48 email(s) failed for good: The mail server refused the sender address "
        f"{parseaddr(app.config['MAIL_FROM'])[1]} (MAIL_FROM): 553 5.7.1 Sender not allowed; HR sees them on "
        "the outbox page (Email, Failed)"
    )
    again = runner.invoke(args=["lms", "send-mail"])
    assert again.exit_code == 0 and "failed for good: 0, still queued: 0" in again.stdout


def test_send_mail_exits_1_when_nothing_listens(app, synced, runner):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, MAIL_USERNAME=None
    )
    queue_to("ana@example.com", "ben@example.com")
    result = runner.invoke(args=["lms", "send-mail"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: none of 2 email(s) could be delivered; they will be retried: "
        "Could not reach the mail server (connection refused)\n"
    )
    assert {m.status for m in outbox().values()} == {"retrying"}
    assert {m.last_error for m in outbox().values()} == {REFUSED}


def test_send_mail_exits_0_when_some_fail_for_now_and_the_rest_go(app, synced, smtp_server, runner):
    app.config["MAIL_CONNECTIONS"] = 1
    smtp_server.reject_messages(1)
    queue_to("ana@example.com", "ben@example.com")
    result = runner.invoke(args=["lms", "send-mail"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "warning: 1 email(s) failed and will be retried\n"


def test_renew_exits_1_when_a_reminder_failed_for_good(app, synced, smtp_server, runner):
    smtp_server.answer_address("gone@example.com", "550 5.1.1 No such user")
    queue_to("gone@example.com", "ana@example.com")
    result = runner.invoke(args=["lms", "renew"])
    assert result.exit_code == 1, result.output
    assert "failed for good: 1" in result.stdout
    assert result.stderr.startswith("error: 1 of 2 email(s) failed for good: " + NO_SUCH_USER)
