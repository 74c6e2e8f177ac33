"""People without email: which lines their manager's message lists, and in what order."""

from datetime import date

import pytest

from lms.renewal.rules import (
    ASSIGNED,
    DUE_REMINDER,
    EXPIRED_MANAGER,
    EXPIRED_NOTICE,
    OVERDUE_MANAGER,
    OVERDUE_NOTICE,
    RENEWAL_OPEN,
    RESOLVED,
    RETRAIN,
    Reminder,
    team_digest_key,
    team_digests,
    team_items,
    team_kind,
)


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        (ASSIGNED, ASSIGNED),
        (DUE_REMINDER, DUE_REMINDER),
        (OVERDUE_NOTICE, OVERDUE_NOTICE),
        (OVERDUE_MANAGER, OVERDUE_NOTICE),
        (RENEWAL_OPEN, RENEWAL_OPEN),
        (EXPIRED_NOTICE, EXPIRED_NOTICE),
        (EXPIRED_MANAGER, EXPIRED_NOTICE),
        (RESOLVED, None),
        (RETRAIN, None),
    ],
)
def test_team_kind(kind, line):
    assert team_kind(kind) == line


def items(reminders, *, assignment_id=7, user_id=3, name="Ana", manager_id=1, title="T", due=1):
    return team_items(
        manager_id=manager_id,
        user_id=user_id,
        employee_name=name,
        assignment_id=assignment_id,
        cycle=2,
        title=title,
        due_date=date(2026, 1, due),
        expires_on=None,
        reminders=reminders,
    )


@pytest.mark.parametrize(
    ("reminders", "lines"),
    [
        ([Reminder(ASSIGNED, 0)], [(ASSIGNED, 0, ("7:2:assigned:0",))]),
        ([Reminder(ASSIGNED, 1)], [(ASSIGNED, 1, ("7:2:assigned:1",))]),
        (
            [Reminder(OVERDUE_NOTICE, 3), Reminder(OVERDUE_MANAGER, 3)],
            [(OVERDUE_NOTICE, 3, ("7:2:overdue:3", "7:2:overdue_manager:3"))],
        ),
        ([Reminder(OVERDUE_MANAGER, 2)], [(OVERDUE_NOTICE, 2, ("7:2:overdue_manager:2",))]),
        (
            [Reminder(EXPIRED_NOTICE), Reminder(EXPIRED_MANAGER)],
            [(EXPIRED_NOTICE, 0, ("7:2:expired:0", "7:2:expired_manager:0"))],
        ),
        ([Reminder(RENEWAL_OPEN)], [(RENEWAL_OPEN, 0, ("7:2:renewal_open:0",))]),
        ([Reminder(RESOLVED)], []),
        ([], []),
    ],
)
def test_each_reminder_makes_one_line_with_every_key_it_stands_for(reminders, lines):
    assert [(i.kind, i.step, i.keys) for i in items(reminders)] == lines


def test_one_message_per_manager_people_by_name_most_urgent_first():
    found = (
        items([Reminder(ASSIGNED)], assignment_id=1, user_id=5, name="Zoe", title="B", due=20)
        + items([Reminder(DUE_REMINDER)], assignment_id=2, user_id=5, name="Zoe", title="A", due=9)
        + items([Reminder(OVERDUE_NOTICE, 1)], assignment_id=3, user_id=5, name="Zoe", due=30)
        + items([Reminder(RENEWAL_OPEN)], assignment_id=4, user_id=6, name="Abe")
        + items([Reminder(EXPIRED_NOTICE)], assignment_id=5, user_id=7, name="Max", manager_id=2)
    )
    digests = team_digests(found)
    assert list(digests) == [1, 2]
    assert [user for user, _ in digests[1]] == [6, 5]  # Abe before Zoe
    zoe = digests[1][1][1]
    assert [i.kind for i in zoe] == [OVERDUE_NOTICE, DUE_REMINDER, ASSIGNED]
    assert [user for user, _ in digests[2]] == [7]


def test_the_team_message_key_is_one_a_day_per_manager():
    assert team_digest_key(4, date(2026, 3, 1)) == "team:4:2026-03-01"
    assert team_digest_key(4, date(2026, 3, 1)) != team_digest_key(4, date(2026, 3, 2))
    assert team_digest_key(4, date(2026, 3, 1)) != team_digest_key(5, date(2026, 3, 1))
