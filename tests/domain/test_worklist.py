"""The order of the learner's list, as a table."""

from datetime import date

import pytest

from lms.learn.rules import late_count, todo_order

D = date(2026, 12, 2)


def key(status, due=D, expires=None, slug="m", title="M"):
    return todo_order(status, due_date=due, expires_on=expires, slug=slug, title=title)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        # late before anything else, the oldest first
        (key("overdue", due=date(2026, 11, 1)), key("overdue", due=date(2026, 11, 20))),
        (key("overdue"), key("in_progress", due=date(2026, 12, 3))),
        (key("expired", expires=date(2026, 11, 1)), key("overdue", due=date(2026, 11, 5))),
        (key("overdue", due=date(2026, 11, 1)), key("expired", expires=date(2026, 11, 5))),
        # to do: due soonest first, whatever the progress
        (key("not_started", due=date(2026, 12, 5)), key("in_progress", due=date(2026, 12, 9))),
        # on the same day, in progress before not started
        (key("in_progress"), key("not_started")),
        # to do before renewal open before complete before exempt
        (key("not_started", due=date(2027, 6, 1)), key("due_soon", expires=D)),
        (key("due_soon", expires=date(2027, 1, 1)), key("complete", expires=D)),
        (key("due_soon", expires=D), key("due_soon", expires=date(2026, 12, 20))),
        (key("complete", expires=date(2027, 1, 1)), key("complete", expires=None)),
        (key("complete", expires=None), key("exempt")),
        # among equals the welcome module first, then by title
        (key("not_started", slug="welcome", title="Welcome"), key("not_started", title="Apples")),
        (key("not_started", title="Apples"), key("not_started", title="Bananas")),
        (key("exempt", slug="welcome", title="Welcome"), key("exempt", title="Apples")),
    ],
)
def test_what_needs_doing_comes_first(first, then):
    assert first < then


def test_the_welcome_module_does_not_jump_a_group():
    assert key("overdue") < key("not_started", slug="welcome")


@pytest.mark.parametrize(
    ("statuses", "count"),
    [
        ([], 0),
        (["complete", "not_started"], 0),
        (["overdue", "expired", "overdue", "complete"], 3),
    ],
)
def test_late_count(statuses, count):
    assert late_count(statuses) == count
