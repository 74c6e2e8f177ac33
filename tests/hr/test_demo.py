"""`flask lms demo`: a realistic organisation with history, the same for the same seed."""

import hashlib
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.audit import first_broken_link
from lms.demo.operations import load_demo, plan_people
from lms.extensions import db
from lms.models import Assignment, Attempt, Attestation, Completion, User
from lms.people.operations import report_ids
from lms.reports.dashboard import dashboard
from lms.reports.filters import Filters
from lms.reports.scope import Scope

TODAY = date(2026, 6, 15)


@pytest.fixture
def demo(app, org_content, runner):
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0

    def load(employees, seed=1):
        load_demo(employees=employees, seed=seed, today=TODAY)
        db.session.commit()

    return load


def fingerprint() -> str:
    """Hash everything the demo decides: people, managers, assignments, completions, attempts."""
    digest = hashlib.sha256()
    for query in (
        select(
            User.email,
            User.full_name,
            User.department,
            User.role,
            User.hire_date,
            User.manager_id,
            User.is_active,
        ).order_by(User.id),
        select(
            Assignment.user_id,
            Assignment.module_id,
            Assignment.due_date,
            Assignment.completed_on,
            Assignment.expires_on,
            Assignment.exempt_reason,
            Assignment.started_on,
            Assignment.closed_on,
        ).order_by(Assignment.id),
        select(Completion.assignment_id, Completion.completed_at, Completion.score).order_by(
            Completion.id
        ),
        select(Attempt.assignment_id, Attempt.drawn, Attempt.answers, Attempt.score).order_by(
            Attempt.id
        ),
    ):
        for row in db.session.execute(query):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_the_same_seed_builds_the_same_organisation(demo, runner):
    demo(60, seed=7)
    first = fingerprint()
    db.session.remove()
    db.drop_all()
    db.create_all()
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    demo(60, seed=7)
    assert fingerprint() == first
    db.session.remove()
    db.drop_all()
    db.create_all()
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    demo(60, seed=8)
    assert fingerprint() != first


def test_the_small_demo_keeps_its_logins(demo):
    demo(12)
    hr = db.session.scalar(select(User).where(User.email == "hr@example.com"))
    erin = db.session.scalar(select(User).where(User.email == "employee@example.com"))
    stores = db.session.scalar(select(User).where(User.email == "manager.stores@example.com"))
    service = db.session.scalar(select(User).where(User.email == "manager.service@example.com"))
    assert hr.is_hr and not erin.is_hr
    assert erin.id in report_ids(stores.id)
    assert report_ids(service.id)
    assert erin.hire_date == TODAY - timedelta(days=5)
    mine = db.session.scalars(select(Assignment).where(Assignment.user_id == erin.id)).all()
    assert mine and all(a.completed_on is None and a.started_on is None for a in mine)
    assert db.session.scalar(select(func.count()).where(Completion.user_id == erin.id)) == 0


def test_history_is_consistent_with_the_training_rules(demo):
    demo(200)
    assignments = db.session.scalars(select(Assignment)).all()
    completions: dict[int, list[Completion]] = {}
    for c in db.session.scalars(select(Completion).order_by(Completion.completed_at)):
        completions.setdefault(c.assignment_id, []).append(c)
    for a in assignments:
        cycles = completions.get(a.id, [])
        assert a.cycle == len(cycles) + 1
        if cycles:
            assert a.completed_on == cycles[-1].completed_on
            assert a.expires_on == cycles[-1].expires_on
            assert all(c.superseded_at is not None for c in cycles[:-1])
            assert cycles[-1].superseded_at is None
    # every completion of a quiz module rests on a passed attempt and a signature
    for c in db.session.scalars(select(Completion).where(Completion.attempt_id.is_not(None))):
        assert db.session.get(Attempt, c.attempt_id).passed
        assert db.session.get(Attestation, c.attestation_id).typed_name
    assert first_broken_link() is None


