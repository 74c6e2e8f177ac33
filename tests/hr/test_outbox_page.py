"""HR sees the email queue: what waits, what was sent to whom."""

from lms.extensions import db
from lms.mail import queue_email, send_queued
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
