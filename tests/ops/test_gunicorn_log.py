"""Under gunicorn.conf.py, each request's JSON line is gunicorn's access line: one per request.

A real gunicorn in production mode on this pass's database; its output is read back.
"""

from __future__ import annotations

import json

import pytest

from tests.factories import PASSWORD
from tests.ops.support import (
    Browser,
    database_with_an_employee,
    production_env,
    start_gunicorn,
    wait_until_up,
)

SECRET = "request-log-test-secret-0123456789abcdef"


@pytest.fixture
def server_output(tmp_path, monkeypatch):
    """Start gunicorn with gunicorn.conf.py; yield (instance, erin's id, read_lines)."""
    monkeypatch.delenv("LMS_REQUEST_LOG", raising=False)
    with database_with_an_employee(tmp_path) as (url, erin_id):
        env = production_env(url, SECRET, REDIS_URL="")
        env.pop("GUNICORN_ACCESS_LOG", None)
        instance = start_gunicorn(env, tmp_path / "gunicorn.log")

        def stop_and_read() -> list[str]:
            instance.process.terminate()
            instance.process.wait(timeout=30)
            instance.log.seek(0)
            return instance.log.read().splitlines()

        try:
            wait_until_up(instance)
            yield instance, erin_id, stop_and_read
        finally:
            if instance.process.poll() is None:
                instance.process.terminate()
                instance.process.wait(timeout=30)
            instance.log.close()


def test_each_request_is_one_json_line_with_the_apps_id_and_person(server_output):
    instance, erin_id, stop_and_read = server_output
    browser = Browser()
    token = browser.csrf_token(instance)
    signed_in, _ = browser.request(
        instance,
        "POST",
        "/login",
        {"email": "erin@example.com", "password": PASSWORD, "csrf_token": token},
    )
    dashboard, _ = browser.request(instance, "GET", "/", headers={"X-Request-ID": "lb-7f3a.1"})
    missing, _ = browser.request(instance, "GET", "/caf%C3%A9?token=secret")
    assert (signed_in.status, dashboard.status, missing.status) == (302, 200, 404)

    output = stop_and_read()
    lines = [json.loads(line) for line in output if line.startswith("{")]
    # wait_until_up's health checks, the login form, then the three requests above.
    ours = lines[-4:]
    assert [(line["method"], line["path"], line["status"]) for line in ours] == [
        ("GET", "/login", 200),
        ("POST", "/login", 302),
        ("GET", "/", 200),
        ("GET", "/café", 404),
    ]
    assert [line["request_id"] for line in ours[1:]] == [
        signed_in.getheader("X-Request-ID"),
        "lb-7f3a.1",
        missing.getheader("X-Request-ID"),
    ]
    assert [line["user_id"] for line in ours] == [None, erin_id, erin_id, erin_id]
    for line in lines:
        assert line["remote_addr"] == "127.0.0.1"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["ts"].endswith("+00:00")
    # One line per request: gunicorn's own text access line is not written beside it.
    health_checks = [line for line in lines if line["path"] == "/healthz"]
    assert len(lines) == len(health_checks) + 4
    assert not [line for line in output if '"GET ' in line or '"POST ' in line]
