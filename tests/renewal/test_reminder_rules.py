"""The reminder rules, as tables of dates, what was sent, and what is due."""

from datetime import date

import pytest

from lms.renewal.rules import (
    Reminder,
    is_holder,
    needs_resolved_note,
    overdue_step,
    parse_key,
    reminder_key,
    reminders_due,
    retrain_dates,
)

D = date.fromisoformat
ASSIGNED_ON, DUE = D("2025-01-06"), D("2025-02-05")
EXPIRES, OPENS = D("2026-02-15"), D("2026-01-16")
OPEN_ITEM = {
    "assigned_on": ASSIGNED_ON,
    "due_date": DUE,
    "completed_on": None,
    "expires_on": None,
    "renewal_opens_on": None,
}
HELD = {
    **OPEN_ITEM,
    "completed_on": D("2025-02-15"),
    "expires_on": EXPIRES,
    "renewal_opens_on": OPENS,
}
ONE_TIME = {**OPEN_ITEM, "completed_on": D("2025-02-01")}


def kinds(reminders):
    return {(r.kind, r.step) for r in reminders}


@pytest.mark.parametrize(
    ("today", "item", "sent", "expected"),
    [
        # a new assignment
        ("2025-01-06", {**OPEN_ITEM, "due_date": D("2025-01-10")}, set(), {("assigned", 1)}),
        ("2025-01-05", OPEN_ITEM, set(), set()),  # before it was assigned
        ("2025-01-06", OPEN_ITEM, set(), {("assigned", 0)}),
        ("2025-01-07", OPEN_ITEM, {("assigned", 0)}, set()),
        # due in 7 days
        ("2025-01-28", OPEN_ITEM, {("assigned", 0)}, set()),
        ("2025-01-29", OPEN_ITEM, {("assigned", 0)}, {("due_reminder", 0)}),
        ("2025-02-05", OPEN_ITEM, {("assigned", 0)}, {("due_reminder", 0)}),
        ("2025-02-05", OPEN_ITEM, {("assigned", 0), ("due_reminder", 0)}, set()),
        # first sent within the last week: step 1, which stands for the reminder too
        ("2025-01-29", OPEN_ITEM, set(), {("assigned", 1)}),  # exactly 7 days before
        ("2025-02-01", OPEN_ITEM, set(), {("assigned", 1)}),
        ("2025-02-05", OPEN_ITEM, set(), {("assigned", 1)}),
        # sent as step 1, then the due date moved later: not sent again as step 0
        ("2025-01-20", OPEN_ITEM, {("assigned", 1)}, set()),
        ("2025-02-02", OPEN_ITEM, {("assigned", 1)}, set()),
        # overdue: weekly, with a manager copy, from the day after the due date
        ("2025-02-06", OPEN_ITEM, {("assigned", 0)}, {("overdue", 1), ("overdue_manager", 1)}),
        ("2025-02-12", OPEN_ITEM, {("overdue", 1), ("overdue_manager", 1)}, set()),
        (
            "2025-02-13",
            OPEN_ITEM,
            {("overdue", 1), ("overdue_manager", 1)},
            {("overdue", 2), ("overdue_manager", 2)},
        ),
        # skipped weeks: one reminder, the current one
        ("2025-02-25", OPEN_ITEM, {("assigned", 0)}, {("overdue", 3), ("overdue_manager", 3)}),
        ("2025-02-25", OPEN_ITEM, set(), {("overdue", 3), ("overdue_manager", 3)}),
        # complete, window not open yet
        ("2026-01-15", HELD, set(), set()),
        # window open: one notice, whenever in the window the run comes
        ("2026-01-16", HELD, set(), {("renewal_open", 0)}),
        ("2026-02-15", HELD, set(), {("renewal_open", 0)}),
        ("2026-02-15", HELD, {("renewal_open", 0)}, set()),
        # a retraining notice already opened the window
        ("2026-01-16", HELD, {("retrain", 2)}, set()),
        # expired: once, with a manager copy, and no stale window notice
        ("2026-02-16", HELD, set(), {("expired", 0), ("expired_manager", 0)}),
        ("2026-02-16", HELD, {("renewal_open", 0)}, {("expired", 0), ("expired_manager", 0)}),
        ("2026-03-30", HELD, {("expired", 0), ("expired_manager", 0)}, set()),
        # one-time training never expires
        ("2030-01-01", ONE_TIME, set(), set()),
    ],
)
def test_reminders_due(today, item, sent, expected):
    assert kinds(reminders_due(D(today), sent=sent, has_manager=True, **item)) == expected


