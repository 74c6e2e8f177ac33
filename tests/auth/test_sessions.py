"""Signed-cookie sessions: a cookie's signature is checked once per worker, its age every time."""

from datetime import timedelta

import time_machine
from flask import request, session

from lms.extensions import db
from tests.factories import make_employee


def signed_in_cookie(client, auth) -> str:
    make_employee()
    db.session.commit()
    auth.login()
    return client.get_cookie("session").value


def opened_cookies(app) -> dict:
    return app.session_interface._for_keys(app)[2]


def open_cookie(app, value):
    with app.test_request_context("/", headers={"Cookie": f"session={value}"}):
        return app.session_interface.open_session(app, request)


def test_a_signed_in_cookie_is_opened_once_and_each_request_gets_its_own_copy(app, client, auth):
    value = signed_in_cookie(client, auth)
    assert client.get("/").status_code == 200
    assert value in opened_cookies(app)
    first, second = open_cookie(app, value), open_cookie(app, value)
    assert first == second and first["_user_id"]
    first["_user_id"] = "someone else"
    assert second["_user_id"] != "someone else"
    assert open_cookie(app, value)["_user_id"] != "someone else"


def test_a_remembered_cookie_still_expires_with_the_session_lifetime(app, client, auth):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=1)
    signed_in_cookie(client, auth)
    assert client.get("/").status_code == 200
    with time_machine.travel(timedelta(minutes=59)):
        assert client.get("/").status_code == 200
    with time_machine.travel(timedelta(hours=1, seconds=2)):
        response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_tampered_cookie_is_refused_and_not_remembered(app, client, auth):
    value = signed_in_cookie(client, auth)
    payload, _, signature = value.rpartition(".")
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert open_cookie(app, forged) == {}
    assert forged not in opened_cookies(app)


def test_a_session_holding_more_than_plain_values_is_not_remembered(app):
    with app.test_request_context("/"):
        session["_flashes"] = [("info", "Saved.")]
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    opened = open_cookie(app, value)
    assert opened["_flashes"] == [("info", "Saved.")]
    assert value not in opened_cookies(app)
    opened["_flashes"].clear()
    assert open_cookie(app, value)["_flashes"]


def test_a_remembered_cookie_is_refused_when_the_clock_goes_back(app, client, auth):
    signed_in_cookie(client, auth)
    assert client.get("/").status_code == 200  # remembered
    with time_machine.travel(timedelta(minutes=-5)):  # signed "in the future" now
        response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_secret_key_forgets_every_remembered_cookie(app, client, auth):
    value = signed_in_cookie(client, auth)
    assert client.get("/").status_code == 200 and value in opened_cookies(app)
    old_key = app.secret_key
    app.secret_key = app.config["SECRET_KEY"] = "a-new-key-after-a-leak-0123456789abcdef"
    assert open_cookie(app, value) == {}
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # Rotated with the old key kept as a fallback: still signed in, and remembered again.
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert open_cookie(app, value)["_user_id"] and value in opened_cookies(app)
    # The fallback retired: refused, though this worker had it remembered.
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert open_cookie(app, value) == {}
