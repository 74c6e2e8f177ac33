"""The daily `renew` job: assignments up to date, reminders queued, the outbox delivered."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select, text
from sqlalchemy.orm import aliased

from lms.assignments import AssignResult, assign_programs, wanted_assignments
from lms.audit import record_event
from lms.compliance.operations import adopt_big_teams
from lms.database import among
from lms.extensions import db
from lms.mail.outbox import queue_emails
from lms.mail.sender import SendReport, send_queued
from lms.models import Assignment, OutboxMessage, SentReminder, User
from lms.renewal.lock import renew_lock
from lms.renewal.notices import (
    Dates,
    ModuleInfo,
    module_infos,
    new_training_rows,
    notice_values,
    users_with_managers,
)
from lms.renewal.rules import (
    ASSIGNED,
    EXPIRED_NOTICE,
    RENEWAL_OPEN,
    NewItem,
    TeamItem,
    parse_key,
    reminders_due,
    team_items,
)
from lms.renewal.team import can_receive, people_for, team_rows

BATCH_SIZE = 1000  # people per batch: memory stays flat however many assignments there are
# Messages queued after which the run refreshes PostgreSQL's statistics of the outbox. Until
# autovacuum gets to it, the planner takes the outbox for as small as when it last looked,
# and reads it whole to find a batch's sent reminders (`sent_keys`): at 100,000 people a
# repeat run right after the first (206,030 messages) took 46 s, 15 s with fresh statistics.
# After that the run refreshes them each time its count of queued messages has doubled: the
# planner scales the row count it last saw by the table's size now, and the spread of
# `assignment_id` it needs is kept as a share of the rows; an ANALYZE of the outbox takes
# longer as it grows (1.3 s at 205,000 messages), and one every 20,000 was 6 s of the
# 100,000-person catch-up's 78 s (10 of them; 4 now).
ANALYZE_AFTER = 20_000


@dataclass
class RenewReport:
    as_of: date
    dry_run: bool = False
    created: int = 0
    reopened: int = 0
    closed: int = 0
    queued: Counter[str] = field(default_factory=Counter)
    mail: SendReport = field(default_factory=SendReport)
    queue_seconds: float = 0.0  # updating assignments and queueing reminders
    send_seconds: float = 0.0
    mail_left: bool = False  # --no-send: the queue is left to send-mail
    # People without email whose reminders had no one to go to (no manager who can be
    # written to), by id: "Name (employee number)".
    unreachable: dict[int, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.queued.items()))
        verb = "would be " if self.dry_run else ""
        lines = [
            f"renew as of {self.as_of.isoformat()}{' (dry run)' if self.dry_run else ''}",
            f"assignments: {self.created} created, {self.reopened} reopened, {self.closed} closed",
            f"renewal windows opened: {self.queued[RENEWAL_OPEN]}",
            f"certifications expired: {self.queued[EXPIRED_NOTICE]}",
            f"emails {verb}queued: {self.queued.total()}" + (f" ({kinds})" if kinds else ""),
        ]
        if self.unreachable:
            names = ", ".join(list(self.unreachable.values())[:10])
            more = f" and {len(self.unreachable) - 10} more" if len(self.unreachable) > 10 else ""
            lines.append(
                f"warning: {len(self.unreachable)} people without email have reminders due and "
                f"no manager to tell (give them a manager with an email): {names}{more}"
            )
        if self.dry_run:
            lines.append("dry run: nothing was changed and no email was sent")
        elif self.mail_left:
            lines.append("emails not sent: left queued for send-mail (--no-send)")
        else:
            lines.append(self.mail.summary())
        lines.append(f"took {self.queue_seconds:.2f} s to queue, {self.send_seconds:.2f} s to send")
        return lines


@dataclass(frozen=True)
class Candidate:
    """An open assignment that may need a reminder, as plain values."""

    id: int
    user_id: int
    module_id: int
    cycle: int
    assigned_on: date
    due_date: date
    completed_on: date | None
    expires_on: date | None
    renewal_opens_on: date | None
    has_manager: bool


def renew(
    today: date, *, dry_run: bool = False, send: bool = True, batch_size: int = BATCH_SIZE
) -> RenewReport:
    """Bring assignments up to date, queue the reminders due on `today`, then send the outbox.

    Runs under the renew lock. People are processed in batches, each
    committed on its own (a dry run rolls everything back instead and sends
    nothing). Reminder keys make every step idempotent, so a run cut short
    is finished by the next one. Without `send` the queue is left to
    `send-mail` (for an organisation whose day of reminders takes a while to deliver).
    """
    report = RenewReport(as_of=today, dry_run=dry_run)
    db.session.commit()
    with renew_lock():
        started = time.perf_counter()
        modules = module_infos()
        team: list[TeamItem] = []  # a manager's reports span batches: queued once, at the end
        last_id, analyze_at = 0, ANALYZE_AFTER
        while user_ids := list(
            db.session.scalars(
                select(User.id).where(User.id > last_id).order_by(User.id).limit(batch_size)
            )
        ):
            last_id = user_ids[-1]
            changed = out_of_step(today, user_ids)
            assigned = assign_programs(today, changed) if changed else AssignResult()
            report.created += assigned.created
            report.reopened += assigned.reopened
            report.closed += assigned.closed
            team += queue_reminders(today, user_ids, modules, report)
            if not dry_run:
                db.session.commit()
                if report.queued.total() >= analyze_at:
                    analyze_outbox()
                    analyze_at = 2 * report.queued.total()
        if team:
            report.queued.update(queue_emails(team_rows(today, team, people_for(team))))
            if not dry_run:
                db.session.commit()
        if dry_run:
            db.session.rollback()
            report.queue_seconds = time.perf_counter() - started
            return report
        adopt_big_teams()  # managers whose team grew past the size get figures of their own
        details = {
            "as_of": today,
            "queued": dict(report.queued),
            "created": report.created,
            "reopened": report.reopened,
            "closed": report.closed,
        }
        record_event("renew.completed", details=details)
        db.session.commit()
        report.queue_seconds = time.perf_counter() - started
        if not send:
            report.mail_left = True
            return report
        report.mail = send_queued()
        report.send_seconds = time.perf_counter() - started - report.queue_seconds
    return report


def analyze_outbox() -> None:
    """Refresh PostgreSQL's statistics of the tables `sent_keys` reads (see ANALYZE_AFTER)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE outbox_messages, sent_reminders"))
        db.session.commit()


