"""Employees in through the API, by the CSV import's own rules (DESIGN.md, "CSV import").

A JSON employee is read into the same `Row` as a line of the CSV export, then
planned and applied by `lms.imports.plan` and `lms.imports.apply`: the same
checks and messages, manager resolution by email, termination and program
assignment as `flask lms import-hires`, and all or nothing like its default.
Flushes only; the view commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lms.api.problems import Problem
from lms.audit import record_event
from lms.imports.apply import ImportResult, apply_plan, load_people
from lms.imports.csvfile import COLUMNS, OPTIONAL_COLUMNS, ParsedCsv, RowError, read_row
from lms.imports.plan import KINDS, UNCHANGED, ForbiddenChange, Plan, plan_import

FIELDS = COLUMNS + OPTIONAL_COLUMNS
MAX_BATCH = 10_000
# The import's messages point at other rows as "line N"; here a row is the Nth employee sent.
LINE = re.compile(r"\bline (?=\d)")


@dataclass
class Upsert:
    """What an upsert found and did: the plan (with any problems) and, once applied, the result."""

    plan: Plan
    field_lines: set[int] = field(default_factory=set)  # items with malformed fields
    employee_ids: dict[int, str | None] = field(default_factory=dict)  # by item
    result: ImportResult | None = None

    @property
    def is_malformed(self) -> bool:
        """Whether a field is wrong in itself (400), rather than clashing with others (422)."""
        return bool(self.field_lines)

    @property
    def is_forbidden(self) -> bool:
        """Whether a change is not the HR system's to make at all (403), such as an HR user's email."""
        return any(isinstance(e, ForbiddenChange) for e in self.plan.errors)

    @property
    def problems(self) -> list[Problem]:
        return [
            Problem(e.column, LINE.sub("item ", e.problem), e.line, self.employee_ids.get(e.line))
            for e in self.plan.errors
        ]


def read_employees(items: list[Any], *, employee_id: str | None = None) -> ParsedCsv:
    """Read JSON employee objects into rows and problems, as `parse_csv` reads a file's lines.

    Every value is a string or null (null, "" and a missing field are the same:
    no value). `employee_id` is the one named in the URL of a PUT.
    """
    parsed = ParsedCsv()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            parsed.errors.append(RowError(number, "employee", "must be a JSON object"))
            continue
        raw, errors = raw_values(number, item, employee_id)
        found: list[RowError] = []
        row = read_row(number, raw, found, False)
        wrong_type = {e.column for e in errors}
        parsed.errors += errors + [e for e in found if e.column not in wrong_type]
        parsed.rows.append(row)
    return parsed


def raw_values(
    number: int, item: dict[str, Any], employee_id: str | None
) -> tuple[dict[str, str], list[RowError]]:
    """Return the item's values as the CSV reader would see them, and its type problems."""
    errors = [
        RowError(number, str(name), f"unknown field; the fields are {', '.join(FIELDS)}")
        for name in item
        if name not in FIELDS
    ]
    raw: dict[str, str] = {}
    for name in FIELDS:
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(
                RowError(number, name, f"must be a string or null, not {json_type(value)}")
            )
            value = None
        raw[name] = value or ""
    if employee_id is not None:
        if raw["employee_id"] and raw["employee_id"].strip() != employee_id:
            errors.append(
                RowError(
                    number, "employee_id", f"does not match the URL's employee_id {employee_id!r}"
                )
            )
        raw["employee_id"] = employee_id
    return raw, errors


def json_type(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "an array",
        dict: "an object",
    }
    return names.get(type(value), type(value).__name__)


def upsert_employees(
    parsed: ParsedCsv, *, today: date, token_name: str, request_line: str, invite: bool = False
) -> Upsert:
    """Check every employee and, only if none has a problem, create or update them all.

    Nothing changes when nothing would (so a nightly sync of unchanged people
    leaves no trace); otherwise the import's audit events are written with
    source `api`, and one `api.employees_upserted` names the token.
    """
    plan = plan_import(parsed, load_people())
    upsert = Upsert(
        plan,
        field_lines={e.line for e in parsed.errors},
        employee_ids={row.line: row.employee_id for row in parsed.rows},
    )
    if plan.errors or all(c.kind == UNCHANGED for c in plan.changes):
        return upsert
    upsert.result = apply_plan(plan, today=today, invite=invite, source="api")
    record_event(
        "api.employees_upserted",
        details={
            "via": "api",
            "token": token_name,
            "request": request_line,
            "invited": upsert.result.invited,
            **counts(plan),
        },
    )
    return upsert


def counts(plan: Plan) -> dict[str, int]:
    return {kind: plan.counts[kind] for kind in KINDS}
