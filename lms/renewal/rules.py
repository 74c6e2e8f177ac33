"""Which reminder emails are due on a day, and what a retraining requirement does to the dates.

DESIGN.md, "Reminders": new assignment; due in 7 days; overdue, then weekly,
with a copy to the manager; renewal window open; certification expired; a
"resolved" note to the manager when an overdue item is completed. Each
(assignment, cycle, kind, step) is sent at most once.

These are plain functions of dates and of what was already sent; `lms.renewal`
feeds them from the database and queues the email.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from lms.status import DUE_SOON, EXPIRED, NOT_STARTED, OVERDUE, assignment_status

ASSIGNED = "assigned"
DUE_REMINDER = "due_reminder"
OVERDUE_NOTICE = "overdue"
OVERDUE_MANAGER = "overdue_manager"
RENEWAL_OPEN = "renewal_open"
EXPIRED_NOTICE = "expired"
EXPIRED_MANAGER = "expired_manager"
RESOLVED = "resolved"
RETRAIN = "retrain"

MANAGER_KINDS = frozenset({OVERDUE_MANAGER, EXPIRED_MANAGER, RESOLVED})
DUE_REMINDER_DAYS = 7
OVERDUE_EVERY_DAYS = 7


@dataclass(frozen=True)
class Reminder:
    kind: str
    step: int = 0

    @property
    def to_manager(self) -> bool:
        return self.kind in MANAGER_KINDS


def reminder_key(assignment_id: int, cycle: int, kind: str, step: int = 0) -> str:
    """Return the outbox key that makes a reminder unique: `assignment:cycle:kind:step`."""
    return f"{assignment_id}:{cycle}:{kind}:{step}"


def parse_key(key: str) -> tuple[int, int, str, int] | None:
    """Return (assignment_id, cycle, kind, step) from a reminder key, or None for other keys."""
    parts = key.split(":")
    if len(parts) != 4 or not (parts[0].isdigit() and parts[1].isdigit() and parts[3].isdigit()):
        return None
    return int(parts[0]), int(parts[1]), parts[2], int(parts[3])


def overdue_step(today: date, due_date: date) -> int:
    """Return which weekly overdue reminder belongs to `today`: 1 from the day after the due date."""
    return ((today - due_date).days - 1) // OVERDUE_EVERY_DAYS + 1


def reminders_due(
    today: date,
    *,
    assigned_on: date,
    due_date: date,
    completed_on: date | None,
    expires_on: date | None,
    renewal_opens_on: date | None,
    sent: Collection[tuple[str, int]] = (),
    has_manager: bool = False,
    is_exempt: bool = False,
    is_closed: bool = False,
) -> list[Reminder]:
    """Return the reminders due on `today` for the assignment's current cycle.

    `sent` holds the (kind, step) pairs already queued in this cycle. Only the
    reminder that fits today's status is due, so a run after missed days
    catches up with one reminder, never with the stale ones it skipped:

    - not started or in progress: the new-assignment email (step 0); from 7
      days before the due date a reminder. A new-assignment email first sent
      in that last week (a late run, or a short due date) is step 1 and no
      reminder follows it: it already says when the module is due;
    - overdue: reminder number `overdue_step` (one a week from the day after
      the due date), the same to the manager;
    - renewal window open: one notice, unless a retraining notice already
      opened it (see `retrain_dates`);
    - expired: one notice, the same to the manager.
    """
    if is_exempt or is_closed or today < assigned_on:
        return []
    status = assignment_status(
        today,
        due_date=due_date,
        completed_on=completed_on,
        expires_on=expires_on,
        renewal_opens_on=renewal_opens_on,
    )
    wanted: list[Reminder] = []
    if status == NOT_STARTED:
        reminder_from = due_date - timedelta(days=DUE_REMINDER_DAYS)
        if (ASSIGNED, 0) in sent:
            if reminder_from <= today:
                wanted.append(Reminder(DUE_REMINDER))
        elif (ASSIGNED, 1) not in sent:
            # Step 1: first sent with a week or less to go, it stands for the 7-day reminder too.
            wanted.append(Reminder(ASSIGNED, 1 if reminder_from <= today else 0))
    elif status == OVERDUE:
        step = overdue_step(today, due_date)
        wanted += [Reminder(OVERDUE_NOTICE, step), Reminder(OVERDUE_MANAGER, step)]
    elif status == DUE_SOON:
        if not any(kind == RETRAIN for kind, _ in sent):
            wanted.append(Reminder(RENEWAL_OPEN))
    elif status == EXPIRED:
        wanted += [Reminder(EXPIRED_NOTICE), Reminder(EXPIRED_MANAGER)]
    return [r for r in wanted if (r.kind, r.step) not in sent and (has_manager or not r.to_manager)]


@dataclass(frozen=True)
class NewItem:
    """One new-assignment reminder due today, to go out in its person's daily message."""

    user_id: int
    assignment_id: int
    cycle: int
    step: int
    due_date: date
    title: str

    @property
    def key(self) -> str:
        return reminder_key(self.assignment_id, self.cycle, ASSIGNED, self.step)


def new_training_digests(items: Iterable[NewItem]) -> dict[int, list[NewItem]]:
    """Group the day's new-assignment reminders into one message per person.

    DESIGN.md, "Reminders": a new hire gets one message a day listing
    everything newly assigned, not one per module. Each message lists its
    items soonest due first, then by title; people come in id order.
    """
    digests: dict[int, list[NewItem]] = {}
    for item in items:
        digests.setdefault(item.user_id, []).append(item)
    return {
        user_id: sorted(group, key=lambda i: (i.due_date, i.title, i.assignment_id))
        for user_id, group in sorted(digests.items())
    }


