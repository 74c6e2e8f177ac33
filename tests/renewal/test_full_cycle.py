"""Time travel with `renew --as-of` through assignment, overdue, renewal and expiry."""

from datetime import date, timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.models import Completion
from tests.renewal.conftest import HIRED, TITLE, assignment_of, complete_on, renew_on

ERIN, MONA = "erin@example.com", "mona@example.com"


def d(text):
    return date.fromisoformat(text)


def test_a_full_cycle_sends_exactly_the_right_email_each_day(runner, smtp_server, mona, erin):
    def mail_on(day):
        return renew_on(runner, smtp_server, d(day))[0]

    assert mail_on("2025-01-06") == {(ERIN, f"New training: {TITLE} (due 5 February 2025)")}
    assert mail_on("2025-01-07") == set()
    assert mail_on("2025-01-28") == set()
    assert mail_on("2025-01-29") == {(ERIN, f"Reminder: {TITLE} is due on 5 February 2025")}
    assert mail_on("2025-02-05") == set()
    overdue = {
        (ERIN, f"Overdue: {TITLE} was due on 5 February 2025"),
        (MONA, f"Overdue: Erin Example has not completed {TITLE}"),
    }
    assert mail_on("2025-02-06") == overdue
    assert mail_on("2025-02-12") == set()
    assert mail_on("2025-02-13") == overdue  # the weekly reminder, step 2

    complete_on(erin, d("2025-02-15"))  # late: the expiry runs from the completion day
    assert assignment_of(erin).expires_on == d("2026-02-15")
    assert mail_on("2025-02-15") == {(MONA, f"Resolved: Erin Example has completed {TITLE}")}
    assert mail_on("2025-02-20") == set()

    assert mail_on("2026-01-15") == set()
    assert mail_on("2026-01-16") == {(ERIN, f"Time to renew: {TITLE} (renew by 15 February 2026)")}
    complete_on(erin, d("2026-01-20"))  # inside the window: the anniversary is kept
    assert assignment_of(erin).expires_on == d("2027-02-15")
    assert mail_on("2026-01-20") == set()  # nothing was overdue: no note to the manager

    assert mail_on("2027-01-15") == set()
    assert mail_on("2027-01-16") == {(ERIN, f"Time to renew: {TITLE} (renew by 15 February 2027)")}
    assert mail_on("2027-02-15") == set()  # the expiry day is still inside the window
    assert mail_on("2027-02-16") == {
        (ERIN, f"Expired: your {TITLE} certification"),
        (MONA, f"Expired: Erin Example's {TITLE} certification"),
    }
    assert mail_on("2027-02-23") == set()  # told once

    complete_on(erin, d("2027-03-01"))  # after expiry: runs from the completion day
    assert assignment_of(erin).expires_on == d("2028-03-01")
    assert mail_on("2027-03-01") == {(MONA, f"Resolved: Erin Example has completed {TITLE}")}
    assert mail_on("2027-03-02") == set()

    completions = db.session.scalars(select(Completion).order_by(Completion.cycle)).all()
    assert [(c.cycle, c.completed_on, c.expires_on) for c in completions] == [
        (1, d("2025-02-15"), d("2026-02-15")),
        (2, d("2026-01-20"), d("2027-02-15")),
        (3, d("2027-03-01"), d("2028-03-01")),
    ]
    assert [c.superseded_at is not None for c in completions] == [True, True, False]


def test_links_go_straight_to_the_module_in_both_parts(runner, smtp_server, mona, erin):
    renew_on(runner, smtp_server, HIRED)
    [message] = smtp_server.messages
    assert "http://attest.test/modules/dignity" in message.get_body(("plain",)).get_content()
    assert 'href="http://attest.test/modules/dignity"' in message.get_body(("html",)).get_content()


def test_a_renewal_window_opening_counts_in_the_summary(runner, smtp_server, mona, erin):
    complete_on(erin, HIRED + timedelta(days=3))  # on time: expires a year after the due date
    opens = assignment_of(erin).renewal_opens_on
    assert opens == d("2026-01-06")
    _, output = renew_on(runner, smtp_server, opens)
    assert "renewal windows opened: 1" in output
    _, output = renew_on(runner, smtp_server, d("2026-02-06"))
    assert "certifications expired: 1" in output
    assert "emails queued: 2 (expired 1, expired_manager 1)" in output
