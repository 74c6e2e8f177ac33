"""People without email: their reminders reach their manager, one message a day, each line once.

DESIGN.md, "Reminders": people without an email address get no email; their
manager's messages list what they have outstanding, on the same schedule and
with the same once-only guarantee as every other reminder. Real SMTP (aiosmtpd).
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import OutboxMessage, SentReminder
from tests.factories import make_employee
from tests.renewal.conftest import HIRED, TITLE, assignment_of, complete_on, renew_on

MONA = "mona@example.com"
TEAM2 = "Training for 2 people in your team who have no email"


def d(text):
    return date.fromisoformat(text)


@pytest.fixture
def tills(mona):
    """Sam and Tia work the tills, without email, for Mona."""
    return [
        make_employee(
            email=None,
            employee_id=employee_id,
            full_name=name,
            hire_date=HIRED,
            today=HIRED,
            manager_email=MONA,
            password=None,
        )
        for employee_id, name in (("S1", "Sam Till"), ("S2", "Tia Till"))
    ]


def body(smtp, address=MONA) -> str:
    [message] = smtp.to(address)
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_the_manager_gets_one_message_a_day_listing_everyone(runner, smtp_server, tills, erin):
    def mail_on(day):
        return renew_on(runner, smtp_server, d(day))[0]

    erin_new = ("erin@example.com", f"New training: {TITLE} (due 5 February 2025)")
    assert mail_on("2025-01-06") == {erin_new, (MONA, TEAM2)}
    text = body(smtp_server)
    assert "Sam Till (S1):\n- New: " + TITLE + ", due 5 February 2025" in text
    assert "Tia Till (S2):\n- New: " + TITLE in text
    assert "http://attest.test/hr/letters" in text
    assert mail_on("2025-01-06") == set()  # run again the same day: nothing new
    assert mail_on("2025-01-07") == set()  # listed once, never again
    assert mail_on("2025-01-29") == {
        ("erin@example.com", f"Reminder: {TITLE} is due on 5 February 2025"),
        (MONA, TEAM2),
    }
    assert f"- Due on 5 February 2025: {TITLE}" in body(smtp_server)
    # Overdue: one message for both, instead of a copy per person beside Erin's copy.
    sent = mail_on("2025-02-06")
    assert (MONA, TEAM2) in sent
    assert (MONA, f"Overdue: Erin Example has not completed {TITLE}") in sent
    assert len(smtp_server.to(MONA)) == 2
    team = next(m for m in smtp_server.to(MONA) if m["Subject"] == TEAM2)
    text = team.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.count(f"- OVERDUE: {TITLE} was due on 5 February 2025") == 2
    assert mail_on("2025-02-06") == set()
    assert mail_on("2025-02-12") == set()
    assert (MONA, TEAM2) in mail_on("2025-02-13")  # the weekly reminder, step 2

    # Sam completes: Mona, who was told, gets the "resolved" note as for anyone.
    complete_on(tills[0], d("2025-02-15"))
    assert mail_on("2025-02-15") == {(MONA, f"Resolved: Sam Till has completed {TITLE}")}
    sent = mail_on("2025-02-20")
    assert (MONA, "Training for Tia Till, who has no email") in sent
    # Nothing was ever addressed to nobody.
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.to_email.is_(None))
        )
        == 0
    )


def test_each_line_is_claimed_with_both_keys(runner, smtp_server, tills):
    renew_on(runner, smtp_server, d("2025-02-06"))
    sam = assignment_of(tills[0])
    keys = set(
        db.session.scalars(select(SentReminder.key).where(SentReminder.assignment_id == sam.id))
    )
    assert keys == {f"{sam.id}:1:overdue:1", f"{sam.id}:1:overdue_manager:1"}
    message_key = db.session.scalar(
        select(SentReminder.message_key).where(SentReminder.assignment_id == sam.id).limit(1)
    )
    assert message_key == "team:1:2025-02-06"


def test_renewal_open_and_expired_reach_the_manager(runner, smtp_server, tills):
    for person in tills:
        complete_on(person, d("2025-01-20"))  # on time: expires 5 February 2026
    renew_on(runner, smtp_server, d("2025-01-20"))
    assert renew_on(runner, smtp_server, d("2026-01-06"))[0] == {(MONA, TEAM2)}
    assert f"- Renew by 5 February 2026: {TITLE} (the certification expires then)" in body(
        smtp_server
    )
    assert renew_on(runner, smtp_server, d("2026-02-06"))[0] == {(MONA, TEAM2)}
    assert f"- EXPIRED: the {TITLE} certification expired on 5 February 2026" in body(smtp_server)
    assert renew_on(runner, smtp_server, d("2026-02-13"))[0] == set()


def test_without_a_manager_hr_is_told_and_nothing_breaks(runner, smtp_server, synced):
    make_employee(email=None, employee_id="U1", full_name="Uma Alone", hire_date=HIRED, today=HIRED)
    mail, output = renew_on(runner, smtp_server, HIRED)
    assert mail == set()
    assert (
        "warning: 1 people without email have reminders due and no manager to tell "
        "(give them a manager with an email): Uma Alone (U1)"
    ) in output
    # The day's reminders were not marked sent: once given a manager, the next run lists them.
    assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 0


def test_a_manager_without_email_is_the_same_as_none(runner, smtp_server, synced):
    boss = make_employee(email=None, employee_id="B1", full_name="Bo Boss", department="Management")
    make_employee(
        email=None,
        employee_id="U1",
        full_name="Uma Alone",
        hire_date=HIRED,
        today=HIRED,
        manager_email=None,
    )
    from lms.models import User

    uma = db.session.scalar(select(User).where(User.employee_id == "U1"))
    uma.manager_id = boss.id
    db.session.commit()
    mail, output = renew_on(runner, smtp_server, HIRED)
    assert mail == set() and "Uma Alone (U1)" in output


def test_the_outbox_page_names_people_no_one_can_be_told_about(client, auth, synced):
    make_employee(email="hr@example.com", full_name="Hana Reyes", is_hr=True)
    make_employee(email=None, employee_id="U1", full_name="Uma Alone")
    auth.login("hr@example.com")
    page = client.get("/hr/outbox").get_data(as_text=True)
    assert "Uma Alone" in page and "reach no one" in page
