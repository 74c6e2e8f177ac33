"""Compose and queue the training emails: reminders, retraining notices, resolved notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from lms.extensions import db
from lms.mail.outbox import absolute_url, message_values, queue_emails
from lms.models import Assignment, Module, ModuleVersion, OutboxMessage, SentReminder, User
from lms.models.content import current_version
from lms.renewal.rules import (
    ASSIGNED,
    DUE_REMINDER,
    EXPIRED_MANAGER,
    EXPIRED_NOTICE,
    MANAGER_KINDS,
    OVERDUE_MANAGER,
    OVERDUE_NOTICE,
    RENEWAL_OPEN,
    RESOLVED,
    RETRAIN,
    NewItem,
    digest_key,
    needs_resolved_note,
    new_training_digests,
    parse_key,
    reminder_key,
)

SUBJECTS = {
    ASSIGNED: "New training: {title} (due {due})",
    DUE_REMINDER: "Reminder: {title} is due on {due}",
    OVERDUE_NOTICE: "Overdue: {title} was due on {due}",
    OVERDUE_MANAGER: "Overdue: {employee} has not completed {title}",
    RENEWAL_OPEN: "Time to renew: {title} (renew by {expiry})",
    EXPIRED_NOTICE: "Expired: your {title} certification",
    EXPIRED_MANAGER: "Expired: {employee}'s {title} certification",
    RESOLVED: "Resolved: {employee} has completed {title}",
    RETRAIN: "Updated policy: please retake {title} by {due}",
}


@dataclass(frozen=True)
class ModuleInfo:
    slug: str
    title: str


@dataclass(frozen=True)
class Dates:
    """The assignment's dates as the email should state them."""

    due_date: date
    expires_on: date | None = None
    completed_on: date | None = None


@lru_cache(maxsize=4096)
def long_date(day: date | None) -> str:
    """Return "5 February 2025" (cached: a catch-up day formats the same dates thousands of times)."""
    return f"{day.day} {day:%B %Y}" if day else ""


def module_infos() -> dict[int, ModuleInfo]:
    """Return slug and current title of every module, by module id."""
    rows = db.session.execute(
        select(Module.id, Module.slug, ModuleVersion.title).join(ModuleVersion, current_version())
    )
    return {module_id: ModuleInfo(slug, title) for module_id, slug, title in rows}


def notice_values(
    kind: str,
    step: int,
    *,
    assignment_id: int,
    cycle: int,
    employee: User,
    manager: User | None,
    module: ModuleInfo,
    dates: Dates,
    changes: list[str] | None = None,
) -> dict[str, Any] | None:
    """Render one training email as an outbox row keyed (assignment, cycle, kind, step).

    Manager kinds go to the manager (nobody without an active one); the rest
    to the employee. None when nobody is to get it. `changes` is the new
    version's note, for the retraining notice.
    """
    to = manager if kind in MANAGER_KINDS else employee
    if to is None:
        return None
    subject = SUBJECTS[kind].format(
        title=module.title,
        employee=employee.full_name,
        due=long_date(dates.due_date),
        expiry=long_date(dates.expires_on),
    )
    context = {
        "employee": employee,
        "manager": manager,
        "title": module.title,
        "step": step,
        "link": absolute_url(f"/modules/{module.slug}"),
        "due": long_date(dates.due_date),
        "expiry": long_date(dates.expires_on),
        "completed": long_date(dates.completed_on),
        "changes": changes or [],
    }
    return message_values(
        to=to,
        subject=subject,
        template=kind,
        context=context,
        key=reminder_key(assignment_id, cycle, kind, step),
        kind=kind,
        about=employee.id,
        assignment_id=assignment_id,
    )


def queue_notice(kind: str, step: int, **fields: Any) -> bool:
    """Queue one training email (see `notice_values`); return whether it was new."""
    return bool(queue_emails([notice_values(kind, step, **fields)]))


def manager_was_told(assignment_id: int, cycle: int) -> bool:
    """Return whether the manager got an overdue or expired copy for this cycle.

    A copy about someone without email was a line of the manager's team message
    (lms.renewal.team), its key kept in sent_reminders.
    """
    own = select(OutboxMessage.key).where(
        OutboxMessage.assignment_id == assignment_id,
        OutboxMessage.kind.in_([OVERDUE_MANAGER, EXPIRED_MANAGER]),
    )
    listed = select(SentReminder.key).where(SentReminder.assignment_id == assignment_id)
    keys = db.session.scalars(own.union_all(listed))
    return any(
        (parsed := parse_key(k or ""))
        and parsed[1] == cycle
        and parsed[2] in (OVERDUE_MANAGER, EXPIRED_MANAGER)
        for k in keys
    )


