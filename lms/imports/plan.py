"""Compare imported rows with the people already in Attest: what changes, what is refused.

Plain functions, no Flask or database; `lms.imports.apply` loads the snapshot
of people and applies the plan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lms.imports.csvfile import COLUMNS, OPTIONAL_COLUMNS, ParsedCsv, Row, RowError
from lms.imports.rules import email_change_problem, email_owner_problem

NEW = "new"
UPDATED = "updated"
TERMINATED = "terminated"
UNCHANGED = "unchanged"
KINDS = (NEW, UPDATED, TERMINATED, UNCHANGED)


@dataclass(frozen=True, slots=True)
class Person:
    """A person already in Attest, as the plan needs to see them."""

    id: int
    employee_id: str | None
    email: str | None  # None: no work email (signs in with their employee_id)
    full_name: str
    department: str | None
    role: str | None
    hire_date: date | None
    manager_id: int | None
    is_active: bool
    is_hr: bool = False


@dataclass(frozen=True, slots=True)
class ForbiddenChange(RowError):
    """A row asking for a change no import may make (an HR user's email): the API answers 403."""


Key = int | str  # an existing person's id, or "new:<employee_id>" for someone the file adds


@dataclass(slots=True)
class Change:
    kind: str
    row: Row
    person: Person | None
    manager_key: Key | None
    # field -> (old, new) for display and the audit trail; empty for a new person
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return self.person.id if self.person else f"new:{self.row.employee_id}"

    @property
    def moves(self) -> bool:
        """Whether the person's department or role changes (a transfer)."""
        return "department" in self.fields or "role" in self.fields


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    is_fatal: bool = False
    rows: int = 0

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for change in self.changes:
            counts[change.kind] += 1
        counts["errors"] = len({e.line for e in self.errors})
        return counts

    @property
    def email_changes(self) -> int:
        """How many people already here would get a new email (each is signed out, and told)."""
        return sum(1 for c in self.changes if c.person is not None and "email" in c.fields)

    def digest(self) -> str:
        """Fingerprint of what the plan would do, to check a confirmation matches its preview."""
        parts = [str(e) for e in self.errors]
        for c in self.changes:
            parts.append(repr((c.kind, c.row, c.key, c.manager_key, sorted(c.fields.items()))))
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def plan_import(parsed: ParsedCsv, people: Iterable[Person]) -> Plan:
    """Decide what importing `parsed` would change, and which rows cannot be imported.

    Rows upsert by employee_id, and only by it: a row whose email belongs to
    someone else, with or without an employee_id, is refused, and so is a row
    changing an HR user's email (`lms.imports.rules`). Two rows with the same
    employee_id or email are both refused. A manager is named by email, of
    someone in the file or already here, as they will be after the import; no
    one may end up in a chain of managers that loops. Refusing a row can make others fail (its reports lose their
    manager), so checks repeat until no new row fails; the good rows that
    remain are exactly what `--partial` imports.
    """
    plan = Plan(errors=list(parsed.errors), is_fatal=parsed.is_fatal, rows=len(parsed.rows))
    if parsed.is_fatal:
        return plan
    people = list(people)
    bad = {e.line for e in plan.errors}
    plan.errors += _duplicates(parsed.rows, "employee_id") + _duplicates(parsed.rows, "email")
    bad |= {e.line for e in plan.errors}
    while True:
        good = [r for r in parsed.rows if r.line not in bad]
        changes, errors = _resolve(good, parsed.rows, people)
        if not errors:
            break
        plan.errors += errors
        bad |= {e.line for e in errors}
    plan.changes = changes
    plan.errors += _unknown_managers_of_refused(parsed.rows, people, plan.errors)
    plan.errors.sort(key=lambda e: (e.line, _column_order(e.column)))
    return plan


def _unknown_managers_of_refused(
    rows: list[Row], people: list[Person], errors: list[RowError]
) -> list[RowError]:
    """Report an unknown manager on rows refused for something else too.

    The cross-row checks only look at rows still believed good, so a row with a
    bad date and a manager no one has would be sent back to be fixed twice.
    Every problem of every row is reported at once: whoever fixes the file sees
    them all.
    """
    refused = {e.line for e in errors}
    reported = {e.line for e in errors if e.column == "manager_email"}
    known = {p.email for p in people} | {r.email for r in rows if r.email}
    return [
        RowError(row.line, "manager_email", _no_such_manager(row.manager_email))
        for row in rows
        if row.line in refused
        and row.line not in reported
        and row.manager_email is not None
        and row.manager_email not in known
    ]


def _no_such_manager(email: str) -> str:
    return f"unknown manager {email}: no one in the file or in Attest has that email"


def _column_order(column: str) -> int:
    order = ("file", "row") + COLUMNS + OPTIONAL_COLUMNS
    return order.index(column) if column in order else len(order)


def _duplicates(rows: list[Row], column: str) -> list[RowError]:
    lines: dict[str, list[int]] = {}
    for row in rows:
        if (value := getattr(row, column)) is not None:
            lines.setdefault(value, []).append(row.line)
    errors = []
    for value, found in lines.items():
        for line in found if len(found) > 1 else ():
            others = ", ".join(str(n) for n in found if n != line)
            errors.append(RowError(line, column, f"{value} is also on line {others}"))
    return errors


def _resolve(good: list[Row], all_rows: list[Row], people: list[Person]):
    """One pass of the cross-row checks over the rows still believed good.

    A pass returns only errors that refusing other rows cannot undo: email
    clashes first; then managers no one has, and the rows that name them (and
    so on down the chain, in this pass, so a long chain needs no long loop);
    a manager's old email that another row changes only when nothing else
    failed (if that row fails, the email stays theirs); loops last.
    """
    by_id = {p.id: p for p in people}
    by_employee_id = {p.employee_id: p for p in people if p.employee_id}
    by_email = {p.email: p for p in people if p.email is not None}
    targets: dict[int, Person | None] = {r.line: by_employee_id.get(r.employee_id) for r in good}
    targeted = {p.id for p in targets.values() if p}
    owner: dict[str, Key] = {
        p.email: p.id for p in people if p.id not in targeted and p.email is not None
    }
    clashes = [
        RowError(row.line, "email", _owner_problem(row, by_id[owner[row.email]]))
        for row in good
        if row.email in owner
    ]
    clashes += [
        ForbiddenChange(row.line, "email", problem)
        for row in good
        if (person := targets[row.line])
        and (
            problem := email_change_problem(
                is_hr=person.is_hr, old_email=person.email, new_email=row.email
            )
        )
    ]
    if clashes:
        return [], clashes
    row_key: dict[int, Key] = {}
    for row in good:
        person = targets[row.line]
        row_key[row.line] = person.id if person else f"new:{row.employee_id}"
        if row.email is not None:
            owner[row.email] = row_key[row.line]
    moved_away = {
        p.email: r for r in good if (p := targets[r.line]) and p.email and p.email != r.email
    }
    line_of_email = {r.email: r.line for r in all_rows if r.email}
    manager_of: dict[Key, Key | None] = {p.id: p.manager_id for p in people if p.id not in targeted}
    certain, provisional = [], []
    for row in good:
        manager_key, problem, fixable = _manager(
            row, row_key[row.line], owner, moved_away, line_of_email
        )
        if problem:
            (provisional if fixable else certain).append(
                RowError(row.line, "manager_email", problem)
            )
        manager_of[row_key[row.line]] = manager_key
    if certain:
        return [], certain + _cascade(good, certain, by_email, line_of_email)
    if provisional:
        return [], provisional
    errors = _cycles(good, row_key, manager_of, owner)
    if errors:
        return [], errors
    changes = [_change(r, targets[r.line], manager_of[row_key[r.line]], by_id) for r in good]
    return changes, []


def _cascade(good, errors, by_email, line_of_email) -> list[RowError]:
    """Refuse the rows whose manager is on a row refused in this pass, all the way down.

    Only for a refused row whose email no one here holds: no one will have it.
    """
    reports: dict[str, list[Row]] = {}
    for row in good:
        if row.manager_email is not None:
            reports.setdefault(row.manager_email, []).append(row)
    refused = {e.line for e in errors}
    emails = [r.email for r in good if r.line in refused and r.email and r.email not in by_email]
    more = []
    while emails:
        email = emails.pop()
        for row in reports.get(email, ()):
            if row.line not in refused:
                refused.add(row.line)
                more.append(
                    RowError(
                        row.line,
                        "manager_email",
                        f"manager {email} is on line {line_of_email[email]}, which cannot be imported",
                    )
                )
                if row.email and row.email not in by_email:
                    emails.append(row.email)
    return more


def _owner_problem(row: Row, owner: Person) -> str:
    return email_owner_problem(
        email=owner.email,
        owner_name=owner.full_name,
        owner_employee_id=owner.employee_id,
        row_employee_id=row.employee_id,
    )


def _manager(row, key, owner, moved_away, line_of_email) -> tuple[Key | None, str | None, bool]:
    """Return (the manager's key, a problem, whether refusing another row could still fix it)."""
    email = row.manager_email
    if email is None:
        return None, None, False
    manager_key = owner.get(email)
    if manager_key == key:
        return None, "a person cannot be their own manager", False
    if manager_key is not None:
        return manager_key, None, False
    if (mover := moved_away.get(email)) is not None:  # theirs again if line `mover` is refused
        moved_to = f"changes that email to {mover.email}" if mover.email else "removes that email"
        return None, f"unknown manager {email}: line {mover.line} {moved_to}", True
    if (line := line_of_email.get(email)) is not None:
        return None, f"manager {email} is on line {line}, which cannot be imported", False
    return None, _no_such_manager(email), False


def _cycles(rows: list[Row], row_key, manager_of: dict[Key, Key | None], owner) -> list[RowError]:
    """Report every row whose person is in a loop of managers (O(n): each person walked once)."""
    email_of = {key: email for email, key in owner.items()}
    line_of = {row_key[r.line]: r.line for r in rows}
    done: set[Key] = set()
    errors = []
    for row in rows:
        path: list[Key] = []
        on_path: dict[Key, int] = {}
        node: Key | None = row_key[row.line]
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = manager_of.get(node)
        if node is not None and node in on_path:
            loop = path[on_path[node] :]
            shown = " → ".join(email_of.get(k, "?") for k in [*loop, loop[0]])
            errors += [
                RowError(line_of[k], "manager_email", f"manager cycle: {shown}")
                for k in loop
                if k in line_of
            ]
        done.update(path)
    return errors


def _change(row: Row, person: Person | None, manager_key: Key | None, by_id) -> Change:
    if person is None:
        return Change(TERMINATED if row.is_terminated else NEW, row, None, manager_key)
    old_manager = by_id[person.manager_id].email if person.manager_id in by_id else None
    new_manager = by_id[manager_key].email if isinstance(manager_key, int) else row.manager_email
    pairs = {
        "employee_id": (person.employee_id, row.employee_id),
        "email": (person.email, row.email),
        "full_name": (person.full_name, row.full_name),
        "department": (person.department, row.department),
        "role": (person.role, row.role),
        "hire_date": (person.hire_date, row.hire_date),
        "manager_email": (old_manager, new_manager),
        "status": (_status(person.is_active), _status(not row.is_terminated)),
    }
    fields = {name: pair for name, pair in pairs.items() if pair[0] != pair[1]}
    if row.is_terminated and person.is_active:
        kind = TERMINATED
    else:
        kind = UPDATED if fields else UNCHANGED
    return Change(kind, row, person, manager_key, fields)


def _status(is_active: bool) -> str:
    return "active" if is_active else "terminated"
