"""Read an HR system's CSV export of employees into rows and per-row problems.

Plain functions, no Flask or database (DESIGN.md, "CSV import").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email

COLUMNS = ("employee_id", "email", "full_name", "department", "role", "hire_date", "manager_email")
OPTIONAL_COLUMNS = ("status",)
# `email` may be empty: someone with no work email signs in with their employee_id.
REQUIRED_VALUES = frozenset({"employee_id", "full_name", "hire_date"})
NO_EMAIL_NOR_ID = (
    "empty, and so is employee_id: a person needs an employee_id (and an email if they have one)"
)
MAX_LENGTHS = {"employee_id": 64, "email": 254, "full_name": 200, "department": 120, "role": 120}
STATUSES = ("active", "terminated")

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
BAD_BYTE = re.compile("[\udc80-\udcff]")  # how surrogateescape carries bytes that are not UTF-8
# Dates Attest takes in (hire dates, "as of" days): later ones overflowed once a period was
# added (9999-12-31 + 30 days), and neither end is a real hire date or report day.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never in a header; tab, CR, LF may be
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2199, 12, 31)
DATE_RANGE = f"{EARLIEST_DATE} to {LATEST_DATE}"


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.problem}"


@dataclass(slots=True)
class Row:
    """One employee record; a value that failed its check is None (and has a RowError)."""

    line: int
    employee_id: str | None
    email: str | None
    full_name: str | None
    department: str | None
    role: str | None
    hire_date: date | None
    manager_email: str | None
    is_terminated: bool


@dataclass
class ParsedCsv:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # A problem with the file itself (empty, bad header): no row can be trusted.
    is_fatal: bool = False


def parse_csv(data: bytes) -> ParsedCsv:
    """Read a CSV export into rows, listing every problem found.

    UTF-8 with or without a byte order mark; a header row naming the columns
    in any order; quoted fields may hold commas and line breaks. A row's line
    is the physical line its record starts on. Bytes that are not UTF-8 are
    reported in the row and column where they occur.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _fatal(1, "file", 'the file is UTF-16; save it as "CSV UTF-8" and try again')
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    if not text.strip():
        return _fatal(1, "file", "the file is empty; the first line must be the header row")
    has_bad_bytes = BAD_BYTE.search(text) is not None
    records = _records(text)
    header_line, header = next(records)
    parsed = ParsedCsv()
    columns = _check_header(header_line, header, parsed.errors)
    if parsed.errors:
        parsed.is_fatal = True
        return parsed
    for line, values in records:
        if isinstance(values, RowError):
            parsed.errors.append(values)
        elif any(v.strip() for v in values):
            if len(values) != len(columns):
                parsed.errors.append(
                    RowError(
                        line,
                        "row",
                        f"{len(values)} values, but the header has {len(columns)} columns",
                    )
                )
                continue
            parsed.rows.append(
                read_row(
                    line, dict(zip(columns, values, strict=True)), parsed.errors, has_bad_bytes
                )
            )
    return parsed


def _fatal(line: int, column: str, problem: str) -> ParsedCsv:
    return ParsedCsv(errors=[RowError(line, column, problem)], is_fatal=True)


