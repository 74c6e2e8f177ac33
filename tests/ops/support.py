"""Helpers for the operations tests: empty databases, Alembic runs and free ports."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
