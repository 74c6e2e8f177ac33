"""HR sees the email queue: what waits, what was sent to whom."""

from lms.extensions import db
from lms.mail.outbox import queue_email
from lms.mail.sender import send_queued
from tests import smtp

smtp_server = smtp.smtp_server


def test_hr_sees_queued_then_sent_messages(org, login, smtp_server):
    context = {
        "employee": org.emp_a1,
        "title": "Dignity",
        "due": "1 March",
        "link": "/modules/dignity",
    }
    queue_email(
        to=org.emp_a1, subject="Reminder one", template="assigned", context=context, key="k1"
    )
    db.session.commit()
    client = login(org.hr)
    page = client.get("/hr/outbox?status=queued").get_data(as_text=True)
    assert "Reminder one" in page and "ada@example.com" in page and "Queued: 1" in page
    send_queued()
    page = client.get("/hr/outbox?status=sent").get_data(as_text=True)
    assert "Reminder one" in page and "Sent: 1" in page
    assert "Reminder one" not in client.get("/hr/outbox?status=queued").get_data(as_text=True)


def test_an_unknown_status_is_a_clear_400(org, login):
    response = login(org.hr).get("/hr/outbox?status=lost")
    assert response.status_code == 400
    assert "Unknown status" in response.get_data(as_text=True)


def queue_reminder(org, key):
    context = {"employee": org.emp_a1, "title": "Dignity", "due": "1 March", "link": "/m"}
    queue_email(
        to=org.emp_a1, subject=f"Reminder {key}", template="assigned", context=context, key=key
    )
    db.session.commit()


def test_hr_sees_a_message_refused_for_good_with_the_servers_reason_in_words(
    org, login, smtp_server
):
    smtp_server.answer_address("ada@example.com", "550 5.1.1 No such user")
    queue_reminder(org, "k1")
    send_queued()
    client = login(org.hr)
    page = client.get("/hr/outbox").get_data(as_text=True)
    assert "Failed: 1" in page and "not retried" in page
    assert "The mail server refused the address: 550 5.1.1 No such user" in page
    failed = client.get("/hr/outbox?status=failed").get_data(as_text=True)
    assert "Reminder k1" in failed and 'badge-overdue">Retrying' not in failed
    assert "Reminder k1" not in client.get("/hr/outbox?status=retrying").get_data(as_text=True)


def test_hr_sees_an_unreachable_server_in_words_and_that_it_will_retry(org, login, app):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.free_port(), MAIL_USE_TLS=False, MAIL_USERNAME=None
    )
    queue_reminder(org, "k2")
    send_queued()
    page = login(org.hr).get("/hr/outbox?status=retrying").get_data(as_text=True)
    assert "Reminder k2" in page and "Retrying: 1" in page
    assert "Could not reach the mail server (connection refused); will retry" in page
    assert "ConnectionRefusedError" not in page