def _records(text: str) -> Iterator[tuple[int, list[str] | RowError]]:
    """Yield (first physical line, values) per record, or a RowError for malformed quoting.

    csv.reader's line_num is the line a record *ends* on, so a record starts
    one line after the previous one ended.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    ended = 0
    while True:
        start = ended + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problem = str(exc)
            if problem == "unexpected end of data":
                problem = 'a quoted value is never closed (a missing ")'
            yield start, RowError(start, "row", problem)
            values = None
        ended = reader.line_num
        if values is not None:
            yield start, values


def _check_header(line: int, header: list[str] | RowError, errors: list[RowError]) -> list[str]:
    if isinstance(header, RowError):
        errors.append(header)
        return []
    if control := CONTROL.search("".join(header)):
        # No CSV header holds one: a spreadsheet, an image or an archive was uploaded.
        byte = f"0x{ord(control.group()):02X}"
        errors.append(
            RowError(
                line,
                "file",
                f"this is not a CSV text file (it holds byte {byte}); export the people as CSV",
            )
        )
        return []
    for position, name in enumerate(header, start=1):
        if bad := BAD_BYTE.search(name):
            errors.append(RowError(line, f"column {position}", not_utf8(bad.group())))
    if errors:
        return []
    columns = [name.strip().lower() for name in header]
    known = COLUMNS + OPTIONAL_COLUMNS
    for position, name in enumerate(columns, start=1):
        if not name:
            errors.append(RowError(line, f"column {position}", "the header names no column here"))
        elif name not in known:
            errors.append(
                RowError(line, name, f"unknown column; the columns are {', '.join(known)}")
            )
        elif columns.index(name) != position - 1:
            errors.append(RowError(line, name, "this column appears twice in the header"))
    for name in COLUMNS:
        if name not in columns:
            errors.append(RowError(line, name, "missing required column"))
    return columns


def read_row(line: int, raw: dict[str, str], errors: list[RowError], has_bad_bytes: bool) -> Row:
    values: dict[str, Any] = {}
    for column in COLUMNS + OPTIONAL_COLUMNS:
        text = raw.get(column, "")
        if has_bad_bytes and (bad := BAD_BYTE.search(text)):
            errors.append(RowError(line, column, not_utf8(bad.group())))
            values[column] = None
            continue
        if "\x00" in text:  # PostgreSQL refuses it, SQLite would store it silently
            errors.append(
                RowError(
                    line, column, "contains a NUL character (byte 0x00), which cannot be stored"
                )
            )
            values[column] = None
            continue
        value, problem = check_value(column, text)
        if problem:
            errors.append(RowError(line, column, problem))
        values[column] = value
    if not raw.get("email", "").strip() and not raw.get("employee_id", "").strip():
        errors.append(RowError(line, "email", NO_EMAIL_NOR_ID))
    return Row(
        line=line,
        employee_id=values["employee_id"],
        email=values["email"],
        full_name=values["full_name"],
        department=values["department"],
        role=values["role"],
        hire_date=values["hire_date"],
        manager_email=values["manager_email"],
        is_terminated=values["status"] == "terminated",
    )


def not_utf8(escaped: str) -> str:
    """Describe a byte that is not UTF-8, as carried by surrogateescape."""
    return f'not UTF-8 (byte 0x{ord(escaped) - 0xDC00:02X}); save the file as "CSV UTF-8"'


def check_value(column: str, text: str) -> tuple[Any, str | None]:
    """Return (clean value or None, problem or None) for one cell."""
    text = " ".join(text.split()) if column != "employee_id" else text.strip()
    if not text:
        return None, "a value is required" if column in REQUIRED_VALUES else None
    if len(text) > MAX_LENGTHS.get(column, 254):
        return None, f"longer than {MAX_LENGTHS.get(column, 254)} characters"
    if column in ("email", "manager_email"):
        return check_email(text)
    if column == "hire_date":
        return check_date(text)
    if column == "status":
        if text.lower() not in STATUSES:
            return None, f"{text!r} is not a status; use active or terminated"
        return text.lower(), None
    return text, None


# Checking an address is most of reading a file (email_validator: 37 of 49 s profiled for
# 62,000 rows; 0.1-0.4 ms an address); a manager's address repeats on every report's row,
# so each is checked once, and the plain ASCII address nearly every row has is checked
# by PLAIN_EMAIL instead (`plain_email`).
@lru_cache(maxsize=4096)
def check_email(text: str) -> tuple[str | None, str | None]:
    if (plain := plain_email(text)) is not None:
        return plain, None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower(), None
    except EmailNotValidError as exc:
        return None, f"{text!r} is not an email address ({exc})"


# A subset of what email_validator accepts, where its answer is known: an ASCII dot-atom
# local part of at most 64 characters, and a domain of letter/digit/hyphen labels (none
# starting or ending with a hyphen, none with "--" third and fourth as IDNA's "xn--", at
# most 63 characters)
# ending in a letters-only top-level label that is not a special-use name. For these it
# returns the address as given with the domain in lower case, so `.lower()` of the whole
# is what `check_email` gives either way. tests/hr/test_import_csv.py compares the two.
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]{1,64}(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:(?!..--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
    re.ASCII | re.IGNORECASE,
)
SPECIAL_USE = frozenset(("arpa", "invalid", "local", "localhost", "onion", "test"))


def plain_email(text: str) -> str | None:
    """Return `text` in lower case if it is a plain address email_validator would accept, else None."""
    if len(text) > 254 or not PLAIN_EMAIL.fullmatch(text):
        return None
    local, domain = text.rsplit("@", 1)
    if len(local) > 64 or domain.rsplit(".", 1)[1].lower() in SPECIAL_USE:
        return None
    return text.lower()


def check_date(text: str) -> tuple[date | None, str | None]:
    if not ISO_DATE.fullmatch(text):
        return None, f"{text!r} is not a date; use YYYY-MM-DD"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, f"{text} is not a real date"
    problem = date_range_problem(day)
    return (None, problem) if problem else (day, None)


def date_range_problem(day: date) -> str | None:
    """Say why a date is refused, or None if it is in the range Attest accepts."""
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return f"{day.isoformat()} is outside the dates Attest accepts ({DATE_RANGE})"
