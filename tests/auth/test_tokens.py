"""Forgot password: a one-time reset link by email, valid an hour, that reveals no accounts."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.extensions import db
from lms.models import AuditEvent, User, UserToken
from lms.models.base import utcnow
from lms.people.invitations import (
    INVITE,
    RESET,
    RESETS_PER_HOUR,
    TokenError,
    hash_token,
    issue_token,
    set_password_with_token,
)
from tests import smtp
from tests.factories import PASSWORD, make_employee

smtp_server = smtp.smtp_server  # the real SMTP server fixture, without a conftest.py of our own

NEW_PASSWORD = "a brand new passphrase"


def ask_for_reset(client, email):
    response = client.post("/forgot-password", data={"email": email})
    response.close()  # mail goes out once the response has been sent
    return response


def reset_link(smtp_server) -> str:
    (message,) = smtp_server.messages
    (link,) = set(
        re.findall(
            r"http://attest\.test(/reset/[\w-]+)", message.get_body(("plain",)).get_content()
        )
    )
    return link


def choose(client, link, password=NEW_PASSWORD, confirm=None):
    return client.post(link, data={"password": password, "confirm": confirm or password})


def test_forgot_password_emails_a_link_that_sets_a_new_password_once(
    client, auth, erin, smtp_server
):
    assert 'href="/forgot-password"' in client.get("/login").get_data(as_text=True)
    response = ask_for_reset(client, "Erin@Example.com")
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert smtp_server.messages[0]["Subject"] == "Reset your Attest password"
    link = reset_link(smtp_server)
    form = client.get(link)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    assert choose(client, link).headers["Location"] == "/"
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 401
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    auth.logout()
    assert choose(client, link, "yet another passphrase").status_code == 404
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.user_id == erin.id)
    ).all()
    assert actions[-2:] == ["password.reset_requested", "password.reset"]


def test_an_unknown_or_terminated_email_gets_the_same_answer_and_no_mail(client, erin, smtp_server):
    gone = make_employee(email="gone@example.com")
    gone.is_active = False
    db.session.commit()
    pages = {}
    for email in ("erin@example.com", "nobody@example.com", "gone@example.com"):
        response = ask_for_reset(client, email)
        pages[email] = (
            response.status_code,
            response.get_data(as_text=True).replace(email, "EMAIL"),
        )
    assert pages["erin@example.com"] == pages["nobody@example.com"] == pages["gone@example.com"]
    assert [rcpts for _, rcpts in smtp_server.envelopes] == [["erin@example.com"]]


def test_a_reset_link_lasts_an_hour(client, erin, smtp_server):
    ask_for_reset(client, "erin@example.com")
    link = reset_link(smtp_server)
    token = db.session.scalars(select(UserToken)).one()
    assert token.purpose == RESET and token.expires_at - token.created_at == timedelta(hours=1)
    db.session.execute(update(UserToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 404 and "Ask for a new link" in response.get_data(as_text=True)


def test_only_a_hash_of_the_token_is_stored(client, erin, smtp_server):
    ask_for_reset(client, "erin@example.com")
    token = reset_link(smtp_server).rsplit("/", 1)[1]
    stored = db.session.scalars(select(UserToken.token_hash)).one()
    assert stored == hash_token(token) and token not in stored


def test_a_new_request_retires_the_earlier_link(client, erin, smtp_server):
    ask_for_reset(client, "erin@example.com")
    first = reset_link(smtp_server)
    smtp_server.clear()
    ask_for_reset(client, "erin@example.com")
    second = reset_link(smtp_server)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_reset_signs_the_person_out_everywhere_else(app, client, auth, erin, smtp_server):
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": "erin@example.com", "password": PASSWORD})
    assert other_browser.get("/").status_code == 200
    ask_for_reset(client, "erin@example.com")
    choose(client, reset_link(smtp_server))
    assert other_browser.get("/").status_code == 302
    assert client.get("/").status_code == 200  # the browser that reset it is signed in


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", "short", "Use at least 12 characters."),
        (NEW_PASSWORD, "something else entirely", "The two passwords differ."),
    ],
)
def test_a_refused_password_does_not_use_up_the_link(
    client, erin, smtp_server, password, confirm, message
):
    ask_for_reset(client, "erin@example.com")
    link = reset_link(smtp_server)
    response = choose(client, link, password, confirm)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert choose(client, link).status_code == 302


def test_links_only_work_for_their_own_purpose(client, erin):
    invite = issue_token(erin, INVITE, utcnow())
    db.session.commit()
    assert client.get(f"/reset/{invite}").status_code == 404
    assert client.get(f"/invite/{invite}").status_code == 200
    assert client.get("/invite/not-a-real-token").status_code == 404


def test_a_link_cannot_be_used_twice_even_by_two_requests_at_once(app, erin):
    token = issue_token(erin, RESET, utcnow())
    db.session.commit()
    set_password_with_token(token, RESET, NEW_PASSWORD, utcnow())
    # A second instance that already looked the token up loses the race at the UPDATE.
    with pytest.raises(TokenError):
        set_password_with_token(token, RESET, "another passphrase!", utcnow())
    db.session.commit()
    assert db.session.scalar(select(User.session_version).where(User.id == erin.id)) == 2


def test_forgot_password_is_rate_limited_by_address(app, erin):
    from lms import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True})
    client = limited.test_client()

    def ask(email, ip):
        return client.post(
            "/forgot-password", data={"email": email}, environ_base={"REMOTE_ADDR": ip}
        ).status_code

    # One address: 5 a minute, whatever the emails.
    assert [ask(f"x{n}@example.com", "192.0.2.1") for n in range(6)] == [200] * 5 + [429]
    with (
        limited.app_context()
    ):  # its own engine: close its connections now, not at garbage collection
        db.engine.dispose()


def test_a_stranger_asking_for_someones_reset_neither_floods_nor_blocks_it(
    app, client, erin, smtp_server
):
    # From many addresses, many times: at most RESETS_PER_HOUR emails, each request
    # answered the same, and the newest link sent still works for Erin.
    for n in range(8):
        response = client.post(
            "/forgot-password",
            data={"email": "erin@example.com"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
        )
        response.close()
        assert response.status_code == 200 and "Check your email" in response.get_data(True)
    assert len(smtp_server.messages) == RESETS_PER_HOUR
    newest = re.search(
        r"http://attest\.test(/reset/[\w-]+)",
        smtp_server.messages[-1].get_body(("plain",)).get_content(),
    ).group(1)
    assert client.get(newest).status_code == 200
    assert choose(client, newest).status_code == 302


def test_forgot_password_answers_after_the_same_work_whether_or_not_the_address_exists(
    client, erin, smtp_server, count_queries
):
    # Counts, not a stopwatch: while the request is answered, the same statements run
    # (one: is the database there?) and no mail is sent, for an account's address or not; the look-up, the
    # link and the mail come once the response has gone.
    during, after = {}, {}
    for email in ("erin@example.com", "nobody@example.com"):
        sent = len(smtp_server.messages)
        counter, response = count_queries(
            lambda email=email: client.post("/forgot-password", data={"email": email})
        )
        assert response.status_code == 200 and len(smtp_server.messages) == sent
        during[email] = counter.statements
        after[email], _ = count_queries(response.close)
    assert during["erin@example.com"] == during["nobody@example.com"]
    assert len(during["nobody@example.com"]) == 1
    assert after["erin@example.com"].count > after["nobody@example.com"].count >= 1
    assert [m["To"] for m in smtp_server.messages] == ["erin@example.com"]


def test_forgot_password_needs_a_csrf_token(app, client, erin, smtp_server):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/forgot-password", data={"email": "erin@example.com"}).status_code == 400
    assert smtp_server.messages == []
