"""Shared devices (LMS_IDLE_SIGNOUT_MINUTES): the server signs out an idle session by itself."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from lms.extensions import db
from lms.models import UserSession
from tests.factories import PASSWORD, make_employee

START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


@pytest.fixture
def erin(app):
    return make_employee()


@pytest.fixture
def shared(app):
    app.config["LMS_IDLE_SIGNOUT_MINUTES"] = 5
    return app


def sign_in(client, **extra):
    response = client.post(
        "/login", data={"email": "erin@example.com", "password": PASSWORD} | extra
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def the_session() -> UserSession:
    db.session.expire_all()
    (session,) = db.session.scalars(select(UserSession)).all()
    return session


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_an_idle_session_is_ended_by_the_server(shared, client, erin):
    with at(START):
        sign_in(client)
    with at(START + timedelta(minutes=4)):
        assert client.get("/").status_code == 200
    assert the_session().last_seen_at == START + timedelta(minutes=4)
    with at(START + timedelta(minutes=8, seconds=59)):  # 4:59 after the last request
        assert client.get("/").status_code == 200
    with at(START + timedelta(minutes=13, seconds=59)):  # 5:00 after it
        response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert the_session().revoked_at == START + timedelta(minutes=13, seconds=59)
    with at(START + timedelta(minutes=14)):
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "You were signed out after 5 minutes without activity." in page
        assert client.get("/").status_code == 302  # for good: the row is revoked


def test_activity_is_written_once_every_fifteen_seconds_at_most(shared, client, erin):
    with at(START):
        sign_in(client)
    with at(START + timedelta(seconds=10)):
        assert client.get("/").status_code == 200
    assert the_session().last_seen_at == START  # not yet worth a write
    with at(START + timedelta(seconds=20)):
        assert client.get("/").status_code == 200
    assert the_session().last_seen_at == START + timedelta(seconds=20)


def test_without_the_setting_an_idle_session_holds_and_nothing_is_written(app, client, erin):
    with at(START):
        sign_in(client)
    with at(START + timedelta(hours=3)):
        assert client.get("/").status_code == 200
    assert the_session().last_seen_at == START


def test_stay_signed_in_counts_as_activity(shared, client, erin):
    with at(START):
        sign_in(client)
    with at(START + timedelta(minutes=4)):
        assert client.post("/session/keep-alive").status_code == 204
    with at(START + timedelta(minutes=8)):
        assert client.get("/").status_code == 200


def test_keep_alive_after_the_idle_limit_does_not_bring_the_session_back(shared, client, erin):
    with at(START):
        sign_in(client)
    with at(START + timedelta(minutes=6)):
        assert client.post("/session/keep-alive").status_code == 302
    with at(START + timedelta(minutes=6, seconds=1)):
        assert client.get("/").status_code == 302


def test_no_keep_me_signed_in_on_a_shared_device(shared, client, erin):
    page = client.get("/login").get_data(as_text=True)
    assert "Keep me signed in" not in page
    sign_in(client, remember="y")  # sent anyway: ignored
    assert not the_session().is_remembered
    assert client.get_cookie("remember_token") is None


def test_keep_me_signed_in_is_offered_otherwise(app, client):
    assert "Keep me signed in" in client.get("/login").get_data(as_text=True)


def test_every_signed_in_page_says_who_and_offers_not_you_sign_out(shared, client, erin):
    sign_in(client)
    for url in ("/", "/account/password", "/modules/dignity"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        if response.status_code == 404:
            continue  # no such module in this test's content
        assert "Not you? Sign out" in page, url
        assert 'action="/logout"' in page and 'name="csrf_token"' in page
        assert "/static/idle.js" in page
        assert 'data-countdown="285"' in page


def test_the_countdown_is_not_on_pages_without_the_setting(app, client, erin):
    sign_in(client)
    page = client.get("/").get_data(as_text=True)
    assert "Not you?" not in page and "idle.js" not in page


def test_not_you_sign_out_needs_the_csrf_token(shared, app, client, erin):
    sign_in(client)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/logout").status_code in (302, 400)
    assert client.get("/").status_code == 200  # still signed in: the form was refused
    app.config["WTF_CSRF_ENABLED"] = False


def test_signing_out_when_the_countdown_ends_says_why(shared, client, erin):
    sign_in(client)
    response = client.post("/logout", data={"reason": "idle"}, follow_redirects=True)
    assert "You were signed out after 5 minutes without activity." in response.get_data(
        as_text=True
    )
    assert the_session().revoked_at is not None
