"""Everything `renew` writes, end to end, is what it wrote before its speed-ups (issue 18).

A small demo organisation (lms.demo, seed 1) with people without email, a team leader
without email and one who left, plus two hires of the day, is run through a catch-up,
a repeat, a dry run and the following weeks, in small batches so that teams span
them. What renew wrote is hashed: every outbox row (key, kind, recipient, subject,
both bodies, whom and which assignment it is about), every key claimed in
`sent_reminders`, the assignments, the runs' audit details and their reports.

FINGERPRINT was recorded at c97902d, before lms.renewal.job and lms.mail.outbox were
restructured for speed. A change meant to alter what renew sends (a template, a
rule) changes it on purpose: record the new one, saying why in the commit.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from lms.demo.operations import load_demo
from lms.extensions import db
from lms.models import Assignment, AuditEvent, OutboxMessage, SentReminder, User
from lms.people.operations import create_user
from lms.renewal.job import renew
from tests.factories import QUIZ, write_module, write_program

TODAY = date(2026, 6, 15)
# The days renew runs on after the catch-up (and its repeat): the next day, a week on
# (due reminders, weekly overdue steps), renewal windows opening, expiries.
LATER = (1, 7, 8, 30, 61, 200, 380)
FINGERPRINT = "0cc90c5608dfb636d8f353da9889e5932c9eeda81679dad462e7253f3e8bf188"


@pytest.fixture
def content_dir(tmp_path):
    """Three modules: yearly with a 30-day window, two-yearly with 60, one never renewed."""
    root = tmp_path / "content"
    write_module(root)
    write_module(
        root,
        "honesty",
        title="Honesty in Every Answer",
        renew_every="2 years",
        window="60 days",
        attempts=3,
        questions_per_attempt=None,
        quiz=QUIZ[:1],
    )
    write_module(root, "welcome", title="Welcome <& Hello>", renew_every=None, window=None)
    write_program(root, "onboarding", modules=["dignity", "welcome"])
    write_program(
        root,
        "stores",
        title="Stores",
        modules=["honesty"],
        audience={"departments": ["Stores"]},
        due_days=14,
    )
    return root


def organisation(runner) -> None:
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    load_demo(employees=120, seed=1, today=TODAY)
    db.session.commit()
    leads = list(
        db.session.scalars(select(User.id).where(User.role == "Team Leader").order_by(User.id))
    )
    assert len(leads) >= 3
    db.session.execute(update(User).where(User.id == leads[0]).values(email=None))
    db.session.execute(update(User).where(User.id == leads[1]).values(is_active=False))
    db.session.execute(
        update(User)
        .where(User.id > 5, User.id % 3 == 0, User.role != "Team Leader")
        .values(email=None)
    )
    for email, number in (("new.hire@example.com", "N1"), (None, "N2")):
        create_user(
            email=email,
            employee_id=number,
            full_name=f"New Hire {number}",
            department="Stores",
            role="Sales Associate",
            hire_date=TODAY,
            manager_email="manager.stores@example.com",
            today=TODAY,
        )
    db.session.commit()


def canonical(line: str) -> str:
    """A report's line, the names it warns about in order (they come in the database's order)."""
    if not line.startswith("warning:"):
        return line
    head, names = line.split("): ", 1)
    return head + "): " + ", ".join(sorted(names.split(", ")))


def fingerprint(reports: list[list[str]]) -> str:
    digest = hashlib.sha256()

    def add(*values) -> None:
        digest.update(repr(values).encode())

    for row in sorted(
        db.session.execute(
            select(
                OutboxMessage.key,
                OutboxMessage.kind,
                OutboxMessage.to_email,
                OutboxMessage.to_user_id,
                OutboxMessage.about_user_id,
                OutboxMessage.assignment_id,
                OutboxMessage.subject,
                OutboxMessage.text_body,
                OutboxMessage.html_body,
                OutboxMessage.attempts,
                OutboxMessage.sent_at,
            )
        )
    ):
        add(*row)
    for row in sorted(
        db.session.execute(
            select(SentReminder.key, SentReminder.assignment_id, SentReminder.message_key)
        )
    ):
        add(*row)
    for row in db.session.execute(
        select(
            Assignment.id,
            Assignment.user_id,
            Assignment.module_id,
            Assignment.cycle,
            Assignment.assigned_on,
            Assignment.due_date,
            Assignment.closed_on,
        ).order_by(Assignment.id)
    ):
        add(*row)
    for (details,) in db.session.execute(
        select(AuditEvent.details)
        .where(AuditEvent.action == "renew.completed")
        .order_by(AuditEvent.id)
    ):
        add(sorted(details.pop("queued").items()), sorted(details.items()))
    for lines in reports:
        add(*map(canonical, lines))
    return digest.hexdigest()


def test_what_renew_writes_is_unchanged(app, runner):
    organisation(runner)
    reports = []

    def run(day: date, **options) -> None:
        report = renew(day, send=False, batch_size=16, **options)
        reports.append([line for line in report.lines() if not line.startswith("took ")])

    run(TODAY)  # the catch-up
    run(TODAY)  # the repeat: nothing to do
    run(TODAY + timedelta(days=2), dry_run=True)
    for days in LATER:
        run(TODAY + timedelta(days=days))
    queued = [int(r[4].split(": ")[1].split()[0]) for r in reports]
    assert queued[0] > 20 and queued[1] == 0, reports
    assert "team_digest" in reports[0][4] and "warning:" in reports[0][5], reports[0]
    assert fingerprint(reports) == FINGERPRINT
