"""Apply a CSV import to the database (flushes only; the caller commits).

`import_csv_bytes` is the whole import in one call, for the CLI, the bench and
any other caller; the HR upload page previews with `preview_csv` and applies
the confirmed plan with `apply_plan`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from lms.assignments import AssignResult, assign_programs
from lms.audit import record_events
from lms.database import among, insert_rows, room_to_sort
from lms.extensions import db
from lms.imports.csvfile import parse_csv
from lms.imports.plan import NEW, TERMINATED, UNCHANGED, Change, Key, Person, Plan, plan_import
from lms.models import User
from lms.models.base import utcnow
from lms.people.invitations import retire_tokens, send_invitations
from lms.people.operations import end_email_changes

CHUNK = 5000  # ids per IN (...): well inside SQLite's and PostgreSQL's parameter limits
ACTIONS = {NEW: "person.created", TERMINATED: "person.terminated", "updated": "person.updated"}


@dataclass
class ImportResult:
    plan: Plan
    is_applied: bool = False
    created_ids: list[int] = field(default_factory=list)
    invited: int = 0
    emails_changed: int = 0  # each signed out, their old address sent a notice
    assigned: AssignResult = field(default_factory=AssignResult)

    @property
    def counts(self) -> dict[str, int]:
        return self.plan.counts


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_people() -> list[Person]:
    """Return everyone already in Attest, as the import plan compares them."""
    rows = db.session.execute(
        select(
            User.id,
            User.employee_id,
            User.email,
            User.full_name,
            User.department,
            User.role,
            User.hire_date,
            User.manager_id,
            User.is_active,
            User.is_hr,
        )
    )
    return [Person(*row) for row in rows]


def preview_csv(data: bytes) -> Plan:
    """Return what importing `data` would change, and every problem in it; change nothing."""
    return plan_import(parse_csv(data), load_people())


def import_csv_bytes(data: bytes, **options: Any) -> ImportResult:
    """Check and import a CSV export of employees (flushes only; the caller commits).

    Takes `apply_plan`'s keywords (`today`, and `actor_id`, `partial`, `invite`,
    `source`, `filename`). All or nothing: with any problem nothing is changed,
    not even the audit trail, unless `partial`, which imports exactly the rows
    without problems.
    """
    return apply_plan(preview_csv(data), **options)


def apply_plan(
    plan: Plan,
    *,
    today: date,
    actor_id: int | None = None,
    partial: bool = False,
    invite: bool = False,
    source: str = "cli",
    filename: str | None = None,
) -> ImportResult:
    """Make the plan's changes, assign programs and record them in the audit trail.

    New hires get their programs (due from the hire date); a person whose
    department or role changes is a transfer (`department_changed_on`, so new
    training is due from today); a terminated person is deactivated, signed
    out everywhere (`session_version`) and their open assignments closed; a
    person whose email changes is signed out everywhere too, their links
    retired and their old address told (`lms.people.operations.end_email_changes`).
    """
    result = ImportResult(plan)
    if plan.is_fatal or (plan.errors and not partial):
        return result
    now = utcnow()
    room_to_sort()
    changes = [c for c in plan.changes if c.kind != UNCHANGED]
    user_ids = write_people(changes, today)
    ids = [user_ids[c.key] for c in changes]
    result.created_ids = [user_ids[c.key] for c in changes if c.person is None]
    terminated = [user_ids[c.key] for c in changes if c.kind == TERMINATED and c.person]
    if terminated:
        retire_tokens(terminated, now)
    created = set(result.created_ids)
    for chunk in chunks(ids):
        step = assign_programs(today, chunk, new=created)
        result.assigned.created += step.created
        result.assigned.reopened += step.reopened
        result.assigned.closed += step.closed
    events = [person_event(c, user_ids[c.key], actor_id, source, now) for c in changes]
    moved = [(c.person.id, *c.fields["email"]) for c in changes if c.person and "email" in c.fields]
    events += end_email_changes(moved, now=now, actor_id=actor_id, source=source)
    result.emails_changed = len(moved)
    if invite:
        for chunk in chunks([user_ids[c.key] for c in plan.of_kind(NEW)]):
            users = db.session.scalars(
                select(User).where(User.id.in_(chunk)).order_by(User.id)
            ).all()
            sent = send_invitations(list(users), now=now, actor_id=actor_id)
            events += sent
            result.invited += len(sent)  # not those without email: they need a letter
    events.append(
        {
            "action": "import.applied",
            "actor_id": actor_id,
            "created_at": now,
            "details": {
                "source": source,
                "filename": filename,
                "rows": plan.rows,
                "partial": partial,
                "invited": result.invited,
                **plan.counts,
                "skipped_lines": sorted({e.line for e in plan.errors}),
            },
        }
    )
    record_events(events)
    result.is_applied = True
    return result


def write_people(changes: list[Change], today: date) -> dict[Key, int]:
    """Create and update the people in `changes` with bulk statements; return ids by plan key.

    Bulk INSERT/UPDATE (one executemany each) rather than one ORM object per
    person: 10,000 hires take a fraction of a second instead of several. New
    people go in managers first, so each row is written once with its manager.
    """
    db.session.flush()
    ids: dict[Key, int] = {c.person.id: c.person.id for c in changes if c.person}
    # Emails are unique: someone giving up an email another person in this file takes over
    # is parked on a placeholder first, so that the updates may run in any order.
    taken = {c.row.email for c in changes}
    parked = [
        {"id": c.person.id, "email": f"moving-{c.person.id}@import.invalid"}
        for c in changes
        if c.person and "email" in c.fields and c.person.email and c.person.email in taken
    ]
    updates = [person_values(c, today) | {"id": c.person.id} for c in changes if c.person]
    for update_, c in zip(updates, [c for c in changes if c.person], strict=True):
        if not isinstance(c.manager_key, str):
            update_["manager_id"] = c.manager_key
    for batch in (parked, updates):
        if batch:
            db.session.execute(update(User), batch)
    leavers = [c.person.id for c in changes if c.person and c.kind == TERMINATED]
    for chunk in chunks(leavers):
        db.session.execute(
            update(User)
            .where(User.id.in_(chunk))
            .values(is_active=False, session_version=User.session_version + 1)
            .execution_options(synchronize_session=False)
        )
    for level in manager_levels([c for c in changes if c.person is None]):
        rows = [
            person_values(c, today) | {"manager_id": manager_id(c.manager_key, ids)} for c in level
        ]
        insert_rows(User.__table__, rows)
        for chunk in chunks([c.row.employee_id for c in level]):
            found = db.session.execute(
                select(User.employee_id, User.id).where(among(User.employee_id, chunk))
            )
            ids.update((f"new:{employee_id}", user_id) for employee_id, user_id in found)
    late = [
        {"id": c.person.id, "manager_id": ids[c.manager_key]}
        for c in changes
        if c.person and isinstance(c.manager_key, str)
    ]
    if late:  # someone already here whose new manager was only just added
        db.session.execute(update(User), late)
    changed = set(ids.values())
    for obj in list(db.session.identity_map.values()):  # bulk statements bypass loaded objects
        if isinstance(obj, User) and obj.id in changed:
            db.session.expire(obj)
    return ids


def manager_levels(new: list[Change]) -> list[list[Change]]:
    """Group new people so that anyone's new manager is in an earlier group (the plan has no loops)."""
    by_key = {c.key: c for c in new}
    depth: dict[Key, int] = {}
    for change in new:
        path, key = [], change.key
        while key in by_key and key not in depth:
            path.append(key)
            key = by_key[key].manager_key
        base = depth.get(key, -1) if key in by_key else -1
        for n, step in enumerate(reversed(path), start=1):
            depth[step] = base + n
    levels: list[list[Change]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for change in new:
        levels[depth[change.key]].append(change)
    return levels


def manager_id(key: Key | None, ids: dict[Key, int]) -> int | None:
    """An existing person's key is their id; someone new has one only once inserted."""
    return ids[key] if isinstance(key, str) else key


def person_values(change: Change, today: date) -> dict[str, Any]:
    row = change.row
    values = {
        "employee_id": row.employee_id,
        "email": row.email,
        "full_name": row.full_name,
        "department": row.department,
        "role": row.role,
        "hire_date": row.hire_date,
        "is_active": not row.is_terminated,
    }
    if change.person is not None and change.moves:
        values["department_changed_on"] = today
    if change.person is not None and change.kind == TERMINATED:
        del values["is_active"]  # with the session bump, below
    return values


def person_event(
    change: Change, user_id: int, actor_id: int | None, source: str, now: datetime
) -> dict:
    row = change.row
    if change.person is None:
        details = {
            "employee_id": row.employee_id,
            "email": row.email,
            "full_name": row.full_name,
            "department": row.department,
            "role": row.role,
            # As the trail stores it (`lms.audit.as_stored`): text, so the details are JSON already.
            "hire_date": row.hire_date.isoformat() if row.hire_date else None,
            "manager_email": row.manager_email,
            "status": "terminated" if row.is_terminated else "active",
        }
    else:
        details = {"changes": {name: list(pair) for name, pair in change.fields.items()}}
    details |= {"source": source, "line": row.line}
    action = ACTIONS[NEW] if change.person is None else ACTIONS[change.kind]
    return {
        "action": action,
        "actor_id": actor_id,
        "user_id": user_id,
        "details": details,
        "created_at": now,
    }
