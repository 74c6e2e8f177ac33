"""Invitations: new hires are emailed a one-time link, valid 7 days, to choose a password."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.extensions import db
from lms.models import AuditEvent, User, UserToken
from lms.models.base import utcnow
from tests import smtp
from tests.factories import PASSWORD, make_employee
from tests.hr.importing import HEADER, csv_bytes, row

smtp_server = smtp.smtp_server  # the real SMTP server fixture, without a conftest.py of our own

NEW_PASSWORD = "a brand new passphrase"


def link_in(message) -> str:
    """The set-password path in an email, checked to be the same in both parts."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    (link,) = set(re.findall(r"http://attest\.test(/(?:invite|reset)/[\w-]+)", text))
    assert link in html
    return link


def set_password(client, link, password=NEW_PASSWORD, confirm=None):
    return client.post(link, data={"password": password, "confirm": confirm or password})


def import_file(runner, tmp_path, data, *options):
    path = tmp_path / "hires.csv"
    path.write_bytes(data)
    return runner.invoke(args=["lms", "import-hires", str(path), *options])


@pytest.fixture
def hana(synced):
    return make_employee(email="hr@example.com", full_name="Hana Reyes", is_hr=True)


def test_import_with_invite_emails_each_new_hire_and_the_link_works_once(
    runner, tmp_path, client, auth, synced, smtp_server
):
    make_employee(email="erin@example.com", employee_id="E7", full_name="Erin Example")
    data = csv_bytes(
        row("E1", "ana@example.com", "Ana Lima"),
        row("E2", "ben@example.com", "Ben Okafor"),
        row("E7", "erin@example.com", "Erin Example", role="Lead"),
    )
    result = import_file(runner, tmp_path, data, "--invite")
    assert result.exit_code == 0, result.output
    assert "invitations: 2 sent" in result.output
    assert sorted(rcpt for _, (rcpt,) in smtp_server.envelopes) == [
        "ana@example.com",
        "ben@example.com",
    ]
    (message,) = smtp_server.to("ana@example.com")
    assert message["Subject"] == "You are invited to Attest: set your password"
    assert "Hello Ana," in message.get_body(("plain",)).get_content()
    link = link_in(message)
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Welcome, Ana" in page.get_data(as_text=True)
    done = set_password(client, link)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in
    auth.logout()
    assert auth.login("ana@example.com", NEW_PASSWORD).status_code == 302
    auth.logout()
    again = set_password(client, link, "yet another passphrase")
    assert again.status_code == 404 and "expired or has already been used" in again.get_data(
        as_text=True
    )
    assert auth.login("ana@example.com", "yet another passphrase").status_code == 401


def test_import_without_invite_sends_nothing(runner, tmp_path, synced, smtp_server):
    assert import_file(runner, tmp_path, csv_bytes(row())).exit_code == 0
    assert smtp_server.messages == []
    assert db.session.scalars(select(UserToken)).all() == []


def test_the_upload_form_can_send_invitations(client, auth, hana, smtp_server):
    auth.login("hr@example.com")
    preview = client.post(
        "/hr/import/",
        data={"file": (io.BytesIO(csv_bytes(row())), "h.csv"), "invite": "y"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert '<input checked id="invite" name="invite" type="checkbox" value="y">' in preview
    fields = dict(
        re.findall(
            r'<input id="(staged_id|digest|partial)" name="\1" type="hidden" value="([^"]*)">',
            preview,
        )
    )
    done = client.post("/hr/import/confirm", data=fields | {"invite": "y"})
    assert "Invitations are on their way to 1 new hire." in done.get_data(as_text=True)
    assert smtp_server.messages == []  # delivered after the response has gone to HR's browser
    done.close()
    (message,) = smtp_server.to("ana@example.com")
    assert link_in(message).startswith("/invite/")
    sent = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "invitation.sent")
    ).one()
    assert sent.actor_id == hana.id


