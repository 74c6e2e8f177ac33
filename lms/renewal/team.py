"""Reminders of people without email, sent to their manager: one message a day per manager.

DESIGN.md, "Reminders": people without an email address get no email; their
manager's messages list what they have outstanding. The rules (which lines,
in what order) are `lms.renewal.rules.team_items` and `team_digests`; this module
loads and queues them.

The once-only guarantee is the one the daily "New training" message has: each
line's reminder keys ((assignment, cycle, kind, step), the employee's and the
manager's copy) are claimed in `sent_reminders` in the transaction that queues
the message, and a key already there is never listed again; the message's own
key (`team:<manager>:<day>`) makes it one a day, however often or however many
times at once `renew` runs. A manager's reports are spread over `renew`'s
batches of people, so lines are gathered over the whole run and queued once at
its end.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.mail.outbox import absolute_url, message_values
from lms.models import User
from lms.renewal.notices import claim_keys, long_date, without_todays_message
from lms.renewal.rules import (
    ASSIGNED,
    DUE_REMINDER,
    EXPIRED_NOTICE,
    OVERDUE_NOTICE,
    RENEWAL_OPEN,
    TeamItem,
    team_digest_key,
    team_digests,
)

TEAM_DIGEST = "team_digest"  # OutboxMessage.kind


def can_receive(manager: User | None) -> bool:
    """Whether a manager can be sent their team's message (active, with an address)."""
    return manager is not None and manager.is_active and bool(manager.email)


def line_text(item: TeamItem) -> str:
    """One line of a team message, in words a manager reads at a glance."""
    due, expiry = long_date(item.due_date), long_date(item.expires_on)
    return {
        OVERDUE_NOTICE: f"OVERDUE: {item.title} was due on {due}",
        EXPIRED_NOTICE: f"EXPIRED: the {item.title} certification expired on {expiry}",
        DUE_REMINDER: f"Due on {due}: {item.title}",
        RENEWAL_OPEN: f"Renew by {expiry}: {item.title} (the certification expires then)",
        ASSIGNED: f"New: {item.title}, due {due}",
    }[item.kind]


def team_rows(today: date, items: Iterable[TeamItem], people: dict[int, User]) -> list[dict]:
    """Render each manager's team message of the day, claiming the keys of every line listed.

    A manager who already has today's message keeps it; the new lines wait for
    tomorrow's. A line none of whose keys this call claimed was listed before.
    """
    digests = team_digests(items)
    if not digests:
        return []
    keys = {manager_id: team_digest_key(manager_id, today) for manager_id in digests}
    digests = without_todays_message(digests, keys)
    claimed = claim_keys(
        [
            {"key": key, "assignment_id": item.assignment_id, "message_key": keys[manager_id]}
            for manager_id, groups in digests.items()
            for _, lines in groups
            for item in lines
            for key in item.keys
        ]
    )
    rows = []
    for manager_id, groups in digests.items():
        listed = []
        for user_id, lines in groups:
            shown = [line_text(i) for i in lines if claimed.intersection(i.keys)]
            if shown:
                person = people[user_id]
                listed.append(
                    {
                        "name": person.full_name,
                        "employee_id": person.employee_id,
                        "lines": shown,
                        "link": absolute_url(f"/hr/people/{user_id}"),
                    }
                )
        if not listed:
            continue
        count = len(listed)
        subject = (
            f"Training for {listed[0]['name']}, who has no email"
            if count == 1
            else f"Training for {count} people in your team who have no email"
        )
        rows.append(
            message_values(
                to=people[manager_id],
                subject=subject,
                template=TEAM_DIGEST,
                context={"people": listed, "link": absolute_url("/hr/letters")},
                key=keys[manager_id],
                kind=TEAM_DIGEST,
            )
        )
    return rows


def people_for(items: list[TeamItem]) -> dict[int, User]:
    """Load the people and managers a day's team lines name, by id."""
    ids = sorted({i.user_id for i in items} | {i.manager_id for i in items})
    people: dict[int, User] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        people.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(chunk))))
    return people


def unreachable_people(limit: int = 50) -> tuple[int, list[User]]:
    """Active people without email whose manager cannot be written to (none, left, no email).

    Their reminders reach no one: HR sees them on the outbox page and in `renew`'s output.
    """
    manager = aliased(User)
    condition = (
        User.is_active
        & User.email.is_(None)
        & (manager.id.is_(None) | ~manager.is_active | manager.email.is_(None))
    )
    query = select(User).outerjoin(manager, manager.id == User.manager_id).where(condition)
    people = list(db.session.scalars(query.order_by(User.full_name, User.id).limit(limit)))
    total = db.session.scalar(
        select(func.count(User.id))
        .outerjoin(manager, manager.id == User.manager_id)
        .where(condition)
    )
    return total, people
