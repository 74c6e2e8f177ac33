import os
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from lms import create_app
from lms.extensions import db
from tests.factories import PASSWORD, write_module, write_program


def database_url(tmp_path: Path) -> str:
    """SQLite in the test's temp folder, or a fresh schema on TEST_DATABASE_URL (PostgreSQL)."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def content_dir(tmp_path):
    root = tmp_path / "content"
    write_module(root)
    write_program(root)
    return root


@pytest.fixture
def app(tmp_path, content_dir):
    url = database_url(tmp_path)
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "LMS_CONTENT_DIR": str(content_dir),
        "TESTING": True,
    }
    schema = None
    if url.startswith("postgresql"):
        # Each test gets its own schema, so parallel runs on one server never collide.
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with create_engine(url, poolclass=NullPool).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-csearch_path={schema}"}
        }
    os.environ["LMS_ENV"] = "testing"
    app = create_app(config)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
    if schema:
        # NullPool: the connection closes on exit, so none is left for the GC to warn about.
        with create_engine(url, poolclass=NullPool).begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without this, requests would share the test's app context, and with it `g`
    (where Flask-Login caches the user) and the database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email="erin@example.com", password=PASSWORD, next_url=None):
        url = "/login" + (f"?next={next_url}" if next_url else "")
        return self._client.post(url, data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def synced(app, runner):
    """Load the test content into the database."""
    result = runner.invoke(args=["lms", "sync-content"])
    assert result.exit_code == 0, result.output
    return result
