"""The progress card says what is overdue first, and the list is in the order of what needs doing."""

from datetime import timedelta

from sqlalchemy import select, update

from lms.extensions import db
from lms.models import Assignment, Module
from lms.models.base import utctoday
from tests.factories import make_employee, write_module, write_program

SLUGS = ["alpha", "bravo", "charlie", "delta", "welcome"]


def test_overdue_first_then_soonest_due_welcome_first_among_equals(
    client, auth, content_dir, runner
):
    for slug in SLUGS:
        write_module(content_dir, slug, title=f"Module {slug.title()}", quiz=None)
    write_program(content_dir, modules=SLUGS)
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    make_employee()
    today = utctoday()
    due = {
        "alpha": today + timedelta(days=30),
        "bravo": today - timedelta(days=3),  # overdue, the most recent
        "charlie": today - timedelta(days=10),  # overdue, the oldest
        "delta": today - timedelta(days=5),
        "welcome": today + timedelta(days=30),
    }
    for slug, day in due.items():
        module_id = db.session.scalar(select(Module.id).where(Module.slug == slug))
        db.session.execute(
            update(Assignment).where(Assignment.module_id == module_id).values(due_date=day)
        )
    db.session.commit()
    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert '<a href="#todo">3 overdue</a>' in page
    assert page.index("3 overdue") < page.index("0 of 5 modules complete")
    order = [page.index(f"Module {slug.title()}</a>") for slug in SLUGS]
    shown = [slug for _, slug in sorted(zip(order, SLUGS, strict=True))]
    assert shown == ["charlie", "delta", "bravo", "welcome", "alpha"]


def test_nothing_overdue_says_nothing_about_it(client, auth, synced):
    make_employee()
    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert "overdue</a>" not in page
