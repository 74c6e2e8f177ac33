"""Queueing email: rendering, idempotent keys, terminated people, HR's view."""

from sqlalchemy import func, select

from lms.extensions import db
from lms.mail.outbox import list_messages, messages_for_user, outbox_counts, queue_email
from lms.models import OutboxMessage
from tests.factories import make_employee


def test_queued_email_has_text_and_html_with_absolute_links(app, synced):
    erin = make_employee()
    message = queue_email(
        to=erin,
        subject="Hello",
        template="assigned",
        kind="assigned",
        context={
            "employee": erin,
            "title": "Dignity",
            "due": "5 February 2025",
            "link": "http://attest.test/modules/dignity",
        },
    )
    db.session.commit()
    assert message.to_email == "erin@example.com" and message.to_user_id == erin.id
    assert message.about_user_id == erin.id
    assert "Hello Erin," in message.text_body
    assert "http://attest.test/modules/dignity" in message.text_body
    assert 'href="http://attest.test/modules/dignity"' in message.html_body
    assert "<title>Hello</title>" in message.html_body


def test_html_part_escapes_what_the_text_part_keeps(app, synced):
    erin = make_employee(full_name="Erin <b>Example</b>")
    message = queue_email(
        to=erin,
        subject="x",
        template="assigned",
        context={"employee": erin, "title": "A & B", "due": "", "link": ""},
    )
    assert "A & B" in message.text_body
    assert "A &amp; B" in message.html_body


def test_a_key_already_queued_is_skipped(app, synced):
    erin = make_employee()
    context = {"employee": erin, "title": "Dignity", "due": "today", "link": ""}
    first = queue_email(to=erin, subject="a", template="assigned", context=context, key="k1")
    second = queue_email(to=erin, subject="b", template="assigned", context=context, key="k1")
    db.session.commit()
    assert first is not None and second is None
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_messages_without_a_key_are_never_merged(app, synced):
    erin = make_employee()
    context = {"employee": erin, "title": "Dignity", "due": "today", "link": ""}
    for _ in range(2):
        queue_email(to=erin, subject="a", template="assigned", context=context)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_a_terminated_person_is_sent_nothing(app, synced):
    erin = make_employee()
    erin.is_active = False
    context = {"employee": erin, "title": "Dignity", "due": "today", "link": ""}
    assert queue_email(to=erin, subject="a", template="assigned", context=context) is None
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_bare_address_can_be_mailed(app, synced):
    message = queue_email(
        to="auditor@example.org",
        subject="a",
        template="assigned",
        context={"employee": {"first_name": "Ann"}, "title": "T", "due": "", "link": ""},
    )
    assert message.to_email == "auditor@example.org" and message.to_user_id is None


def test_hr_sees_mail_to_and_about_a_person(app, synced):
    mona = make_employee(email="mona@example.com", full_name="Mona Manager")
    erin = make_employee(manager_email="mona@example.com")
    other = make_employee(email="olly@example.com", full_name="Olly Other")
    context = {"employee": erin, "manager": mona, "title": "T", "due": "", "link": ""}
    queue_email(to=erin, subject="to erin", template="overdue", context=context)
    queue_email(
        to=mona, subject="about erin", template="overdue_manager", context=context, about=erin
    )
    queue_email(
        to=other,
        subject="to olly",
        template="assigned",
        context={"employee": other, "title": "T", "due": "", "link": ""},
    )
    db.session.commit()
    assert [m.subject for m in messages_for_user(erin.id)] == ["about erin", "to erin"]
    assert [m.subject for m in messages_for_user(mona.id)] == ["about erin"]
    assert outbox_counts() == {"queued": 3, "retrying": 0, "sent": 0, "cancelled": 0, "failed": 0}
    assert len(list_messages(status="queued")) == 3 and list_messages(status="sent") == []


def test_outbox_partial_lists_messages_with_their_status(app, synced):
    erin = make_employee()
    queue_email(
        to=erin,
        subject="Welcome aboard",
        template="assigned",
        context={"employee": erin, "title": "T", "due": "", "link": ""},
    )
    db.session.commit()
    with app.test_request_context():
        html = app.jinja_env.get_template("mail/_outbox_table.html").render(
            outbox_messages=messages_for_user(erin.id)
        )
        empty = app.jinja_env.get_template("mail/_outbox_table.html").render(outbox_messages=[])
    assert "Welcome aboard" in html and "erin@example.com" in html and "Queued" in html
    assert "No email has been queued or sent." in empty


def test_queue_emails_inserts_many_and_skips_keys_already_queued(app, synced):
    from lms.mail.outbox import message_values, queue_emails

    erin = make_employee()
    context = {"employee": erin, "title": "T", "due": "", "link": ""}

    def row(key, kind):
        return message_values(
            to=erin, subject=key, template="assigned", context=context, key=key, kind=kind
        )

    assert queue_emails([row("a", "assigned"), row("b", "overdue"), None]) == [
        "assigned",
        "overdue",
    ]
    assert queue_emails([row("b", "overdue"), row("c", "expired")]) == ["expired"]
    assert queue_emails([]) == []
    assert sorted(db.session.scalars(select(OutboxMessage.key))) == ["a", "b", "c"]
