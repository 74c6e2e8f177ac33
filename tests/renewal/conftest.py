from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learn.operations import current_version, cycle_attempts, progress_of, sign_attestation
from lms.models import Assignment, OutboxMessage
from lms.people.operations import create_user
from tests.factories import make_employee, write_module, write_program
from tests.smtp import smtp_server  # noqa: F401 - the fixture

TITLE = "Every Customer Served with Dignity"
HIRED = date(2025, 1, 6)  # due 5 February 2025


@pytest.fixture
def content_dir(tmp_path):
    """A read-and-attest module renewed yearly (30-day window), for Stores only."""
    root = tmp_path / "content"
    write_module(root, quiz=None, questions_per_attempt=None, attempts=None)
    write_program(root, audience={"departments": ["Stores"]}, due_days=30)
    return root


@pytest.fixture
def mona(synced):
    return make_employee(
        email="mona@example.com",
        full_name="Mona Manager",
        department="Management",
        role="Store Manager",
        today=HIRED,
    )


@pytest.fixture
def erin(mona):
    return make_employee(hire_date=HIRED, today=HIRED, manager_email="mona@example.com")


def stores_hires(count: int, *, emails: bool = True, manager_email: str | None = None) -> None:
    """Create `count` Stores people hired on HIRED: `p<n>@example.com`, or no email and `S<n>`."""
    for n in range(count):
        create_user(
            email=f"p{n}@example.com" if emails else None,
            employee_id=None if emails else f"S{n}",
            full_name=f"Person {n:03d}",
            department="Stores",
            hire_date=HIRED,
            manager_email=manager_email,
            today=HIRED,
        )
    db.session.commit()


def assignment_of(user) -> Assignment:
    db.session.expire_all()
    return db.session.scalar(select(Assignment).where(Assignment.user_id == user.id))


def complete_on(user, day: date) -> None:
    """Sign the (quiz-less) module as `user` on `day`, as the learner page would."""
    assignment = assignment_of(user)
    version = current_version(assignment.module_id)
    progress = progress_of(assignment, version, cycle_attempts(assignment), day)
    sign_attestation(
        progress,
        user,
        user.full_name,
        ip_address="192.0.2.1",
        user_agent="test",
        now=datetime.combine(day, time(10), tzinfo=UTC),
    )
    db.session.commit()


def renew_on(runner, smtp, day, *extra, exit_code=0):
    """Run `flask lms renew --as-of day`; return {(to, subject)} delivered by it, and the output."""
    smtp.clear()
    result = runner.invoke(args=["lms", "renew", "--as-of", day.isoformat(), *extra])
    assert result.exit_code == exit_code, result.output
    mail = smtp.mail()
    assert len(mail) == len(smtp.messages), "an email was sent twice"
    return mail, result.output


def outbox_keys() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)))