def candidates(today: date, user_ids: list[int]) -> list[Candidate]:
    """Return open, non-exempt assignments of active people that are not simply complete today."""
    manager = aliased(User)
    rows = db.session.execute(
        select(
            Assignment.id,
            Assignment.user_id,
            Assignment.module_id,
            Assignment.cycle,
            Assignment.assigned_on,
            Assignment.due_date,
            Assignment.completed_on,
            Assignment.expires_on,
            Assignment.renewal_opens_on,
            manager.is_active,
        )
        .join(User, User.id == Assignment.user_id)
        .outerjoin(manager, manager.id == User.manager_id)
        .where(
            among(Assignment.user_id, user_ids),
            Assignment.closed_on.is_(None),
            Assignment.exempt_reason.is_(None),
            User.is_active,
            or_(Assignment.completed_on.is_(None), Assignment.renewal_opens_on <= today),
        )
    )
    return [Candidate(*row[:-1], has_manager=bool(row[-1])) for row in rows]


def sent_keys(assignment_ids: list[int]) -> dict[int, set[tuple[int, str, int]]]:
    """Return {assignment_id: {(cycle, kind, step), ...}} of reminders already queued.

    A reminder's key is on its own message, or, for one listed in a daily
    "New training" message, in `sent_reminders`.
    """
    sent: dict[int, set[tuple[int, str, int]]] = {}
    for start in range(0, len(assignment_ids), 5000):
        chunk = assignment_ids[start : start + 5000]
        own = select(OutboxMessage.key).where(
            among(OutboxMessage.assignment_id, chunk), OutboxMessage.key.is_not(None)
        )
        listed = select(SentReminder.key).where(among(SentReminder.assignment_id, chunk))
        for key in db.session.scalars(own.union_all(listed)):
            if parsed := parse_key(key):
                sent.setdefault(parsed[0], set()).add(parsed[1:])
    return sent