def queue_resolved_note(
    assignment: Assignment, cycle: int, status_before: str, completed_on: date
) -> bool:
    """Tell the manager that an overdue or expired item is now complete (if they were told)."""
    if not needs_resolved_note(status_before, True):
        return False  # the cheap test first: most completions are on time
    if not needs_resolved_note(status_before, manager_was_told(assignment.id, cycle)):
        return False
    employee = db.session.get(User, assignment.user_id)
    manager = db.session.get(User, employee.manager_id) if employee.manager_id else None
    if manager is None:
        return False
    return queue_notice(
        RESOLVED,
        0,
        assignment_id=assignment.id,
        cycle=cycle,
        employee=employee,
        manager=manager,
        module=module_infos()[assignment.module_id],
        dates=Dates(
            due_date=assignment.due_date,
            expires_on=assignment.expires_on,
            completed_on=completed_on,
        ),
    )


def users_with_managers(user_ids: set[int]) -> dict[int, User]:
    """Load people and their managers in two queries, by id."""
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    manager_ids = {u.manager_id for u in users.values() if u.manager_id} - users.keys()
    if manager_ids:
        users.update(
            (u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(manager_ids)))
        )
    return users


# -- The daily "New training" message: one per person, listing every new assignment -----------

CLAIM_CHUNK = 2000  # keys per INSERT (SQLite allows 32,766 bound values in one statement)


def claim_keys(rows: list[dict[str, Any]]) -> set[str]:
    """Record reminder keys in sent_reminders; return those this call recorded (flushes only).

    Each row is a `key`, its `assignment_id` and the `message_key` of the message
    listing it. A key already recorded (listed in an earlier message) is skipped: it
    is never listed again. This is the once-only guarantee for items sent inside a
    digest (the "New training" message here, a manager's team message in
    lms.renewal.team).
    """
    if not rows:
        return set()
    table = SentReminder.__table__
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        module.insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
    )
    claimed: set[str] = set()
    for start in range(0, len(rows), CLAIM_CHUNK):
        claimed.update(db.session.scalars(statement.values(rows[start : start + CLAIM_CHUNK])))
    return claimed


def without_todays_message(digests: dict[int, Any], keys: dict[int, str]) -> dict[int, Any]:
    """Drop the recipients whose message of the day (`keys`: recipient: key) is in the outbox."""
    already = set(
        db.session.scalars(
            select(OutboxMessage.key).where(OutboxMessage.key.in_(list(keys.values())))
        )
    )
    return {r: digest for r, digest in digests.items() if keys[r] not in already}


def new_training_rows(
    today: date,
    items: list[NewItem],
    users: dict[int, User],
    modules: dict[int, ModuleInfo],
    module_of: dict[int, int],
) -> list[dict[str, Any]]:
    """Render each person's "New training" message of the day, listing all their new items.

    A person who already has today's message keeps theirs; their items wait for
    tomorrow's (one message a day, DESIGN.md "Reminders"). The items' keys are
    claimed (`claim_keys`) in the same transaction as the messages.
    """
    digests = new_training_digests(items)
    if not digests:
        return []
    keys = {user_id: digest_key(user_id, today) for user_id in digests}
    digests = without_todays_message(digests, keys)
    claimed = claim_keys(
        [
            {"key": i.key, "assignment_id": i.assignment_id, "message_key": keys[i.user_id]}
            for group in digests.values()
            for i in group
        ]
    )
    rows = []
    for user_id, group in digests.items():
        listed = [i for i in group if i.key in claimed]
        if not listed:
            continue
        employee = users[user_id]
        entries = [
            {
                "title": i.title,
                "due": long_date(i.due_date),
                "link": absolute_url(f"/modules/{modules[module_of[i.assignment_id]].slug}"),
            }
            for i in listed
        ]
        first = listed[0]
        if len(listed) == 1:
            subject = SUBJECTS[ASSIGNED].format(title=first.title, due=entries[0]["due"])
        else:
            subject = f"New training: {len(listed)} modules, the first due {entries[0]['due']}"
        context = {"employee": employee, "items": entries, "link": absolute_url("/")}
        rows.append(
            message_values(
                to=employee,
                subject=subject,
                template="assigned_digest",
                context=context,
                key=keys[user_id],
                kind=ASSIGNED,
                about=employee.id,
                assignment_id=first.assignment_id if len(listed) == 1 else None,
            )
        )
    return rows
