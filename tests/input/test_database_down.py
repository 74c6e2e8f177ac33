"""With the database down, every page that needs it answers 503 with Retry-After, then recovers.

Real failures only: a PostgreSQL port with nothing listening, a SQLite file that
cannot be opened, a backend killed with pg_terminate_backend.
"""

from __future__ import annotations

import os
import socket

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from lms.extensions import db

CODE = "K7QD9XRMP2VAT3NB"
postgres_only = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs PostgreSQL (TEST_DATABASE_URL)",
)


def closed_port() -> int:
    """A local TCP port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["postgresql", "sqlite"])
def down(request, app_with, tmp_path):
    """An app whose database cannot be reached: nothing listening, or a file that cannot be opened."""
    if request.param == "postgresql":
        url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test"
        options = {"connect_args": {"connect_timeout": 2}}
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'attest.db'}"
        options = {}
    return app_with(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"
    assert "cannot reach its database" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", f"/verify/{CODE}"),
        ("GET", f"/verify/{CODE}.json"),
        ("POST", "/login"),
        ("POST", "/forgot-password"),
    ],
)
def test_a_page_that_needs_the_database_is_a_503_while_it_is_down(down, method, url):
    response = down.test_client().open(
        url, method=method, data={"email": "a@example.com", "password": "x"}
    )
    if url.endswith(".json"):
        assert response.status_code == 503 and response.headers["Retry-After"]
    else:
        assert_unavailable_page(response)


def test_a_signed_in_request_is_a_503_while_the_database_is_down(down):
    client = down.test_client()
    with client.session_transaction() as session:
        # A signed-in cookie (a session token's shape): reading who it is needs the database.
        session["_user_id"] = "A" * 43
    assert_unavailable_page(client.get("/"))


def test_the_api_answers_503_as_json_while_the_database_is_down(down):
    response = down.test_client().get(
        "/api/v1/modules", headers={"Authorization": "Bearer atk_not-a-real-token"}
    )
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.json == {
        "error": "unavailable",
        "detail": "The database cannot be reached just now; nothing was read or changed. "
        "Try again in 30 seconds.",
    }


def test_pages_without_the_database_still_work_while_it_is_down(down):
    client = down.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_sqlite_recovers_on_the_next_request_once_the_file_can_be_opened(app_with, tmp_path):
    folder = tmp_path / "later"
    app = app_with(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'attest.db'}", SQLALCHEMY_ENGINE_OPTIONS={}
    )
    client = app.test_client()
    assert client.get(f"/verify/{CODE}").status_code == 503
    folder.mkdir()
    with app.app_context():
        db.create_all()
    assert client.get(f"/verify/{CODE}").status_code == 404  # answered: no such certificate


def kill_backends_of(app) -> None:
    """End, on the server, every backend of `app`'s pooled connections."""
    with app.app_context():
        pids = []
        with db.engine.connect() as connection:
            pids.append(connection.scalar(text("SELECT pg_backend_pid()")))
    admin = create_engine(os.environ["TEST_DATABASE_URL"], poolclass=NullPool)
    with admin.begin() as conn:
        for pid in pids:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    admin.dispose()


@postgres_only
@pytest.mark.parametrize("url", [f"/verify/{CODE}", "/api/v1/modules"])
def test_a_killed_backend_is_a_503_then_the_next_request_reconnects(app, app_with, url):
    other = app_with(LMS_DB_PING_AFTER_IDLE_S=3600)  # no ping: the request meets the dead socket
    client = other.test_client()
    headers = {"Authorization": "Bearer atk_unknown"}
    assert client.get(url, headers=headers).status_code in (401, 404)
    kill_backends_of(other)
    failed = client.get(url, headers=headers)
    assert failed.status_code == 503
    assert int(failed.headers["Retry-After"]) > 0
    assert client.get(url, headers=headers).status_code in (401, 404)