def test_the_organisation_has_every_status_and_a_management_tree(demo):
    demo(200)
    counts = dashboard(Scope(), Filters(as_of=TODAY)).overall.counts
    for status in ("complete", "due_soon", "overdue", "expired", "exempt", "not_started"):
        assert counts[status] > 0, status
    rate = dashboard(Scope(), Filters(as_of=TODAY)).overall.rate
    assert 0.75 < rate < 0.98
    leads = db.session.scalars(select(User).where(User.role == "Team Leader")).all()
    assert leads
    stores = db.session.scalar(select(User.id).where(User.email == "manager.stores@example.com"))
    team = report_ids(stores)
    assert {lead.id for lead in leads if lead.department == "Stores"} <= team
    assert db.session.scalar(select(func.count()).where(User.is_active.is_(False))) >= 1


def test_large_organisations_get_area_managers_and_no_cycles():
    people = plan_people(3000, random.Random(1), TODAY)
    assert len(people) == 3005
    assert {"Area Manager", "Team Leader"} <= {p.role for p in people}
    for index, person in enumerate(people):
        assert person.manager is None or person.manager < index  # managers come first: no cycles
    depth = {}
    for index, person in enumerate(people):
        depth[index] = 0 if person.manager is None else depth[person.manager] + 1
    assert max(depth.values()) == 3  # head, area manager, team leader, employee
    erin = next(i for i, p in enumerate(people) if p.email == "employee@example.com")
    assert all(p.manager != erin for p in people)


def test_demo_if_empty_does_nothing_when_people_exist(runner, org_content):
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    first = runner.invoke(args=["lms", "demo", "--if-empty"])
    assert first.exit_code == 0 and "employee@example.com" in first.output
    people = db.session.scalar(select(func.count()).select_from(User))
    again = runner.invoke(args=["lms", "demo", "--if-empty"])
    assert again.exit_code == 0 and "skipped" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == people
    refused = runner.invoke(args=["lms", "demo"])
    assert refused.exit_code != 0 and "already has people" in refused.output


def test_the_history_writes_answer_rows_for_item_analysis(demo):
    from lms.models import AttemptAnswer, AttemptPick

    demo(40)
    expected_answers, expected_picks = set(), set()
    for attempt in db.session.scalars(select(Attempt).where(Attempt.submitted_at.is_not(None))):
        right = sum(attempt.results.values())
        for qid, ok in attempt.results.items():
            expected_answers.add((attempt.id, int(qid), attempt.module_version_id, ok, right))
        for qid, choice_ids in attempt.answers.items():
            expected_picks.update((attempt.id, c, int(qid)) for c in choice_ids)
    answers = set(
        db.session.execute(
            select(
                AttemptAnswer.attempt_id,
                AttemptAnswer.question_id,
                AttemptAnswer.module_version_id,
                AttemptAnswer.is_correct,
                AttemptAnswer.attempt_right,
            )
        ).all()
    )
    picks = set(
        db.session.execute(
            select(AttemptPick.attempt_id, AttemptPick.choice_id, AttemptPick.question_id)
        ).all()
    )
    assert expected_answers and answers == expected_answers
    assert picks == expected_picks


# What the demo writes at 60 employees, seed 7, on the test content: the same on both
# databases (COPY on PostgreSQL, executemany on SQLite), every row of every bulk table,
# with the bulk tables' indexes and foreign keys built after the load on PostgreSQL.
DEMO_COUNTS_60 = {
    "users": 65,
    "assignments": 93,
    "attempts": 169,
    "attempt_answers": 299,
    "attempt_picks": 370,
    "attestations": 131,
    "completions": 131,
    "audit_events": 198,
}


def test_the_demo_writes_the_same_rows_on_either_database(demo):
    from lms.models import AttemptAnswer, AttemptPick, AuditEvent

    demo(60, seed=7)
    counts = {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (
            User,
            Assignment,
            Attempt,
            AttemptAnswer,
            AttemptPick,
            Attestation,
            Completion,
            AuditEvent,
        )
    }
    assert counts == DEMO_COUNTS_60


def test_the_demos_certificate_codes_are_canonical_and_distinct(demo):
    from lms.certificates.codes import normalise_code
    from lms.models import Certificate

    demo(60, seed=7)
    codes = db.session.scalars(select(Certificate.code)).all()
    assert len(codes) == DEMO_COUNTS_60["completions"]
    assert all(normalise_code(code) == code for code in codes)
    assert len(set(codes)) == len(codes)
    assert len({c for code in codes for c in code}) == 32  # every symbol turns up