def test_an_invitation_expires_after_7_days(runner, tmp_path, client, synced, smtp_server):
    import_file(runner, tmp_path, csv_bytes(row()), "--invite")
    link = link_in(smtp_server.messages[0])
    token = db.session.scalars(select(UserToken)).one()
    assert token.expires_at - token.created_at == timedelta(days=7)
    db.session.execute(update(UserToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(link).status_code == 404
    assert set_password(client, link).status_code == 404
    assert (
        db.session.scalar(select(User.password_hash).where(User.email == "ana@example.com")) is None
    )


def test_hr_can_resend_an_invitation_and_the_old_link_stops_working(
    runner, tmp_path, client, auth, hana, smtp_server
):
    import_file(runner, tmp_path, csv_bytes(row()), "--invite")
    old_link = link_in(smtp_server.messages[0])
    ana = db.session.scalar(select(User).where(User.email == "ana@example.com"))
    auth.login("hr@example.com")
    listed = client.get("/hr/import/invitations").get_data(as_text=True)
    assert "ana@example.com" in listed and "valid until" in listed
    assert "hr@example.com" not in listed  # has a password
    response = client.post(f"/hr/import/people/{ana.id}/invite")
    assert response.status_code == 302 and response.headers["Location"] == "/hr/import/invitations"
    response.close()
    assert len(smtp_server.to("ana@example.com")) == 2
    new_link = link_in(smtp_server.messages[-1])
    assert new_link != old_link
    auth.logout()
    assert client.get(old_link).status_code == 404
    assert set_password(client, new_link).status_code == 302
    actions = db.session.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.action == "invitation.sent")
    ).all()
    assert actions == [None, hana.id]


@pytest.mark.parametrize("who", ["has a password", "terminated"])
def test_no_invitation_for_someone_with_a_password_or_terminated(
    client, auth, hana, smtp_server, who
):
    erin = make_employee(password=PASSWORD if who == "has a password" else None)
    if who == "terminated":
        erin.is_active = False
        db.session.commit()
    auth.login("hr@example.com")
    response = client.post(f"/hr/import/people/{erin.id}/invite", follow_redirects=True)
    assert (
        "already set a password" if who == "has a password" else "is terminated"
    ) in response.get_data(as_text=True)
    assert smtp_server.messages == [] and db.session.scalars(select(UserToken)).all() == []


def test_resending_to_nobody_is_404(client, auth, hana):
    auth.login("hr@example.com")
    assert client.post("/hr/import/people/999/invite").status_code == 404


def test_a_terminated_persons_invitation_link_stops_working(
    runner, tmp_path, client, synced, smtp_server
):
    import_file(runner, tmp_path, csv_bytes(row()), "--invite")
    link = link_in(smtp_server.messages[0])
    gone = csv_bytes(row() + ",terminated", header=HEADER + ",status")
    assert import_file(runner, tmp_path, gone).exit_code == 0
    assert client.get(link).status_code == 404


def test_create_user_without_a_password_sends_an_invitation(runner, synced, smtp_server, client):
    result = runner.invoke(
        args=["lms", "create-user", "--email", "nia@example.com", "--name", "Nia Hire"]
    )
    assert result.exit_code == 0, result.output
    assert "invitation sent" in result.output
    (message,) = smtp_server.to("nia@example.com")
    assert set_password(client, link_in(message)).status_code == 302


def test_an_invitation_that_cannot_be_sent_now_stays_queued(runner, synced, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    result = runner.invoke(
        args=["lms", "create-user", "--email", "nia@example.com", "--name", "Nia Hire"]
    )
    assert result.exit_code == 0
    assert "will be retried" in result.output


def test_a_sent_invitation_keeps_no_live_link_in_the_outbox(runner, tmp_path, synced, smtp_server):
    from lms.models import OutboxMessage

    result = import_file(
        runner, tmp_path, csv_bytes(row("E1", "ana@example.com", "Ana Lima")), "--invite"
    )
    assert result.exit_code == 0, result.output
    link = link_in(smtp_server.to("ana@example.com")[0])
    db.session.expire_all()
    stored = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    assert stored.sent_at is not None
    assert link not in stored.text_body and link not in stored.html_body
    token = link.rsplit("/", 1)[1]
    assert token not in stored.text_body and token not in stored.html_body
    assert "[link removed]" in stored.text_body and "Choose your password here" in stored.text_body