@pytest.mark.parametrize(
    ("today", "item"),
    [("2025-02-06", OPEN_ITEM), ("2026-02-16", HELD)],
)
def test_without_a_manager_no_copy_is_due(today, item):
    due = reminders_due(D(today), has_manager=False, **item)
    assert due and not any(r.to_manager for r in due)


def test_no_manager_copy_is_due_unless_the_person_has_a_manager():
    due = reminders_due(D("2025-02-06"), sent={("assigned", 0)}, **OPEN_ITEM)
    assert kinds(due) == {("overdue", 1)}


@pytest.mark.parametrize("flag", ["is_exempt", "is_closed"])
def test_exempt_and_closed_assignments_get_nothing(flag):
    assert reminders_due(D("2025-02-06"), has_manager=True, **OPEN_ITEM, **{flag: True}) == []


@pytest.mark.parametrize(
    ("today", "step"),
    [("2025-02-06", 1), ("2025-02-12", 1), ("2025-02-13", 2), ("2025-02-19", 2), ("2025-02-20", 3)],
)
def test_overdue_step_counts_weeks_from_the_day_after_the_due_date(today, step):
    assert overdue_step(D(today), DUE) == step


@pytest.mark.parametrize(
    ("status", "told", "expected"),
    [
        ("overdue", True, True),
        ("expired", True, True),
        ("overdue", False, False),  # the manager never heard of it
        ("not_started", True, False),
        ("due_soon", True, False),
    ],
)
def test_resolved_note_only_for_items_the_manager_was_told_about(status, told, expected):
    assert needs_resolved_note(status, told) is expected


@pytest.mark.parametrize(
    ("today", "completed_on", "expires_on", "is_exempt", "expected"),
    [
        ("2025-06-01", "2025-02-15", "2026-02-15", False, True),
        ("2026-02-15", "2025-02-15", "2026-02-15", False, True),  # expiry day still holds
        ("2026-02-16", "2025-02-15", "2026-02-15", False, False),
        ("2025-06-01", "2025-02-15", None, False, True),  # one-time training
        ("2025-06-01", None, None, False, False),
        ("2025-06-01", "2025-02-15", "2026-02-15", True, False),
    ],
)
def test_is_holder(today, completed_on, expires_on, is_exempt, expected):
    as_date = lambda v: D(v) if v else None  # noqa: E731
    holder = is_holder(
        D(today),
        completed_on=as_date(completed_on),
        expires_on=as_date(expires_on),
        is_exempt=is_exempt,
    )
    assert holder is expected


@pytest.mark.parametrize(
    ("expires_on", "opens_on", "expected"),
    [
        # certified until next year: valid until the new due date, window open from today
        ("2026-02-15", "2026-01-16", ("2025-07-01", "2025-07-01", "2025-06-01")),
        # expiry before the new due date: it stays
        ("2025-06-20", "2025-05-21", ("2025-07-01", "2025-06-20", "2025-05-21")),
        # one-time training: now ends on the new due date
        (None, None, ("2025-07-01", "2025-07-01", "2025-06-01")),
    ],
)
def test_retrain_dates(expires_on, opens_on, expected):
    result = retrain_dates(
        D("2025-06-01"),
        30,
        expires_on=D(expires_on) if expires_on else None,
        renewal_opens_on=D(opens_on) if opens_on else None,
    )
    assert result == tuple(D(v) for v in expected)


def test_reminder_keys_round_trip():
    assert reminder_key(12, 3, "overdue", 2) == "12:3:overdue:2"
    assert reminder_key(12, 3, "assigned") == "12:3:assigned:0"
    assert parse_key("12:3:overdue:2") == (12, 3, "overdue", 2)
    assert Reminder("overdue_manager", 1).to_manager and not Reminder("overdue", 1).to_manager


@pytest.mark.parametrize(
    "key",
    [
        "invite:5",
        "a:b:c:d",
        "x:3:overdue:2",
        "12:x:overdue:2",
        "12:3:overdue:x",
        "12:3:overdue",
        "12:3:overdue:2:1",
        "12:3:overdue:-2",
        "",
    ],
)
def test_other_outbox_keys_are_not_reminder_keys(key):
    assert parse_key(key) is None
