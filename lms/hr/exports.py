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


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Row],
    convert: Callable[[Row], Row] = every_cell,
) -> Response:
    """Stream a CSV download; the rows are fetched while the response is being sent."""
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # employee ids come from HR's CSV files
    return Response(
        stream_with_context(csv_chunks(header, rows, convert)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
