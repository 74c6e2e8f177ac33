"""Bulk inserts: one executemany on SQLite, COPY on PostgreSQL.

Measured reason (commit d59e83f, bench/import_hires.py): on PostgreSQL an
executemany is one INSERT per row, each a server round trip, and 90,000 of them were
most of an import's time; multi-row VALUES cost more in SQLAlchemy's compiler than
they saved. COPY on the session's connection does the same in one stream.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Integer, Table, any_, bindparam, insert
from sqlalchemy.dialects.postgresql import ARRAY
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


def among(column: Any, ids: Sequence[Any]) -> Any:
    """Return `column IN ids` for a batch of ids (or other keys), as one parameter on PostgreSQL.

    `IN (...)` gives each id its own parameter: for a batch job's thousand ids a
    statement SQLAlchemy renders and psycopg parses afresh each time (8 of a 100,000-
    person renew's 46 s profiled; a 100,000-person import's 5,000-id batches, 3.1 s
    of its 36 s of Python profiled in psycopg's parsing alone). PostgreSQL takes the
    list as one array of the column's type instead, `= ANY(%(ids)s)`, and the
    statement stays the same. SQLite keeps `IN`.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return column.in_(list(ids))
    kind = column.type if not isinstance(column.type, Integer) else Integer()
    return column == any_(bindparam(None, list(ids), type_=ARRAY(kind)))


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
