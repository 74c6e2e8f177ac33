import os
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from lms import create_app
from lms.database import dispose_engines
from lms.extensions import db
from tests.engines import listening
from tests.factories import PASSWORD, write_module, write_program

# A run takes minutes; one that starts within this margin of midnight UTC is moved back.
MIDNIGHT_MARGIN = timedelta(hours=1)


def pytest_configure(config):
    """Keep the whole run on one UTC date.

    Tests take "today" when their module is imported and compare it with dates
    the app works out later; a run crossing midnight would see two dates. So a
    run that starts less than MIDNIGHT_MARGIN before midnight runs on a clock
    set back to the start of the margin, still ticking, and still on today's
    date. Any other run uses the real clock.
    """
    now = datetime.now(UTC)
    latest_start = datetime.combine(now.date() + timedelta(days=1), time(), UTC) - MIDNIGHT_MARGIN
    if now > latest_start:
        config._lms_clock = time_machine.travel(latest_start, tick=True)
        config._lms_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_lms_clock", None)
    if clock is not None:
        clock.stop()


def database_url(tmp_path: Path) -> str:
    """SQLite in the test's temp folder, or a fresh schema on TEST_DATABASE_URL (PostgreSQL)."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def content_dir(tmp_path):
    root = tmp_path / "content"
    write_module(root)
    write_program(root)
    return root


@pytest.fixture(scope="session")
def postgres_schema():
    """On PostgreSQL, one schema for this run, its tables made once (None on SQLite).

    A schema per run keeps concurrent runs on one server apart; emptying the
    tables before each test is several times faster than a schema per test.
    """
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield None
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    # NullPool: each connection closes on exit, so none is left for the GC to warn about.
    admin = create_engine(url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


RESET_SEQUENCES = text(
    "SELECT setval(pg_get_serial_sequence(quote_ident(table_name), 'id'), 1, false)"
    " FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id'"
)


def empty_all_tables() -> None:
    """Make every table exist and be empty, with ids starting again from 1.

    DELETE, children first, then the id sequences reset: on small tables this is
    ten times faster than TRUNCATE, which makes new files for every table.
    """
    db.create_all()  # cheap when they exist; a test may have dropped them
    with db.engine.begin() as conn:
        # A connection leaked by an earlier test would block us: fail, don't hang.
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        # The compliance summary last: deleting assignments and people moves its counts.
        summary = {"compliance_counts", "compliance_managers", "compliance_scopes"}
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in summary]
        for table in tables + [db.metadata.tables[name] for name in sorted(summary)]:
            conn.execute(table.delete())
        conn.execute(RESET_SEQUENCES)


@pytest.fixture
def app(tmp_path, content_dir, postgres_schema):
    url = database_url(tmp_path)
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "LMS_CONTENT_DIR": str(content_dir),
        "TESTING": True,
    }
    if postgres_schema:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-csearch_path={postgres_schema}"}
        }
    os.environ["LMS_ENV"] = "testing"
    app = create_app(config)
    with app.app_context():
        if postgres_schema:
            empty_all_tables()
        else:
            db.create_all()
        yield app
        dispose_engines()


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


def dispose_apps(apps) -> None:
    """Close the sessions and pooled connections of apps a test built besides `app`."""
    for other in apps:
        with other.app_context():
            dispose_engines()


@pytest.fixture
def app_with(app):
    """Build another app on the same database with some settings changed; dispose of it after."""
    made = []

    def build(**settings):
        other = create_app({**app.config, **settings})
        made.append(other)
        return other

    yield build
    dispose_apps(made)


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


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Return a function that runs `fn()` and returns the number of SQL statements it sent."""

    def counted(fn):
        counter = QueryCounter()
        with listening("before_cursor_execute", counter):
            result = fn()
        return counter, result

    return counted
