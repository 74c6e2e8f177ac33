"""What differs between SQLite and PostgreSQL: engine set-up, connections and bulk inserts."""

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy import (
    JSON,
    Connection,
    Dialect,
    Engine,
    Integer,
    Select,
    Table,
    any_,
    bindparam,
    event,
    insert,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError, DisconnectionError

from lms.extensions import db
from lms.sqlite_writers import QueuedConnection

# Fewer rows than this go in as plain INSERTs: COPY only pays off in bulk.
COPY_MIN_ROWS = 100


def insert_rows(table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT many rows (each with the same keys) in the session's transaction.

    SQLite takes one executemany, a loop in C inside one file. On PostgreSQL an
    executemany is one INSERT per row, each a server round trip (90,000 of them were
    most of an import's time there), and multi-row VALUES cost more in SQLAlchemy's
    compiler than they saved; so rows in bulk go in with COPY, on the session's
    connection. Either way a refused row (a duplicate email, say) raises SQLAlchemy's
    IntegrityError, and nothing is written.
    """
    if not rows:
        return
    if len(rows) < COPY_MIN_ROWS or db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return
    _copy_rows(table, rows)


def among(column: Any, ids: Sequence[int]) -> Any:
    """Return `column IN ids` for a batch of integer ids, as one parameter on PostgreSQL.

    `IN (...)` gives each id its own parameter: for a batch job's thousand ids a
    statement SQLAlchemy renders and psycopg parses afresh each time (8 of a 100,000-
    person renew's 46 s profiled). PostgreSQL takes the list as one array instead,
    `= ANY(%(ids)s)`, and the statement stays the same. SQLite keeps `IN`.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return column.in_(list(ids))
    return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))


def _copy_rows(table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY `rows` into `table`, filling in the columns' Python-side defaults as INSERT would."""
    import psycopg
    from psycopg import sql
    from psycopg.types.json import Json

    given = list(rows[0])
    defaults = {}
    for column in table.columns:
        if column.key in rows[0] or column.default is None:
            continue  # given, or left to the database (NULL, a server default, a sequence)
        if column.default.is_scalar:
            defaults[column.key] = column.default.arg
        elif column.default.is_callable:
            defaults[column.key] = column.default.arg(None)  # e.g. utcnow: one instant for all
        else:
            raise ValueError(f"{table.name}.{column.key}: no COPY for a SQL-expression default")
    names = given + list(defaults)
    is_json = [isinstance(table.columns[name].type, JSON) for name in names]
    columns = [sql.Identifier(table.columns[name].name) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(columns)
    )
    raw = db.session.connection().connection.driver_connection
    # The same for every row (a JSON default wrapped once).
    filled_in = tuple(
        Json(value) if json else value
        for value, json in zip(defaults.values(), is_json[len(given) :], strict=True)
    )
    json_given = [i for i, json in enumerate(is_json[: len(given)]) if json]
    values_of = itemgetter(*given) if len(given) > 1 else lambda row: (row[given[0]],)
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            # Rows are tuples picked out by itemgetter: tens of millions go through here in
            # a 100,000-employee demo, and a list built per row was a fifth of its COPYs.
            if not json_given:
                for row in rows:
                    copy.write_row(values_of(row) + filled_in)
            else:
                for row in rows:
                    values = list(values_of(row))
                    for i in json_given:
                        values[i] = Json(values[i])
                    values.extend(filled_in)
                    copy.write_row(values)
    except psycopg.Error as exc:
        # As SQLAlchemy would have raised it (IntegrityError for a constraint, and so on).
        raise DBAPIError.instance(
            statement.as_string(raw),
            None,
            exc,
            psycopg.Error,
            dialect=db.session.get_bind().dialect,
        ) from exc


@contextmanager
def indexes_built_after(*tables: Table) -> Iterator[None]:
    """Load rows in bulk into `tables` with their foreign keys and plain indexes built after.

    On PostgreSQL, each row COPYed into a table with indexes updates every index
    and queues a check per foreign key; for the tens of millions of rows of a
    100,000-employee demo that was most of the server's time. Here the tables'
    foreign keys and non-unique indexes are dropped first and made again at the end
    (one sort per index, one join per key, checking every row as the row-by-row
    checks would), all in the session's transaction: DDL is transactional there, so
    a load that fails or is cut short leaves the schema as it was. Primary keys and
    unique indexes stay (they decide what may go in). The tables are locked against
    everyone else until the commit: for loading an empty database (the demo), not a
    live one. SQLite does nothing different.
    """
    from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    keys = [key for table in tables for key in table.foreign_key_constraints]
    indexes = [index for table in tables for index in table.indexes if not index.unique]
    for key in keys:
        db.session.execute(DropConstraint(key, if_exists=True))
    for index in indexes:
        db.session.execute(DropIndex(index, if_exists=True))
    yield
    for index in indexes:
        db.session.execute(CreateIndex(index))
    for key in keys:
        db.session.execute(AddConstraint(key))


def engine_options(app: Flask) -> dict:
    """Return the engine options for the app's database (SQLALCHEMY_ENGINE_OPTIONS wins).

    A server's connections are checked before use only when they have sat idle (see
    `ping_idle_connections`), and the pool hands out the connection used last, so a
    busy worker keeps reusing one known-good connection. A SQLite file has no server
    that could drop a connection, so it is never checked; its writers wait their turn
    in `lms.sqlite_writers`' queue (unless LMS_SQLITE_WRITERS_QUEUE is off).
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


@contextmanager
def autocommit_connection() -> Iterator[Connection]:
    """Yield a pooled connection outside the session, for one statement that only reads."""
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
                ping_idle_connections(engine, app.config["LMS_DB_PING_AFTER_IDLE_S"])
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


class DriverQuery:
    """A Core SELECT run on the database driver's own cursor, for the hottest statement.

    Every signed-in request reads the signed-in person. Through SQLAlchemy's execution
    (an execution context, parameter and result objects) that one statement cost about
    twice the CPU of the driver running it (PostgreSQL: 158 against 65 us a request,
    measured in a loop; more in a busy worker), and it was half of a cached page's
    time. So the statement is compiled once per dialect, as SQLAlchemy would compile it,
    and run on the pooled connection's driver cursor, keeping what SQLAlchemy's own
    execution gives: its type conversions of the columns read (SQLite's 0/1 become
    booleans); its `before_cursor_execute` / `after_cursor_execute` events, so query
    counts, logging, tracing and Flask-SQLAlchemy's recorded queries see the statement
    (`context` is a stand-in namespace with the statement, parameters, cursor and
    connection; listeners that rewrite statements, `retval=True`, do not apply); and
    its handling of errors (raised as SQLAlchemy's exceptions; a lost connection
    invalidates the pool, as any other statement's would).

    Only statements whose parameters are all given at run time, with no conversion on
    the way in, are taken; anything else is refused when first compiled.
    """

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, str, str], _DriverPlan] = {}

    def first(self, connection: Connection, params: dict[str, Any]) -> dict[str, Any] | None:
        """Return the first row as a dict of the statement's column names, or None."""
        dialect = connection.dialect
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _DriverPlan(self.statement, dialect)
        arguments = plan.arguments(params)
        cursor = connection.connection.driver_connection.cursor()
        # No execution context exists; listeners get a stand-in with what they read of
        # one (Flask-SQLAlchemy's recorded queries: statement, parameters) and may keep
        # their own state on it.
        context = SimpleNamespace(
            statement=plan.sql,
            parameters=[arguments],
            cursor=cursor,
            connection=connection,
            executemany=False,
        )
        try:
            connection.dispatch.before_cursor_execute(
                connection, cursor, plan.sql, arguments, context, False
            )
            cursor.execute(plan.sql, arguments)
            connection.dispatch.after_cursor_execute(
                connection, cursor, plan.sql, arguments, context, False
            )
            row = cursor.fetchone()
        except dialect.loaded_dbapi.Error as exc:
            # SQLAlchemy's own handling, as for any statement it runs: wraps and raises
            # the error, fires handle_error, and on a lost connection invalidates it and
            # the pool's other connections of its age.
            connection._handle_dbapi_exception(exc, plan.sql, arguments, cursor, None)
            raise  # not reached: the line above raises
        finally:
            with suppress(dialect.loaded_dbapi.Error):  # a closed connection's cursor
                cursor.close()
        return None if row is None else plan.row(row)


class _DriverPlan:
    """A statement compiled for one dialect: its SQL, how to pass parameters, how to read rows."""

    def __init__(self, statement: Select, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        for name, bind in compiled.binds.items():
            if bind.value is not None or bind.callable is not None or bind.expanding:
                raise ValueError(f"DriverQuery: parameter {name!r} must be given at run time")
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                raise ValueError(f"DriverQuery: parameter {name!r} needs converting on the way in")
        if compiled.escaped_bind_names:
            raise ValueError("DriverQuery: parameter names must need no escaping")
        self.sql = compiled.string
        self.positions = compiled.positiontup  # None for named parameter styles
        self.names = [column.key for column in statement.selected_columns]
        self.processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]

    def arguments(self, params: dict[str, Any]) -> dict[str, Any] | tuple:
        if self.positions is None:
            return params
        return tuple(params[name] for name in self.positions)

    def row(self, values: Sequence[Any]) -> dict[str, Any]:
        return {
            name: value if process is None else process(value)
            for name, value, process in zip(self.names, values, self.processors, strict=True)
        }
