"""A new hire's new assignments go out as one "New training" message a day, listing them all
(DESIGN.md, "Reminders"), and each item is still sent at most once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models import Assignment, Module, OutboxMessage, SentReminder
from lms.renewal.rules import NewItem, digest_key, new_training_digests
from tests.factories import make_employee, write_module, write_program
from tests.renewal.conftest import HIRED, renew_on

SLUGS = [f"module-{n}" for n in range(1, 10)]
TITLES = [f"Module number {n}" for n in range(1, 10)]


@pytest.fixture
def content_dir(tmp_path):
    """Nine read-and-attest modules in one program for Stores, due in 30 days."""
    root = tmp_path / "content"
    for slug, title in zip(SLUGS, TITLES, strict=True):
        write_module(root, slug, title=title, quiz=None, questions_per_attempt=None, attempts=None)
    write_program(root, modules=SLUGS, audience={"departments": ["Stores"]}, due_days=30)
    return root


@pytest.fixture
def hire(synced):
    return make_employee(hire_date=HIRED, today=HIRED)


def assign_extra(runner, content_dir, day):
    """Add a tenth module in a second program, assigned to Stores on `day`."""
    write_module(
        content_dir,
        "extra",
        title="An Extra Module",
        quiz=None,
        questions_per_attempt=None,
        attempts=None,
    )
    write_program(
        content_dir, "more", modules=["extra"], audience={"departments": ["Stores"]}, due_days=30
    )
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    # sync-content assigns as of the real today; the test's calendar is HIRED's.
    extra = db.session.scalar(select(Module.id).where(Module.slug == "extra"))
    db.session.execute(
        update(Assignment)
        .where(Assignment.module_id == extra)
        .values(assigned_on=day, due_date=day + timedelta(days=30))
    )
    db.session.commit()


def new_training(smtp_server, to="erin@example.com"):
    return [m for m in smtp_server.to(to) if m["Subject"].startswith("New training")]


def test_a_hire_with_nine_modules_gets_one_message_listing_the_nine(runner, smtp_server, hire):
    renew_on(runner, smtp_server, HIRED)
    (message,) = new_training(smtp_server)
    assert message["Subject"] == "New training: 9 modules, the first due 5 February 2025"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for slug, title in zip(SLUGS, TITLES, strict=True):
        assert f"- {title}, due 5 February 2025: http://attest.test/modules/{slug}" in text
        assert f'<a href="http://attest.test/modules/{slug}"' in html and title in html
    assert len(smtp_server.to("erin@example.com")) == 1
    # Each item's (assignment, cycle, kind, step) key is recorded once, with the message's.
    keys = db.session.scalars(select(SentReminder.key)).all()
    assert len(keys) == 9 and all(k.endswith(":1:assigned:0") for k in keys)
    assert set(db.session.scalars(select(SentReminder.message_key))) == {digest_key(hire.id, HIRED)}


def test_the_items_are_never_listed_again(runner, smtp_server, hire):
    renew_on(runner, smtp_server, HIRED)
    assert renew_on(runner, smtp_server, HIRED)[0] == set()
    assert renew_on(runner, smtp_server, HIRED + timedelta(days=1))[0] == set()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
    assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 9


def test_the_week_before_the_due_date_each_module_has_its_own_reminder(runner, smtp_server, hire):
    renew_on(runner, smtp_server, HIRED)
    mail, _ = renew_on(runner, smtp_server, date(2025, 1, 29))
    assert len(mail) == 9 and all(s.startswith("Reminder: ") for _, s in mail)


def test_a_module_assigned_later_comes_in_its_own_days_message(
    runner, smtp_server, hire, content_dir
):
    renew_on(runner, smtp_server, HIRED)
    assign_extra(runner, content_dir, HIRED + timedelta(days=1))
    mail, _ = renew_on(runner, smtp_server, HIRED + timedelta(days=1))
    assert mail == {("erin@example.com", "New training: An Extra Module (due 6 February 2025)")}


def test_a_dry_run_records_nothing(runner, smtp_server, hire):
    renew_on(runner, smtp_server, HIRED, "--dry-run")
    assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 0
    (message,) = (renew_on(runner, smtp_server, HIRED), new_training(smtp_server))[1]
    assert message["Subject"].startswith("New training: 9 modules")


def test_a_second_run_the_same_day_leaves_new_items_for_tomorrows_message(
    runner, smtp_server, hire, content_dir
):
    renew_on(runner, smtp_server, HIRED)
    assign_extra(runner, content_dir, HIRED)
    assert renew_on(runner, smtp_server, HIRED)[0] == set()  # one message a day
    mail, _ = renew_on(runner, smtp_server, HIRED + timedelta(days=1))
    assert {s for _, s in mail} == {"New training: An Extra Module (due 5 February 2025)"}


# -- The rule, as a plain function ---------------------------------------------------------


def item(user_id, assignment_id, due, title, step=0):
    return NewItem(user_id, assignment_id, 1, step, date.fromisoformat(due), title)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], {}),
        (
            [item(1, 10, "2025-02-05", "B"), item(1, 11, "2025-02-05", "A")],
            {1: [11, 10]},
        ),  # same due date: by title
        (
            [item(1, 10, "2025-03-01", "A"), item(1, 11, "2025-02-01", "Z")],
            {1: [11, 10]},
        ),  # soonest due first
        (
            [
                item(2, 20, "2025-02-05", "A"),
                item(1, 10, "2025-02-05", "A"),
                item(2, 21, "2025-02-01", "B"),
            ],
            {1: [10], 2: [21, 20]},
        ),  # one message per person, people in id order
    ],
)
def test_new_items_are_grouped_one_message_per_person(items, expected):
    digests = new_training_digests(items)
    assert {u: [i.assignment_id for i in group] for u, group in digests.items()} == expected
    assert list(digests) == sorted(expected)


def test_an_items_key_is_its_reminder_key_and_a_digest_is_keyed_by_person_and_day():
    assert item(1, 10, "2025-02-05", "A", step=1).key == "10:1:assigned:1"
    assert digest_key(7, date(2025, 1, 6)) == "new-training:7:2025-01-06"
