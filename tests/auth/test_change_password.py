"""Changing your password while signed in: the other devices are signed out, this one is not."""

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEvent, User
from tests.factories import PASSWORD, make_employee

NEW = "a brand new passphrase"
PAGE = "/account/password"


def sign_in(client, password=PASSWORD, remember=False):
    data = {"email": "erin@example.com", "password": password}
    return client.post("/login", data=data | ({"remember": "y"} if remember else {}))


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post(PAGE, data={"current": current, "password": new, "confirm": confirm or new})


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_the_page_is_linked_from_the_navigation_and_needs_sign_in(client, erin):
    assert client.get(PAGE).status_code == 302
    sign_in(client)
    assert f'href="{PAGE}"' in client.get("/").get_data(as_text=True)
    assert client.get(PAGE).status_code == 200


def test_changing_the_password_signs_out_every_other_device_and_keeps_this_one(
    client, erin, browser
):
    phone, laptop = browser(), browser()
    sign_in(phone)
    sign_in(laptop, remember=True)
    remembered = laptop.get_cookie("remember_token").value
    sign_in(client, remember=True)
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client)
    assert not is_signed_in(phone) and not is_signed_in(laptop)
    thief = browser()
    thief.set_cookie("remember_token", remembered)
    assert not is_signed_in(thief)
    # The new password signs in; the old one does not.
    assert sign_in(browser()).status_code == 401
    assert sign_in(browser(), NEW).status_code == 302


def test_a_password_change_is_audited(client, erin):
    sign_in(client)
    change(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password.changed"))
    assert event is not None and event.user_id == erin.id and event.actor_id == erin.id


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("not my password!", NEW, NEW, "Your current password is not right."),
        (PASSWORD, "password1234", "password1234", "This password is too easy to guess"),
        (PASSWORD, "aaaaaaaaaaaa", "aaaaaaaaaaaa", "Repeats like"),
        (PASSWORD, "Erin Example", "Erin Example", "This password is too easy to guess"),
        (PASSWORD, "short", "short", "Use at least 12 characters."),
        (PASSWORD, NEW, "something else entirely", "The two passwords differ."),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    client, erin, browser, current, new, confirm, message
):
    other = browser()
    sign_in(other)
    sign_in(client)
    before = erin.password_hash
    response = change(client, current, new, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True).replace("&#34;", '"')
    db.session.expire_all()
    assert db.session.scalar(select(User.password_hash).where(User.id == erin.id)) == before
    assert is_signed_in(other)


def test_changing_the_password_needs_a_csrf_token(app, client, erin):
    sign_in(client)
    app.config["WTF_CSRF_ENABLED"] = True
    assert change(client).status_code == 400
    page = client.get(PAGE).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page).group(1)
    data = {"current": PASSWORD, "password": NEW, "confirm": NEW, "csrf_token": token}
    assert client.post(PAGE, data=data).status_code == 302


def test_guessing_the_current_password_on_a_borrowed_session_is_throttled(app_with):
    limited = app_with(RATELIMIT_ENABLED=True)
    with limited.app_context():
        make_employee()
    assert limited.test_client().post(PAGE, data={}).status_code == 302  # anonymous: sign in
    client = limited.test_client()
    sign_in(client)
    statuses = [change(client, f"guess number {n}").status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]
