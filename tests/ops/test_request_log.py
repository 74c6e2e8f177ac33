"""One JSON log line per request, with a request id the response echoes."""

import re

import pytest

from tests.factories import make_employee

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def test_each_request_writes_one_line_with_the_essentials(client, request_log):
    response = client.get("/login?next=/secret")
    assert len(request_log) == 1
    line = request_log[0]
    assert line["method"] == "GET"
    assert line["path"] == "/login"  # no query string: it may carry tokens
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] is None
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(line["request_id"])


def test_each_request_gets_its_own_id(client, request_log):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
    assert ids == {line["request_id"] for line in request_log}


def test_a_safe_incoming_request_id_is_kept(client, request_log):
    incoming = "3f1c2a9e-7b1d-4c3e-9a55-1d2b3c4d5e6f"
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming
    assert request_log[0]["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "has space", '"quoted"', "<script>", "x" * 129, "-starts-with-dash", "semi;colon"],
)
def test_an_unsafe_incoming_request_id_is_replaced(client, request_log, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])
    assert request_log[0]["request_id"] == response.headers["X-Request-ID"]


def test_the_signed_in_user_is_logged(app, client, auth, request_log):
    erin = make_employee()
    auth.login()
    client.get("/")
    assert request_log[-1]["path"] == "/"
    assert request_log[-1]["user_id"] == erin.id


def test_errors_are_logged_with_their_status(client, request_log):
    client.get("/no-such-page")
    client.post("/healthz")
    assert [(line["path"], line["status"]) for line in request_log] == [
        ("/no-such-page", 404),
        ("/healthz", 405),
    ]


def test_an_unknown_request_log_setting_is_refused(make_app):
    with pytest.raises(RuntimeError, match="LMS_REQUEST_LOG must be one of app, gunicorn, off"):
        make_app(LMS_REQUEST_LOG="yes")


def test_left_to_gunicorn_the_app_hands_over_id_and_person_and_writes_nothing(
    make_app, request_log
):
    from lms.ops.requestlog import ENVIRON_KEY

    app = make_app(LMS_REQUEST_LOG="gunicorn")
    seen = {}

    @app.get("/probe")
    def probe():
        from flask import request

        seen["environ"] = request.environ
        return "ok"

    response = app.test_client().get("/probe", headers={"X-Request-ID": "abc-1"})
    assert response.headers["X-Request-ID"] == "abc-1"
    assert seen["environ"][ENVIRON_KEY] == ("abc-1", None)
    assert request_log == []


def test_off_means_no_line_and_no_id(make_app, request_log):
    response = make_app(LMS_REQUEST_LOG="off").test_client().get("/healthz")
    assert "X-Request-ID" not in response.headers
    assert request_log == []


@pytest.mark.parametrize(
    ("script_name", "path_info", "logged"),
    [
        ("", "/login", "/login"),
        ("/attest", "/login", "/attest/login"),  # mounted under a prefix
        ("", "/caf\xc3\xa9", "/café"),  # WSGI: the URL's UTF-8 bytes as Latin-1 text
        ("", "/\xff", "/\ufffd"),  # bytes that are not UTF-8
        ("", "/\u20ac", "/?"),  # a server breaking the WSGI rule: still a line, not an error
    ],
)
def test_the_logged_path_is_the_decoded_url_path(script_name, path_info, logged):
    import json

    from lms.ops.requestlog import log_line

    environ = {"SCRIPT_NAME": script_name, "PATH_INFO": path_info, "REQUEST_METHOD": "GET"}
    line = json.loads(log_line(environ, 200, 0.0123, "abc", 7))
    assert line["path"] == logged
    assert (line["status"], line["duration_ms"], line["request_id"], line["user_id"]) == (
        200,
        12.3,
        "abc",
        7,
    )
