"""Bulk inserts: one executemany on SQLite, COPY on PostgreSQL.

Measured reason (commit d59e83f, bench/import_hires.py): on PostgreSQL an
executemany is one INSERT per row, each a server round trip, and 90,000 of them were
most of an import's time; multi-row VALUES cost more in SQLAlchemy's compiler than
they saved. COPY on the session's connection does the same in one stream.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.exc import DBAPIError

from lms.extensions import db

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
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            filled_in = list(defaults.values())  # the same for every row
            for row in rows:
                values = [row[name] for name in given] + filled_in
                copy.write_row([Json(v) if j else v for v, j in zip(values, is_json, strict=True)])
    except psycopg.Error as exc:
        # As SQLAlchemy would have raised it (IntegrityError for a constraint, and so on).
        raise DBAPIError.instance(
            statement.as_string(raw),
            None,
            exc,
            psycopg.Error,
            dialect=db.session.get_bind().dialect,
        ) from exc
