"""After any sequence of real operations, the summary equals a full recount, on any day.

Each step goes through the application's own functions (the quiz and the signature,
HR's exemptions and revocations, assignment by program, renewal, retraining) or
changes a person as an import would (department, leaving, manager). The examples
share one organisation, so its state carries on from one to the next.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from lms.assignments import assign_programs
from lms.certificates.operations import CertificateError, revoke_certificate
from lms.compliance.operations import recount, verify_and_repair
from lms.extensions import db
from lms.hr.operations import ActionError, grant_exemption, remove_exemption
from lms.learn.operations import (
    TrainingError,
    current_version,
    cycle_attempts,
    progress_of,
    sign_attestation,
    start_attempt,
    submit_attempt,
)
from lms.models import Certificate, Choice, Completion, Module
from lms.renewal.job import renew
from lms.renewal.retraining import retrain_holders
from tests.compliance.conftest import managers, recounted, summarised
from tests.input.properties import THROUGH_DB

OPERATIONS = (
    "start",
    "complete",
    "exempt",
    "unexempt",
    "revoke",
    "leave",
    "return",
    "transfer",
    "manager",
    "day",
    "renew",
    "retrain",
)
DEPARTMENTS = ("Stores", "Customer Service", "Online", None)
step = st.tuples(
    st.sampled_from(OPERATIONS),
    st.integers(0, 7),  # whom
    st.sampled_from(("dignity", "honesty")),
    st.integers(1, 400),  # days, or a choice among departments and managers
)
CHECKED_DAYS = (-1, 0, 1, 30, 365)


class World:
    def __init__(self, org):
        self.org = org
        self.today = org.today

    def now(self) -> datetime:
        return datetime.combine(self.today, time(10), tzinfo=UTC)

    def apply(self, operation: str, whom: int, slug: str, n: int) -> None:
        people = self.org.everyone
        person = people[whom]
        assignment = self.org.assignment(person, slug)
        if operation == "day":
            self.today += timedelta(days=n)
        elif operation == "renew":
            renew(self.today)
        elif operation == "retrain":
            module = db.session.scalar(select(Module).where(Module.slug == slug))
            retrain_holders(module, current_version(module.id), self.today, batch_size=2)
        elif operation == "leave":
            person.is_active = False
        elif operation == "return":
            person.is_active = True
        elif operation == "transfer":
            person.department = DEPARTMENTS[n % len(DEPARTMENTS)]
            person.department_changed_on = self.today
            db.session.flush()
            assign_programs(self.today, [person.id])
        elif operation == "manager":
            self.move(person, n)
        elif assignment is None:
            return
        elif operation in ("start", "complete"):
            self.train(person, assignment, finish=operation == "complete")
        elif operation in ("exempt", "unexempt"):
            action = grant_exemption if operation == "exempt" else remove_exemption
            args = (self.now(),) if operation == "exempt" else ()
            try:
                action(assignment, "A reason", self.org.hr, slug, *args)
            except ActionError:
                pass
        elif operation == "revoke":
            certificate = db.session.scalar(
                select(Certificate)
                .join(Completion, Completion.id == Certificate.completion_id)
                .where(Completion.assignment_id == assignment.id)
                .order_by(Certificate.id.desc())
            )
            if certificate is not None:
                try:
                    revoke_certificate(certificate, self.org.hr, "Wrong person", self.now())
                except CertificateError:
                    pass

    def move(self, person, n: int) -> None:
        """Give an employee (or lead_a, with their team) a new manager, or none; never a loop."""
        o = self.org
        tops = [o.hr, o.mgr_a, o.mgr_b, o.loner, None]
        if person in (o.emp_a1, o.emp_a2, o.emp_b1):
            tops.append(o.lead_a)
        elif person is not o.lead_a:
            return
        manager = tops[n % len(tops)]
        person.manager_id = manager.id if manager else None

    def train(self, person, assignment, finish: bool) -> None:
        version = current_version(assignment.module_id)
        progress = progress_of(assignment, version, cycle_attempts(assignment), self.today)
        try:
            attempt = start_attempt(progress, self.today, random.Random(7))
        except TrainingError:
            return
        if not finish or attempt is None:
            return
        answers = {
            str(item["question_id"]): [
                str(c)
                for c in db.session.scalars(
                    select(Choice.id).where(
                        Choice.question_id == item["question_id"], Choice.is_correct
                    )
                )
            ]
            for item in attempt.drawn
        }
        submit_attempt(attempt, answers, now=self.now())
        progress = progress_of(assignment, version, cycle_attempts(assignment), self.today)
        try:
            sign_attestation(
                progress, person, person.full_name, ip_address=None, user_agent=None, now=self.now()
            )
        except TrainingError:
            pass


@pytest.fixture
def world(org):
    recount(team_size=1)  # every manager of the small organisation gets figures of their own
    db.session.commit()
    return World(org)


def test_the_summary_equals_a_recount_after_any_sequence_of_operations(world):
    @THROUGH_DB
    @given(steps=st.lists(step, min_size=1, max_size=8))
    def check(steps):
        for s in steps:
            world.apply(*s)
            db.session.commit()
        db.session.expire_all()
        for offset in CHECKED_DAYS:
            day = world.today + timedelta(days=offset)
            for scope in [None, *managers()]:
                assert summarised(day, scope) == recounted(day, scope), (steps, offset, scope)

    check()
    result = verify_and_repair()
    assert not result.repaired, result.lines()
