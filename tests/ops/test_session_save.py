"""Saving the session: the same Vary and Set-Cookie headers as Flask's own save, in every case."""

import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from lms.web.sessions import SignedCookieSessions


def scenario_app(interface) -> Flask:
    app = Flask("sessions")
    app.secret_key = "a-secret-for-this-test-only"
    app.session_interface = interface

    @app.get("/set")
    def set_value():
        session["n"] = 1
        return "set"

    @app.get("/read")
    def read():
        return str(session.get("n"))

    @app.get("/read-with-own-vary")
    def read_with_own_vary():
        return str(session.get("n")), {"Vary": "Accept-Encoding"}

    @app.get("/untouched")
    def untouched():
        return "nothing"

    @app.get("/permanent")
    def permanent():
        session.permanent = True
        session["n"] = 2
        return "permanent"

    @app.get("/clear")
    def clear():
        session.clear()
        return "cleared"

    return app


def visit(app: Flask, paths: list[str]) -> list[tuple[str | None, bool]]:
    client = app.test_client()
    seen = []
    for path in paths:
        response = client.get(path)
        seen.append((response.headers.get("Vary"), "Set-Cookie" in response.headers))
    return seen


@pytest.mark.parametrize(
    "paths",
    [
        ["/read", "/untouched"],  # no session at all
        ["/set", "/read", "/read-with-own-vary", "/untouched"],  # read, not changed
        ["/permanent", "/read", "/read"],  # refreshed on every request
        ["/set", "/clear", "/read"],  # emptied: the cookie deleted
    ],
)
def test_headers_are_flasks_own(paths):
    ours = visit(scenario_app(SignedCookieSessions()), paths)
    flasks = visit(scenario_app(SecureCookieSessionInterface()), paths)
    assert ours == flasks


def test_a_read_session_says_vary_cookie_and_sets_nothing():
    seen = visit(scenario_app(SignedCookieSessions()), ["/set", "/read", "/read-with-own-vary"])
    assert seen[1:] == [("Cookie", False), ("Accept-Encoding, Cookie", False)]
