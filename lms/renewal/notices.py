"""Compose and queue the training emails: reminders, retraining notices, resolved notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.mail import absolute_url, message_values, queue_emails
from lms.models import Assignment, Module, ModuleVersion, OutboxMessage, User
from lms.reminders import (
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
    needs_resolved_note,
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
        select(Module.id, Module.slug, ModuleVersion.title).join(
            ModuleVersion, (ModuleVersion.module_id == Module.id) & ModuleVersion.is_current
        )
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
        "employee": employee, "manager": manager, "title": module.title, "step": step,
        "link": absolute_url(f"/modules/{module.slug}"), "due": long_date(dates.due_date),
        "expiry": long_date(dates.expires_on), "completed": long_date(dates.completed_on),
        "changes": changes or [],
    }  # fmt: skip
    return message_values(
        to=to, subject=subject, template=kind, context=context,
        key=reminder_key(assignment_id, cycle, kind, step), kind=kind, about=employee.id,
        assignment_id=assignment_id,
    )  # fmt: skip


def queue_notice(kind: str, step: int, **fields: Any) -> bool:
    """Queue one training email (see `notice_values`); return whether it was new."""
    return bool(queue_emails([notice_values(kind, step, **fields)]))


def manager_was_told(assignment_id: int, cycle: int) -> bool:
    """Return whether the manager got an overdue or expired copy for this cycle."""
    keys = db.session.scalars(
        select(OutboxMessage.key).where(
            OutboxMessage.assignment_id == assignment_id,
            OutboxMessage.kind.in_([OVERDUE_MANAGER, EXPIRED_MANAGER]),
        )
    )
    return any((parsed := parse_key(k or "")) and parsed[1] == cycle for k in keys)


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
        RESOLVED, 0, assignment_id=assignment.id, cycle=cycle, employee=employee,
        manager=manager, module=module_infos()[assignment.module_id],
        dates=Dates(due_date=assignment.due_date, expires_on=assignment.expires_on,
                    completed_on=completed_on),
    )  # fmt: skip


def users_with_managers(user_ids: set[int]) -> dict[int, User]:
    """Load people and their managers in two queries, by id."""
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    manager_ids = {u.manager_id for u in users.values() if u.manager_id} - users.keys()
    if manager_ids:
        users.update(
            (u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(manager_ids)))
        )
    return users
