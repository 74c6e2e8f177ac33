"""Read-side queries for the learner's pages, each a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, defer, joinedload, load_only, selectinload

from lms.content.diff import body_diff
from lms.extensions import db
from lms.learn.operations import Progress, progress_of
from lms.models import (
    Assignment,
    Attempt,
    Attestation,
    Certificate,
    Choice,
    Completion,
    Module,
    ModuleVersion,
    Question,
)
from lms.models.content import current_version

ATTEMPT_FLAGS = load_only(
    Attempt.id,
    Attempt.assignment_id,
    Attempt.module_version_id,
    Attempt.cycle,
    Attempt.submitted_at,
    Attempt.passed,
)


# The learner pages' statements are built once, with bound parameters: building one
# and working out its cache key cost more than running it (on SQLite ~0.2 ms of a
# 0.46 ms query), on every uncached page.
MY_OPEN = (
    select(Assignment, ModuleVersion)
    .join(Module, Module.id == Assignment.module_id)
    .join(ModuleVersion, current_version())
    .where(
        Assignment.user_id == bindparam("user_id"),
        Assignment.closed_on.is_(None),
        ~Module.is_archived,
    )
)
MY_OPEN_ASSIGNMENTS = (
    MY_OPEN
    # The list shows no module bodies: leave the largest columns in the database.
    .options(
        contains_eager(Assignment.module),
        defer(ModuleVersion.body_html),
        defer(ModuleVersion.toc),
    ).order_by(Assignment.due_date, ModuleVersion.title)
)
# Only this cycle's attempts, and only the flags progress needs (no JSON to decode).
MY_CURRENT_ATTEMPTS = (
    select(Attempt, ModuleVersion.version)
    .join(Assignment, Assignment.id == Attempt.assignment_id)
    .join(ModuleVersion, ModuleVersion.id == Attempt.module_version_id)
    .options(ATTEMPT_FLAGS)
    .where(Attempt.user_id == bindparam("user_id"), Attempt.cycle == Assignment.cycle)
    .order_by(Attempt.id)
)
MY_OPEN_ASSIGNMENT_BY_SLUG = MY_OPEN.where(Module.slug == bindparam("slug")).options(
    contains_eager(Assignment.module)
)
CYCLE_ATTEMPTS = (
    select(Attempt, ModuleVersion.version)
    .join(ModuleVersion, ModuleVersion.id == Attempt.module_version_id)
    .options(ATTEMPT_FLAGS)
    .where(
        Attempt.assignment_id == bindparam("assignment_id"),
        Attempt.cycle == bindparam("cycle"),
    )
    .order_by(Attempt.id)
)


def my_progress(user_id: int, today: date) -> list[Progress]:
    """Return the open assignments of one person with their progress, in two queries."""
    rows = db.session.execute(MY_OPEN_ASSIGNMENTS, {"user_id": user_id}).all()
    attempts: dict[int, list[Attempt]] = {}
    versions: dict[int, int] = {}
    if rows:
        for attempt, number in db.session.execute(MY_CURRENT_ATTEMPTS, {"user_id": user_id}):
            attempts.setdefault(attempt.assignment_id, []).append(attempt)
            versions[attempt.module_version_id] = number
    return [progress_of(a, v, attempts.get(a.id, []), today, versions) for a, v in rows]


def progress_for_slug(user_id: int, slug: str, today: date) -> Progress:
    """Return one assignment's progress for this person, or 404 if it is not theirs."""
    row = db.session.execute(MY_OPEN_ASSIGNMENT_BY_SLUG, {"user_id": user_id, "slug": slug}).first()
    if row is None:
        abort(404)
    assignment, version = row
    rows = db.session.execute(
        CYCLE_ATTEMPTS, {"assignment_id": assignment.id, "cycle": assignment.cycle}
    ).all()
    versions = {attempt.module_version_id: number for attempt, number in rows}
    return progress_of(assignment, version, [attempt for attempt, _ in rows], today, versions)


OWN_ATTEMPT = (
    select(Attempt)
    # Many-to-one all the way: one joined query rather than one per relationship.
    .options(joinedload(Attempt.assignment).joinedload(Assignment.module))
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
)


def own_attempt(attempt_id: int, user_id: int) -> Attempt:
    """Return the person's own attempt; someone else's is a 404, not a hint it exists."""
    attempt = db.session.scalar(OWN_ATTEMPT, {"attempt_id": attempt_id, "user_id": user_id})
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


MY_CERTIFICATE_CODES = (
    select(Completion.assignment_id, Certificate.code)
    .join(Certificate, Certificate.completion_id == Completion.id)
    .where(
        Completion.user_id == bindparam("user_id"),
        Completion.superseded_at.is_(None),
        Certificate.revoked_at.is_(None),
    )
)
MY_CERTIFICATE_CODE_FOR = MY_CERTIFICATE_CODES.where(
    Completion.assignment_id == bindparam("assignment_id")
)


def my_certificate_codes(user_id: int, assignment_id: int | None = None) -> dict[int, str]:
    """Return {assignment id: code} of this person's current, unrevoked certificates, in one query."""
    if assignment_id is None:
        rows = db.session.execute(MY_CERTIFICATE_CODES, {"user_id": user_id})
    else:
        rows = db.session.execute(
            MY_CERTIFICATE_CODE_FOR, {"user_id": user_id, "assignment_id": assignment_id}
        )
    return dict(rows.all())


@dataclass
class WhatChanged:
    """What changed since the revision a person last signed: each version's note and the words."""

    signed_version: int
    notes: list[tuple[int, list[str]]]  # (version, its `changes`), oldest first
    diff: Markup | None


LAST_SIGNED = (
    select(Attestation.module_version_id, Attestation.version)
    .where(Attestation.assignment_id == bindparam("assignment_id"))
    .order_by(Attestation.signed_at.desc(), Attestation.id.desc())
    .limit(1)
)


def what_changed(assignment: Assignment, current: ModuleVersion) -> WhatChanged | None:
    """Return what changed since this person last signed, if that was an earlier version.

    DESIGN.md: a person asked to re-sign sees the `changes` note and the difference
    between the text they signed and the new one. Notes come from every revision
    that raised the version since; the text compared is the revision they signed.
    None queries before a first signature (each signature moves the cycle on), one
    after, two when there is something to show.
    """
    if assignment.cycle == 1:
        return None
    signed = db.session.execute(LAST_SIGNED, {"assignment_id": assignment.id}).first()
    if signed is None or signed.version >= current.version:
        return None
    revisions = db.session.scalars(
        select(ModuleVersion)
        .options(
            load_only(
                ModuleVersion.id,
                ModuleVersion.version,
                ModuleVersion.revision,
                ModuleVersion.changes,
                ModuleVersion.body_html,
            )
        )
        .where(
            ModuleVersion.module_id == current.module_id,
            (ModuleVersion.id == signed.module_version_id)
            | (
                (ModuleVersion.version > signed.version)
                & (ModuleVersion.revision <= current.revision)
            ),
        )
        .order_by(ModuleVersion.revision)
    ).all()
    old = next(r for r in revisions if r.id == signed.module_version_id)
    notes: dict[int, list[str]] = {}
    for revision in revisions:  # the last revision of each version has its final note
        if revision.version > signed.version and revision.changes:
            notes[revision.version] = revision.changes
    return WhatChanged(
        signed.version, sorted(notes.items()), body_diff(old.body_html, current.body_html)
    )
