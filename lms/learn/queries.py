"""Read-side queries for the learner's pages, each a fixed number of SQL statements."""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, defer, joinedload, load_only, selectinload

from lms.extensions import db
from lms.models import (
    Assignment,
    Attempt,
    Certificate,
    Choice,
    Completion,
    Module,
    ModuleVersion,
    Question,
)
from lms.training import Progress, progress_of

ATTEMPT_FLAGS = load_only(
    Attempt.id,
    Attempt.assignment_id,
    Attempt.module_version_id,
    Attempt.cycle,
    Attempt.submitted_at,
    Attempt.passed,
)


def my_progress(user_id: int, today: date) -> list[Progress]:
    """Return the open assignments of one person with their progress, in two queries."""
    rows = db.session.execute(
        select(Assignment, ModuleVersion)
        .join(Module, Module.id == Assignment.module_id)
        .join(ModuleVersion, (ModuleVersion.module_id == Module.id) & ModuleVersion.is_current)
        # The list shows no module bodies: leave the largest columns in the database.
        .options(
            contains_eager(Assignment.module),
            defer(ModuleVersion.body_html),
            defer(ModuleVersion.toc),
        )
        .where(Assignment.user_id == user_id, Assignment.closed_on.is_(None), ~Module.is_archived)
        .order_by(Assignment.due_date, ModuleVersion.title)
    ).all()
    attempts: dict[int, list[Attempt]] = {}
    versions: dict[int, int] = {}
    if rows:
        # Only this cycle's attempts, and only the flags progress needs (no JSON to decode).
        for attempt, number in db.session.execute(
            select(Attempt, ModuleVersion.version)
            .join(Assignment, Assignment.id == Attempt.assignment_id)
            .join(ModuleVersion, ModuleVersion.id == Attempt.module_version_id)
            .options(ATTEMPT_FLAGS)
            .where(Attempt.user_id == user_id, Attempt.cycle == Assignment.cycle)
            .order_by(Attempt.id)
        ):
            attempts.setdefault(attempt.assignment_id, []).append(attempt)
            versions[attempt.module_version_id] = number
    return [progress_of(a, v, attempts.get(a.id, []), today, versions) for a, v in rows]


def progress_for_slug(user_id: int, slug: str, today: date) -> Progress:
    """Return one assignment's progress for this person, or 404 if it is not theirs."""
    row = db.session.execute(
        select(Assignment, ModuleVersion)
        .join(Module, Module.id == Assignment.module_id)
        .join(ModuleVersion, (ModuleVersion.module_id == Module.id) & ModuleVersion.is_current)
        .options(contains_eager(Assignment.module))
        .where(
            Assignment.user_id == user_id,
            Module.slug == slug,
            Assignment.closed_on.is_(None),
            ~Module.is_archived,
        )
    ).first()
    if row is None:
        abort(404)
    assignment, version = row
    rows = db.session.execute(
        select(Attempt, ModuleVersion.version)
        .join(ModuleVersion, ModuleVersion.id == Attempt.module_version_id)
        .options(ATTEMPT_FLAGS)
        .where(Attempt.assignment_id == assignment.id, Attempt.cycle == assignment.cycle)
        .order_by(Attempt.id)
    ).all()
    versions = {attempt.module_version_id: number for attempt, number in rows}
    return progress_of(assignment, version, [attempt for attempt, _ in rows], today, versions)


def own_attempt(attempt_id: int, user_id: int) -> Attempt:
    """Return the person's own attempt; someone else's is a 404, not a hint it exists."""
    attempt = db.session.scalar(
        select(Attempt)
        # Many-to-one all the way: one joined query rather than one per relationship.
        .options(joinedload(Attempt.assignment).joinedload(Assignment.module))
        .where(Attempt.id == attempt_id, Attempt.user_id == user_id)
    )
    if attempt is None:
        abort(404)
    return attempt


def attempt_questions(attempt: Attempt) -> list[tuple[Question, list[Choice]]]:
    """Return the attempt's questions with their choices, in the order drawn."""
    ids = [item["question_id"] for item in attempt.drawn]
    questions = {
        q.id: q
        for q in db.session.scalars(
            select(Question).options(selectinload(Question.choices)).where(Question.id.in_(ids))
        )
    }
    ordered = []
    for item in attempt.drawn:
        question = questions[item["question_id"]]
        by_id = {c.id: c for c in question.choices}
        ordered.append((question, [by_id[c] for c in item["choice_ids"]]))
    return ordered


def my_certificate_codes(user_id: int, assignment_id: int | None = None) -> dict[int, str]:
    """Return {assignment id: code} of this person's current, unrevoked certificates, in one query."""
    query = (
        select(Completion.assignment_id, Certificate.code)
        .join(Certificate, Certificate.completion_id == Completion.id)
        .where(
            Completion.user_id == user_id,
            Completion.superseded_at.is_(None),
            Certificate.revoked_at.is_(None),
        )
    )
    if assignment_id is not None:
        query = query.where(Completion.assignment_id == assignment_id)
    return dict(db.session.execute(query).all())
