"""Bulk inserts: one executemany on SQLite, COPY on PostgreSQL.

Measured reason (commit d59e83f, bench/import_hires.py): on PostgreSQL an
executemany is one INSERT per row, each a server round trip, and 90,000 of them were
most of an import's time; multi-row VALUES cost more in SQLAlchemy's compiler than
they saved. COPY on the session's connection does the same in one stream.
"""

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Integer, Table, any_, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

from lms.extensions import db

# Fewer rows than this go in as plain INSERTs: COPY only pays off in bulk.
COPY_MIN_ROWS = 100
# What a bulk load's transaction may use per sort or hash on PostgreSQL (see room_to_sort).
BULK_WORK_MEM = "64MB"


def room_to_sort() -> None:
    """Let the rest of this transaction sort and hash in BULK_WORK_MEM on PostgreSQL.

    Measured reason (issue 18, session 10): the compliance summary's statement trigger
    groups each COPY of new assignments (48,000 rows, 144,000 to sort into some 800
    groups); in PostgreSQL's default 4 MB it sorted them on disk, 0.5-0.7 s a COPY,
    about 12 s of a 100,000-person import. `SET LOCAL` ends with the transaction; a
    bulk load is one transaction at a time, so the memory is bounded. SQLite: nothing.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'"))


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
    lines = copy_text(rows, given, is_json, list(defaults.values()))
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            # Rows are tuples picked out by itemgetter: tens of millions go through here in
            # a 100,000-employee demo, and a list built per row was a fifth of its COPYs.
            if lines is not None:
                for start in range(0, len(lines), COPY_WRITE_ROWS):
                    copy.write("".join(lines[start : start + COPY_WRITE_ROWS]))
            elif not json_given:
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


COPY_WRITE_ROWS = 10_000  # lines per write: a few MB at most
# COPY's text format escapes a backslash, tab, newline or carriage return in a value;
# PostgreSQL's text holds no NUL (psycopg refuses one: such a column is left to it).
COPY_UNSAFE = re.compile("[\\\\\t\n\r\x00]")
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"
# How psycopg writes each type in COPY's text format (none of these can need escaping).
CELL_TEXT: dict[type, Callable[[Any], str]] = {
    int: int.__repr__,
    bool: lambda value: "t" if value else "f",
    date: date.isoformat,
    datetime: datetime.isoformat,  # with its offset, as psycopg sends an aware datetime
}


def copy_text(
    rows: Sequence[dict[str, Any]], given: list[str], is_json: list[bool], defaults: list[Any]
) -> list[str] | None:
    """Return the rows (then the `defaults`, the same on every row) as lines of COPY text.

    Measured reason: psycopg's `write_row` took 12 of a 100,000-person import's 36 s of
    Python profiled (1.27 million rows: ~4.4 us a row, against ~1.5 us for the same
    text built here a column at a time). Integers, booleans, dates, datetimes and text
    are written as psycopg writes them, a JSON column as `json.dumps` gives it (what
    psycopg's `Json` sends; None is JSON's null there), None elsewhere as NULL.
    Returns None, and the caller writes row by row with psycopg, when a column holds
    anything else (a float, a Decimal, text with a NUL byte, a mix of types).
    """
    cells = [
        _column_text([row[name] for row in rows], json)
        for name, json in zip(given, is_json[: len(given)], strict=True)
    ]
    filled_in = [
        _column_text([value], json)
        for value, json in zip(defaults, is_json[len(given) :], strict=True)
    ]
    if any(column is None for column in [*cells, *filled_in]):
        return None
    suffix = "".join(f"\t{column[0]}" for column in filled_in) + "\n"  # type: ignore[index]
    return [f"{line}{suffix}" for line in map("\t".join, zip(*cells, strict=True))]  # type: ignore[arg-type]


def _column_text(values: list[Any], json_column: bool) -> list[str] | None:
    """One column's values as COPY text (see `copy_text`), or None if one has no text form here."""
    if json_column:
        text: list[str | None] = [json.dumps(value) for value in values]
    else:
        kinds = {type(value) for value in values} - {type(None)}
        if not kinds:
            return [NULL] * len(values)
        if len(kinds) > 1:
            return None
        kind = kinds.pop()
        if kind is not str:
            cell = CELL_TEXT.get(kind)
            if cell is None:
                return None
            return [NULL if value is None else cell(value) for value in values]
        text = values
    present = [value for value in text if value is not None]
    if COPY_UNSAFE.search("".join(present)):
        if any("\x00" in value for value in present):
            return None
        text = [None if value is None else value.translate(COPY_ESCAPES) for value in text]
    return [NULL if value is None else value for value in text]


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
