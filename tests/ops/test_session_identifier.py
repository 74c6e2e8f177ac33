"""Flask-Login's session identifier, remembered per worker: the same identifier for every request."""

import pytest
from flask import session
from flask_login.utils import _create_identifier

from lms.extensions import login_manager

REQUESTS = [
    {},
    {"REMOTE_ADDR": "10.0.0.7"},
    {"REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "Mozilla/5.0"},
    {"REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "Mozilla/5.0 (Zoë)"},
    {"REMOTE_ADDR": "10.0.0.8", "HTTP_USER_AGENT": "Mozilla/5.0"},
    {"REMOTE_ADDR": "10.0.0.7", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"},
    {"REMOTE_ADDR": "10.0.0.7", "HTTP_X_FORWARDED_FOR": "203.0.113.10"},
]


def test_the_generator_is_ours_around_flask_logins(app):
    generator = login_manager._session_identifier_generator
    assert generator.__module__ == "lms.web.sessions"


@pytest.mark.parametrize("environ", REQUESTS)
def test_each_request_gets_flask_logins_own_identifier_first_time_and_after(app, environ):
    for _ in range(2):  # made, then remembered
        with app.test_request_context("/", environ_base=environ):
            assert login_manager._session_identifier_generator() == _create_identifier()


@pytest.mark.parametrize(("agent", "fresh"), [("first", True), ("second", False)])
def test_another_browser_still_makes_the_session_not_fresh(app, agent, fresh):
    # Session protection ("basic"): another address or browser marks the session not fresh.
    with app.test_request_context("/", environ_base={"HTTP_USER_AGENT": "first"}):
        first = login_manager._session_identifier_generator()
    with app.test_request_context("/", environ_base={"HTTP_USER_AGENT": agent}):
        session.update({"_id": first, "_user_id": "x", "_fresh": True})
        assert login_manager._session_protection_failed() is False
        assert session["_fresh"] is fresh
