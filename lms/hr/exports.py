"""CSV downloads, streamed: rows are written a batch at a time as the database yields them."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from flask import Response, stream_with_context
from sqlalchemy import Select, String, case, func, literal

# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[Any]


def cell(value: Any) -> Any:
    """Return any value as a CSV cell: ISO dates and times, JSON for structures, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def every_cell(row: Row) -> list[Any]:
    return [cell(v) for v in row]


def defuse_columns(header: Sequence[str], text_columns: Iterable[str]) -> Callable[[Row], Row]:
    """Return a row converter that only defuses formulas in the given text columns.

    For long exports whose other columns are numbers and dates: the csv module
    writes those as they are (a date as YYYY-MM-DD, None as an empty cell), and
    checking 20 cells per row would halve the rows per second.
    """
    indexes = [header.index(name) for name in text_columns]
    starts = "".join(FORMULA_START)

    def convert(row: Row) -> Row:
        for i in indexes:
            value = row[i]
            if value and value[0] in starts:
                break
        else:
            return row  # nearly always: nothing to defuse
        return ["'" + v if i in indexes and v and v[0] in starts else v for i, v in enumerate(row)]

    return convert


def csv_chunks(
    header: Sequence[str],
    rows: Iterable[Row],
    convert: Callable[[Row], Row] = every_cell,
    rows_per_chunk: int = 1000,
) -> Iterator[str]:
    """Yield CSV text (with a BOM, so spreadsheets read UTF-8) a chunk of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    batch: list[Row] = []
    for row in rows:
        batch.append(convert(row))
        if len(batch) == rows_per_chunk:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


def copy_csv_chunks(
    header: Sequence[str],
    queries: Iterable[Select],
    text_columns: Iterable[str],
    rows_per_chunk: int = 2000,
) -> Iterator[bytes]:
    """Yield, on PostgreSQL, the bytes `csv_chunks` writes for these queries' rows, written by `COPY`.

    The server formats the rows (`COPY (query) TO STDOUT (FORMAT csv)`), so no row
    becomes Python objects: about ten times the rows per second of reading them
    and writing them with the csv module. The format is made the csv module's:

    - formulas are defused in SQL in `text_columns`, as `defuse_columns` does;
    - an empty string goes out as NULL, an empty cell (COPY would quote it, `""`,
      to tell it from NULL; the csv module writes both as nothing);
    - rows end with CRLF, as the csv module's, not COPY's LF: each row comes from the
      server on its own, so only its own last byte is changed, never a line break
      inside a quoted cell.

    Both quote a cell exactly when it holds a comma, a quote or a line break, and
    double its quotes; numbers and dates (already text, YYYY-MM-DD) print the same.
    `queries` run one after another on the session's connection, in its transaction.
    """
    from psycopg import sql

    from lms.extensions import db

    head = io.StringIO()
    head.write("\ufeff")
    csv.writer(head).writerow(header)
    yield head.getvalue().encode()
    text_columns = set(text_columns)
    connection = db.session.connection()
    dialect = connection.dialect
    raw = connection.connection.driver_connection
    for query in queries:
        compiled = as_csv_cells(query, text_columns).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
        statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv, ENCODING 'UTF8')").format(
            sql.SQL(compiled.string)
        )
        with raw.cursor() as cursor, cursor.copy(statement, compiled.params) as copy:
            rows: list[Any] = []
            for row in copy:
                rows.append(row[:-1])  # without its LF
                if len(rows) == rows_per_chunk:
                    rows.append(b"")
                    yield b"\r\n".join(rows)
                    rows.clear()
            if rows:
                rows.append(b"")
                yield b"\r\n".join(rows)


def as_csv_cells(query: Select, text_columns: set[str]) -> Select:
    """Return `query` with its string columns as the csv module would write them (see above)."""
    columns = []
    for column in query.selected_columns:
        value = column.element if hasattr(column, "element") else column
        if isinstance(column.type, String):
            if column.name in text_columns:
                value = case(
                    (func.substr(value, 1, 1).in_(FORMULA_START), literal("'") + value),
                    else_=value,
                )
            value = func.nullif(value, "")
        columns.append(value.label(column.name))
    return query.with_only_columns(*columns, maintain_column_froms=False)


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Row] | Iterable[bytes],
    convert: Callable[[Row], Row] | None = every_cell,
) -> Response:
    """Stream a CSV download; the rows are fetched while the response is being sent.

    `rows` are rows to write, or, with `convert=None`, the CSV's bytes already
    written (`copy_csv_chunks`), header and all.
    """
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # employee ids come from HR's CSV files
    body = rows if convert is None else csv_chunks(header, rows, convert)
    return Response(
        stream_with_context(body),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
