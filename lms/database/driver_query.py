"""DriverQuery: one SELECT run on the driver's own cursor, for the hottest statement.

Measured reason (session 5, bench/README.md): through SQLAlchemy's execution the
signed-in person's read cost about twice the CPU of the driver running it (158 against
65 us a request on PostgreSQL) and was half of a cached page's time.

Library internals relied on, pinned in requirements.txt (SQLAlchemy) and held by
tests/ops/test_library_seams.py and tests/ops/test_connections.py (the cursor events:
the signed-in read counted as one statement), which fail if an upgrade changes them:
`Connection._handle_dbapi_exception` (private: SQLAlchemy's own wrapping of a driver
error, with handle_error events and pool invalidation on a lost connection; no public
call does that for a statement SQLAlchemy did not run), `Connection.dispatch`'s cursor
events, and the compiled statement's `binds`, `positiontup` and `escaped_bind_names`.
"""

from collections.abc import Sequence
from contextlib import suppress
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Dialect, Select


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
