"""/healthz says the process is up; /readyz says the database is reachable and migrated."""

import pytest
from alembic.script import ScriptDirectory

from lms import create_app
from lms.extensions import db, limiter
from tests.ops.support import MIGRATIONS, run_migrations


def test_healthz_is_ok_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_unavailable_until_the_database_is_at_the_migration_head(app, client):
    # The test database was made by create_all, so it has no migration record yet.
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "ok"
    assert body["migrations"]["database"] == []
    assert len(body["migrations"]["code"]) == 1
    run_migrations("stamp", "head")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.get_json()["migrations"]["database"] == body["migrations"]["code"]


def test_readyz_is_unavailable_at_an_older_revision(app, client):
    scripts = ScriptDirectory(MIGRATIONS)
    previous = scripts.get_revision(scripts.get_current_head()).down_revision
    if previous is None:
        pytest.skip("one migration only: there is no older revision to be at")
    run_migrations("stamp", previous)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["detail"] == "migrations not current"
    assert response.get_json()["migrations"]["database"] == [previous]


def test_readyz_is_unavailable_when_the_database_is_unreachable(tmp_path, content_dir, monkeypatch):
    monkeypatch.setenv("LMS_ENV", "testing")
    app = create_app(
        {
            # Port 9 (discard) on this machine: nothing listens, so the connection is refused.
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://attest@127.0.0.1:9/attest",
            "LMS_CONTENT_DIR": str(content_dir),
        }
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    with app.app_context():
        db.engine.dispose()


def test_health_checks_are_exempt_from_default_rate_limits(make_app):
    app = make_app("testing", RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute")
    try:
        client = app.test_client()
        login = [client.get("/login").status_code for _ in range(5)]
        health = {client.get(path).status_code for path in ["/healthz", "/readyz"] * 5}
    finally:
        # The limiter is a module singleton: don't leave the default limit to later tests.
        limiter.limit_manager.set_default_limits([])
    assert login[-1] == 429  # the default limit is in force...
    assert health <= {200, 503}  # ...but not on the health checks