def queue_reminders(
    today: date, user_ids: list[int], modules: dict[int, ModuleInfo], report: RenewReport
) -> list[TeamItem]:
    """Queue every reminder due on `today` for these people's assignments (flushes only).

    Returns the lines for the managers of people without email (`lms.renewal.team`),
    which the caller queues once every batch is done.
    """
    items = candidates(today, user_ids)
    sent = sent_keys([c.id for c in items])
    due = []
    for c in items:
        done = {(kind, step) for cycle, kind, step in sent.get(c.id, ()) if cycle == c.cycle}
        reminders = reminders_due(
            today,
            assigned_on=c.assigned_on,
            due_date=c.due_date,
            completed_on=c.completed_on,
            expires_on=c.expires_on,
            renewal_opens_on=c.renewal_opens_on,
            sent=done,
            has_manager=c.has_manager,
        )
        due += [(c, r) for r in reminders]
    if not due:
        return []
    users = users_with_managers({c.user_id for c, _ in due})
    due, team = split_team(due, users, modules, report)
    # New assignments: one message a day per person, listing them all.
    new = [
        NewItem(c.user_id, c.id, c.cycle, r.step, c.due_date, modules[c.module_id].title)
        for c, r in due
        if r.kind == ASSIGNED
    ]
    module_of = {c.id: c.module_id for c, r in due if r.kind == ASSIGNED}
    rows = new_training_rows(today, new, users, modules, module_of)
    for c, reminder in due:
        if reminder.kind == ASSIGNED:
            continue
        employee = users[c.user_id]
        rows.append(
            notice_values(
                reminder.kind,
                reminder.step,
                assignment_id=c.id,
                cycle=c.cycle,
                employee=employee,
                manager=users.get(employee.manager_id) if employee.manager_id else None,
                module=modules[c.module_id],
                dates=Dates(
                    due_date=c.due_date, expires_on=c.expires_on, completed_on=c.completed_on
                ),
            )
        )
    report.queued.update(queue_emails(rows))
    return team


def split_team(due, users, modules, report) -> tuple[list, list[TeamItem]]:
    """Take the reminders of people without email out of `due`, as lines for their managers."""
    kept, theirs = [], {}
    for c, reminder in due:
        if users[c.user_id].email:
            kept.append((c, reminder))
        else:
            theirs.setdefault(c.id, (c, []))[1].append(reminder)
    team: list[TeamItem] = []
    for c, reminders in theirs.values():
        employee = users[c.user_id]
        manager = users.get(employee.manager_id) if employee.manager_id else None
        if not can_receive(manager):
            label = f"{employee.full_name} ({employee.employee_id or 'no employee number'})"
            report.unreachable[employee.id] = label
            continue
        team += team_items(
            manager_id=manager.id,
            user_id=employee.id,
            employee_name=employee.full_name,
            assignment_id=c.id,
            cycle=c.cycle,
            title=modules[c.module_id].title,
            due_date=c.due_date,
            expires_on=c.expires_on,
            reminders=reminders,
        )
    return kept, team


def out_of_step(today: date, user_ids: list[int]) -> list[int]:
    """Return the people whose open assignments differ from what the programs give them.

    Only they need `assign_programs`, which loads every assignment it looks
    at; on most days that is nobody, and this check reads plain columns.
    """
    wanted = wanted_assignments(today, user_ids)
    differ = set()
    for user_id, module_id, closed_on in db.session.execute(
        select(Assignment.user_id, Assignment.module_id, Assignment.closed_on).where(
            among(Assignment.user_id, user_ids)
        )
    ):
        is_wanted = wanted.pop((user_id, module_id), None) is not None
        if is_wanted == (closed_on is not None):  # wanted but closed, or open but unwanted
            differ.add(user_id)
    differ.update(user_id for user_id, _ in wanted)  # wanted but missing
    return sorted(differ)
