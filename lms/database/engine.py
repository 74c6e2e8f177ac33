"""Engine set-up per database: idle-connection pings, reads without a transaction, SQLite pragmas.

Measured reasons (bench/README.md, web.py): `pool_pre_ping` cost a round trip on
every request, as many as a signed-in page itself issues, so only a connection idle
for LMS_DB_PING_AFTER_IDLE_S is pinged; a read on PostgreSQL outside autocommit is
three round trips (BEGIN, SELECT, ROLLBACK), two of an uncached dashboard's five.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Connection, Dialect, Engine, event
from sqlalchemy.exc import DisconnectionError

from lms.database.sqlite_writers import QueuedConnection
from lms.extensions import db


def engine_options(app: Flask) -> dict:
    """Return the engine options for the app's database (SQLALCHEMY_ENGINE_OPTIONS wins).

    A server's connections are checked before use only when they have sat idle (see
    `ping_idle_connections`), and the pool hands out the connection used last, so a
    busy worker keeps reusing one known-good connection. A SQLite file has no server
    that could drop a connection, so it is never checked; its writers wait their turn
    in `lms.database.sqlite_writers`' queue (unless LMS_SQLITE_WRITERS_QUEUE is off).
    """
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options.setdefault("pool_use_lifo", True)
    elif app.config["LMS_SQLITE_WRITERS_QUEUE"]:
        options["connect_args"] = {"factory": QueuedConnection} | options.get("connect_args", {})
    return options


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection with a round trip only if it sat idle for `idle_seconds`.

    SQLAlchemy's pool_pre_ping checks every checkout: a round trip on every request,
    as many as the signed-in page itself issues. A connection handed back moments ago
    is almost certainly alive, so, like HikariCP's aliveBypassWindowMs, only one idle
    for longer is checked; a dead one is replaced before use (the pool reconnects
    when a checkout listener raises DisconnectionError). A server that goes away in
    the window fails the requests using it then, and SQLAlchemy, seeing the
    disconnect, replaces the whole pool's connections.
    """

    @event.listens_for(engine, "checkin")
    def _note_checkin(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return  # new, or used moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc


# Reads with no transaction around them. On PostgreSQL that takes autocommit: a
# SELECT is then one round trip, not three (BEGIN, the SELECT, ROLLBACK), and under
# READ COMMITTED each statement sees its own snapshot either way. SQLite's Python
# driver opens a transaction only before a write, so there reads already run without.
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def reads_need_autocommit(dialect: Dialect) -> bool:
    return dialect.name != "sqlite"


# The bind of the engine for reads outside the session on a server (`autocommit_connection`).
READS = "reads"


def add_reads_engine(app: Flask) -> None:
    """Give a server database a second engine whose connections are always in autocommit.

    Measured reason (bench/README.md, issue 18): switching a pooled connection into
    autocommit for the signed-in read and back when it returned (an isolation level set
    and reset, each through the driver, and the pool's rollback on return) made a
    checkout and return cost 35 us against 9 us, and a cached dashboard 671 us of CPU
    against 525 us with this engine (PostgreSQL, WSGI called in-process); on PostgreSQL
    learners' pages measured 35-37 % of the bare page under wrk, the target being 40 %.
    A pool of connections opened in autocommit needs no switch, and a connection that
    never opens a transaction has nothing to roll back. It is a Flask-SQLAlchemy bind
    with no models, so `db.engines` (gunicorn's post_fork dispose, recorded queries)
    sees it like the main engine. SQLite has no transaction to avoid.
    """
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    # Always made from the main database's settings, so a config copied from another app
    # (tests build apps from each other's) never reads from that other app's database.
    binds = {k: v for k, v in (app.config.get("SQLALCHEMY_BINDS") or {}).items() if k != READS}
    if not uri.startswith("sqlite"):
        # SQLALCHEMY_ENGINE_OPTIONS are the default engine's only; the bind gets a copy.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        binds[READS] = {
            **options,
            "url": uri,
            "isolation_level": "AUTOCOMMIT",
            "pool_reset_on_return": None,
        }
    app.config["SQLALCHEMY_BINDS"] = binds


def init_database(app: Flask) -> None:
    """Set up Flask-SQLAlchemy for `app`, with the reads engine on a server database.

    The bind has no tables, so its MetaData, which Flask-SQLAlchemy keeps on the one
    `db` every app shares, is dropped again: another app in the same process (tests,
    SQLite) would otherwise be asked for a bind it does not have by `db.create_all()`.
    """
    add_reads_engine(app)
    db.init_app(app)
    db.metadatas.pop(READS, None)


def dispose_engines() -> None:
    """End the session and close the pooled connections of every engine of the current app.

    The reads engine's too: a connection left in any pool holds its database open, and
    `CREATE DATABASE ... TEMPLATE` or `DROP DATABASE` on it then fail (session 9's
    bench). For whoever is done with an app in a process that goes on: tests, benches.
    """
    db.session.remove()
    for engine in db.engines.values():
        engine.dispose()


@contextmanager
def autocommit_connection() -> Iterator[Connection]:
    """Yield a pooled connection outside the session, for one statement that only reads."""
    engine = db.engines.get(READS)
    if engine is not None:
        with engine.connect() as connection:
            yield connection
        return
    engine = db.engine
    with engine.connect() as connection:
        if reads_need_autocommit(engine.dialect):
            connection = connection.execution_options(**AUTOCOMMIT)
        yield connection


def session_reads_in_autocommit() -> None:
    """Have the request's session run what follows without a transaction, if it has none yet.

    For work that only reads (a learner page's render): a session that already holds
    work keeps its transaction.
    """
    session = db.session()
    if not session.in_transaction() and reads_need_autocommit(session.get_bind().dialect):
        session.connection(execution_options=AUTOCOMMIT)


def configure_engine(app: Flask) -> None:
    """Check idle server connections; give SQLite foreign keys and WAL like the production database."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            if not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
                for each in db.engines.values():
                    ping_idle_connections(each, app.config["LMS_DB_PING_AFTER_IDLE_S"])
            return

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
