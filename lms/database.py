"""Engine set-up that differs between SQLite and PostgreSQL."""

from flask import Flask
from sqlalchemy import event

from lms.extensions import db


def engine_options(app: Flask) -> dict:
    """Return the engine options for the app's database.

    A pre-ping (a round trip before each checkout) finds connections a server dropped;
    a SQLite file has no server, so there it would only cost a statement per request.
    """
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options["pool_pre_ping"] = False
    return options


def configure_engine(app: Flask) -> None:
    """Turn on SQLite's foreign keys and WAL so it behaves like the production database."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            # WAL: readers never wait for the writer, so several gunicorn workers can share
            # one file (the mode is stored in the file; in-memory databases ignore it).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe in WAL
            cursor.close()