def digest_key(user_id: int, today: date) -> str:
    """The outbox key of a person's "New training" message of the day: one a day at most."""
    return f"new-training:{user_id}:{today.isoformat()}"


def needs_resolved_note(status_before: str, manager_was_told: bool) -> bool:
    """Return whether completing an item should send the manager a "resolved" note.

    Only an item that was overdue or expired when completed, and only when the
    manager had been sent a copy of its overdue or expired notice.
    """
    return status_before in (OVERDUE, EXPIRED) and manager_was_told


def is_holder(
    today: date, *, completed_on: date | None, expires_on: date | None, is_exempt: bool
) -> bool:
    """Return whether the person holds a valid certification today (complete or renewal open)."""
    if is_exempt or completed_on is None:
        return False
    return expires_on is None or today <= expires_on


def retrain_dates(
    today: date, due_days: int, *, expires_on: date | None, renewal_opens_on: date | None
) -> tuple[date, date, date]:
    """Return (due_date, expires_on, renewal_opens_on) for a holder asked to retrain.

    DESIGN.md: a raised version with `retrain_on_change` gives every holder a
    new due date, the sync day + the program's due_days, and their certificate
    stays valid until then. So the certification now ends on the new due date
    (or on its old expiry, if that comes first) and the renewal window opens
    today. Completing the retraining is then an on-time renewal: the new
    expiry is one period after that due date (`lms.status.expiry_for`).
    """
    due = today + timedelta(days=due_days)
    expires = due if expires_on is None else min(expires_on, due)
    opens = today if renewal_opens_on is None else min(renewal_opens_on, today)
    return due, expires, opens


# -- People without email: their reminders go to their manager, one message a day ------------

# What a manager is told about an email-less report, most urgent first. The manager's own
# copy of an overdue or expired notice is the same news: it is listed once, under the
# employee's kind, and both keys are claimed.
TEAM_ORDER = (OVERDUE_NOTICE, EXPIRED_NOTICE, DUE_REMINDER, RENEWAL_OPEN, ASSIGNED)
TEAM_KIND = {OVERDUE_MANAGER: OVERDUE_NOTICE, EXPIRED_MANAGER: EXPIRED_NOTICE}


def team_kind(kind: str) -> str | None:
    """The line a reminder makes in a manager's team message, or None (RESOLVED, RETRAIN)."""
    kind = TEAM_KIND.get(kind, kind)
    return kind if kind in TEAM_ORDER else None


@dataclass(frozen=True)
class TeamItem:
    """One thing an email-less person has to do, for their manager's message of the day.

    `keys` are every reminder key the line stands for (the employee's and the
    manager's copy): all are claimed once the line is listed, so it never is again.
    """

    manager_id: int
    user_id: int
    employee_name: str
    assignment_id: int
    cycle: int
    kind: str  # one of TEAM_ORDER
    step: int
    title: str
    due_date: date
    expires_on: date | None
    keys: tuple[str, ...]


def team_items(
    *,
    manager_id: int,
    user_id: int,
    employee_name: str,
    assignment_id: int,
    cycle: int,
    title: str,
    due_date: date,
    expires_on: date | None,
    reminders: Iterable[Reminder],
) -> list[TeamItem]:
    """Turn one assignment's due reminders into lines of its manager's team message.

    An overdue notice and its copy to the manager (same step) make one line
    with both keys; a copy alone (the employee's was sent before the manager
    was named) makes a line too.
    """
    lines: dict[tuple[str, int], list[str]] = {}
    for reminder in reminders:
        kind = team_kind(reminder.kind)
        if kind is not None:
            key = reminder_key(assignment_id, cycle, reminder.kind, reminder.step)
            lines.setdefault((kind, reminder.step), []).append(key)
    return [
        TeamItem(
            manager_id,
            user_id,
            employee_name,
            assignment_id,
            cycle,
            kind,
            step,
            title,
            due_date,
            expires_on,
            tuple(sorted(keys)),
        )
        for (kind, step), keys in lines.items()
    ]


def team_digests(items: Iterable[TeamItem]) -> dict[int, list[tuple[int, list[TeamItem]]]]:
    """Group the day's lines into one message per manager: {manager: [(person, lines)]}.

    DESIGN.md, "Reminders": people without an email get none; their manager's
    message lists what each has outstanding (due, overdue or expiring), one
    message, not one per person. People come by name, each person's lines
    most urgent first (TEAM_ORDER), then soonest due, then by title.
    """
    by_manager: dict[int, dict[int, list[TeamItem]]] = {}
    for item in items:
        by_manager.setdefault(item.manager_id, {}).setdefault(item.user_id, []).append(item)
    return {
        manager_id: [
            (
                user_id,
                sorted(
                    group,
                    key=lambda i: (TEAM_ORDER.index(i.kind), i.due_date, i.title, i.assignment_id),
                ),
            )
            for user_id, group in sorted(
                people.items(), key=lambda entry: (entry[1][0].employee_name, entry[0])
            )
        ]
        for manager_id, people in sorted(by_manager.items())
    }


def team_digest_key(manager_id: int, today: date) -> str:
    """The outbox key of a manager's team message of the day: one a day at most."""
    return f"team:{manager_id}:{today.isoformat()}"
