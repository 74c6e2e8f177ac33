"""Helpers for the operations tests: empty databases, Alembic runs, gunicorn servers."""

from __future__ import annotations

import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.conftest import database_url

PROJECT = Path(__file__).resolve().parents[2]
MIGRATIONS = str(PROJECT / "migrations")


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database: a SQLite file, or a new schema on TEST_DATABASE_URL.

    The schema is part of the URL (libpq `options`), so the same URL works for a
    subprocess such as a gunicorn instance, not just for this process's engine.
    """
    url = database_url(tmp_path)
    if not url.startswith("postgresql"):
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def alembic_logging_contained() -> Iterator[None]:
    """Undo what migrations/env.py's logging.config.fileConfig does to this process.

    fileConfig disables every logger it does not name (ours included) and replaces
    the root handlers; the rest of the test run needs them as they were.
    """
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    loggers = {
        name: logger.disabled
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.disabled = loggers.get(name, False)


def run_migrations(command: str, revision: str) -> None:
    """Run `flask db upgrade|downgrade|stamp <revision>` for the current app."""
    import flask_migrate

    with alembic_logging_contained():
        getattr(flask_migrate, command)(directory=MIGRATIONS, revision=revision)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    port: int
    process: subprocess.Popen
    log: object

    def request(self, method, path, cookie="", body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if cookie:
            headers["Cookie"] = cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body and urlencode(body), headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        return response, text


@dataclass
class Browser:
    """Keeps the session cookie by hand: it is Secure, so http.cookiejar would drop it on http."""

    cookies: SimpleCookie = field(default_factory=SimpleCookie)

    def request(self, instance, method, path, body=None, headers=None):
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        response, text = instance.request(method, path, cookie, body, headers)
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response, text

    def csrf_token(self, instance):
        _, html = self.request(instance, "GET", "/login")
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@contextmanager
def database_with_an_employee(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """Yield the URL of a fresh database with the schema and one employee, and their id."""
    from lms import create_app
    from lms.extensions import db
    from tests.factories import make_employee

    with empty_database(tmp_path) as url, pytest.MonkeyPatch.context() as patch:
        patch.setenv("LMS_ENV", "testing")
        setup = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "LMS_CONTENT_DIR": str(PROJECT / "content")}
        )
        with setup.app_context():
            db.create_all()
            employee_id = make_employee().id
            db.session.remove()
            db.engine.dispose()
        yield url, employee_id


def production_env(url: str, secret: str, **settings: str) -> dict[str, str]:
    """The environment of a production server on `url`: this one's, plus `settings`."""
    return os.environ | {
        "LMS_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "LMS_CONTENT_DIR": str(PROJECT / "content"),
        **settings,
    }


def start_gunicorn(env: dict, log_path: Path) -> Instance:
    """Start gunicorn.conf.py's server with one worker on a free port."""
    port = free_port()
    log = open(log_path, "w+")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return Instance(port, process, log)


def wait_until_up(instance: Instance) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            instance.log.seek(0)
            pytest.fail(f"gunicorn exited:\n{instance.log.read()}")
        try:
            if instance.request("GET", "/healthz")[0].status == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer /healthz within 30 s")
