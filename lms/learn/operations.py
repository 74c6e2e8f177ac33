"""Training actions: start and submit a quiz attempt, sign an attestation, complete.

Each function checks its preconditions, changes rows and flushes; the caller
(a view or a CLI command) commits once.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from lms.analysis.operations import record_answers
from lms.audit import record_event
from lms.certificates.operations import issue_certificate
from lms.extensions import db
from lms.grading import check_answers, draw_questions, grade_attempt, names_match
from lms.models import (
    Assignment,
    Attempt,
    Attestation,
    Choice,
    Completion,
    ModuleVersion,
    Question,
    User,
)
from lms.models.base import utcnow
from lms.periods import parse_period
from lms.renewal.notices import queue_resolved_note
from lms.status import (
    STEP_LOCKED,
    STEP_RESUME,
    STEP_SIGN,
    STEP_START,
    assignment_status,
    attempts_left,
    expiry_for,
    next_step,
    renewal_opens_for,
)


class TrainingError(Exception):
    """An action the rules do not allow now; the message says why, for the employee."""


class NameMismatch(TrainingError):
    """The typed name is not the employee's: a mistake in the form's field, shown there."""


def current_version(module_id: int) -> ModuleVersion:
    return db.session.execute(
        select(ModuleVersion).where(ModuleVersion.module_id == module_id, ModuleVersion.is_current)
    ).scalar_one()


def status_of(assignment: Assignment, today: date) -> str:
    """Return the assignment's status on `today` (see `lms.status.assignment_status`)."""
    return assignment_status(
        today,
        due_date=assignment.due_date,
        completed_on=assignment.completed_on,
        expires_on=assignment.expires_on,
        renewal_opens_on=assignment.renewal_opens_on,
        is_exempt=assignment.is_exempt,
        is_started=assignment.started_on is not None,
    )


@dataclass
class Progress:
    """Where one employee stands on one assignment, for pages to show."""

    assignment: Assignment
    version: ModuleVersion
    status: str
    step: str
    attempts_used: int
    attempts_remaining: int | None
    open_attempt_id: int | None
    unsigned_pass_id: int | None


def cycle_attempts(assignment: Assignment) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.assignment_id == assignment.id, Attempt.cycle == assignment.cycle)
            .order_by(Attempt.id)
        )
    )


def progress_of(
    assignment: Assignment,
    version: ModuleVersion,
    attempts: list[Attempt],
    today: date,
    versions: Mapping[int, int] | None = None,
) -> Progress:
    """Combine an assignment, its current version and this cycle's attempts into a `Progress`.

    `versions` maps each attempt's module revision to its version number: a pass
    on an earlier version (before a material change) is not a pass of this one,
    so it cannot be signed off; a pass on an edited revision of the same version is.
    Without it every pass counts.
    """
    used = sum(1 for a in attempts if a.submitted_at is not None)
    remaining = attempts_left(version.attempts, used, assignment.extra_attempts)
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    unsigned_pass = next(
        (
            a
            for a in attempts
            if a.passed and (versions is None or versions[a.module_version_id] == version.version)
        ),
        None,
    )
    status = status_of(assignment, today)
    step = next_step(
        status,
        has_quiz=version.has_quiz,
        has_open_attempt=open_attempt is not None,
        has_unsigned_pass=unsigned_pass is not None,
        attempts_remaining=remaining,
    )
    return Progress(
        assignment=assignment,
        version=version,
        status=status,
        step=step,
        attempts_used=used,
        attempts_remaining=remaining,
        open_attempt_id=open_attempt.id if open_attempt else None,
        unsigned_pass_id=unsigned_pass.id if unsigned_pass else None,
    )


def start_attempt(progress: Progress, today: date, rng: random.Random | None = None) -> Attempt:
    """Start a quiz attempt, drawing questions afresh, or return the attempt already open."""
    if progress.step == STEP_RESUME:
        return db.session.get(Attempt, progress.open_attempt_id)
    if progress.step == STEP_LOCKED:
        raise TrainingError("You have used every attempt for this module: you can ask HR for more.")
    if progress.step != STEP_START or not progress.version.has_quiz:
        raise TrainingError("There is no quiz to take for this module right now.")
    version, assignment = progress.version, progress.assignment
    pool: dict[int, list[int]] = {}
    for question_id, choice_id in db.session.execute(
        select(Question.id, Choice.id)
        .join(Choice, Choice.question_id == Question.id)
        .where(Question.module_version_id == version.id)
        .order_by(Question.position, Choice.position)
    ):
        pool.setdefault(question_id, []).append(choice_id)
    attempt = Attempt(
        assignment_id=assignment.id,
        user_id=assignment.user_id,
        module_version_id=version.id,
        cycle=assignment.cycle,
        drawn=draw_questions(pool, version.questions_per_attempt, rng or random.SystemRandom()),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        # Another request opened one first (a double click): carry on with that one.
        return db.session.execute(
            select(Attempt).where(
                Attempt.assignment_id == assignment.id, Attempt.submitted_at.is_(None)
            )
        ).scalar_one()
    if assignment.started_on is None:
        assignment.started_on = today
    db.session.flush()
    record_event(
        "attempt.started",
        actor_id=assignment.user_id,
        user_id=assignment.user_id,
        details={"attempt_id": attempt.id, "assignment_id": assignment.id, "cycle": attempt.cycle},
    )
    return attempt


# A quiz submission's statements, built once (building one and its cache key cost
# more than running it); the UPDATE runs while the submission holds the write lock.
CORRECT_CHOICES = select(Choice.question_id, Choice.id).where(
    Choice.question_id.in_(bindparam("question_ids", expanding=True)), Choice.is_correct
)
_attempts = Attempt.__table__
RECORD_SUBMISSION = (
    update(Attempt)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.submitted_at.is_(None))
    .values(
        {
            name: bindparam(f"new_{name}", type_=_attempts.c[name].type)
            for name in ("submitted_at", "answers", "results", "score", "passed")
        }
    )
    .execution_options(synchronize_session=False)
)


def correct_choices(attempt: Attempt) -> dict[str, list[int]]:
    ids = [item["question_id"] for item in attempt.drawn]
    correct: dict[str, list[int]] = {str(qid): [] for qid in ids}
    for question_id, choice_id in db.session.execute(CORRECT_CHOICES, {"question_ids": ids}):
        correct[str(question_id)].append(choice_id)
    return correct


def submit_attempt(
    attempt: Attempt, submitted: dict[str, list[str]], now: datetime | None = None
) -> bool:
    """Grade and record an attempt once; return False if it had already been submitted.

    The answers are checked before anything is written (AnswerError says what
    is wrong). The conditional UPDATE makes a resubmitted form, or two at once,
    record a single result.
    """
    answers = check_answers(attempt.drawn, submitted)
    version = db.session.get(ModuleVersion, attempt.module_version_id)
    grade = grade_attempt(answers, correct_choices(attempt), version.pass_mark)
    result = db.session.execute(
        RECORD_SUBMISSION,
        {
            "attempt_id": attempt.id,
            "new_submitted_at": now or utcnow(),
            "new_answers": answers,
            "new_results": grade.results,
            "new_score": grade.score,
            "new_passed": grade.passed,
        },
    )
    if result.rowcount == 1:
        record_answers(attempt.id, attempt.module_version_id, answers, grade.results)
        record_event(
            "attempt.submitted",
            actor_id=attempt.user_id,
            user_id=attempt.user_id,
            details={
                "attempt_id": attempt.id,
                "assignment_id": attempt.assignment_id,
                "score": grade.score,
                "passed": grade.passed,
            },
        )
    db.session.expire(attempt)
    return result.rowcount == 1


def sign_attestation(
    progress: Progress,
    user: User,
    typed_name: str,
    *,
    ip_address: str | None,
    user_agent: str | None,
    now: datetime | None = None,
) -> Completion:
    """Record the signed attestation and complete the cycle (DESIGN.md, "Completion").

    Needs a passed attempt in this cycle, or a module without a quiz, and the
    typed name must be the employee's full name.
    """
    if progress.step != STEP_SIGN and not (
        progress.step == STEP_START and not progress.version.has_quiz
    ):
        raise TrainingError("Pass the quiz before you sign the attestation.")
    if not names_match(typed_name, user.full_name):
        raise NameMismatch(f"Type your full name exactly as we have it: {user.full_name}.")
    now = now or utcnow()
    assignment, version = progress.assignment, progress.version
    # Claim this cycle first: of two signatures racing (a double click on two
    # workers), exactly one moves the cycle on; the other is refused, not a 500.
    claimed = db.session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id, Assignment.cycle == assignment.cycle)
        .values(cycle=Assignment.cycle + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise TrainingError("This module has just been signed; there is nothing left to sign.")
    attestation = Attestation(
        assignment_id=assignment.id,
        user_id=user.id,
        module_version_id=version.id,
        version=version.version,
        cycle=assignment.cycle,
        text=version.attestation,
        typed_name=" ".join(typed_name.split()),
        signed_at=now,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:512] or None,
    )
    db.session.add(attestation)
    db.session.flush()
    record_event(
        "attestation.signed",
        actor_id=user.id,
        user_id=user.id,
        details={
            "attestation_id": attestation.id,
            "assignment_id": assignment.id,
            "version": version.version,
            "cycle": attestation.cycle,
            "ip_address": ip_address,
        },
    )
    attempt = (
        db.session.get(Attempt, progress.unsigned_pass_id) if progress.unsigned_pass_id else None
    )
    return complete_cycle(assignment, version, attestation, attempt, now)


def complete_cycle(
    assignment: Assignment,
    version: ModuleVersion,
    attestation: Attestation,
    attempt: Attempt | None,
    now: datetime,
) -> Completion:
    """Store the completion, supersede the previous one and move the assignment to its next cycle."""
    today = now.date()
    renew_every = parse_period(version.renew_every) if version.renew_every else None
    window = parse_period(version.window) if version.window else None
    first = assignment.completed_on is None
    status_before, cycle = status_of(assignment, today), assignment.cycle
    expires_on = expiry_for(
        today,
        renew_every,
        due_date=assignment.due_date if first else None,
        previous_expiry=None if first else assignment.expires_on,
    )
    db.session.execute(
        update(Completion)
        .where(Completion.assignment_id == assignment.id, Completion.superseded_at.is_(None))
        .values(superseded_at=now)
        .execution_options(synchronize_session=False)
    )
    completion = Completion(
        assignment_id=assignment.id,
        user_id=assignment.user_id,
        module_version_id=version.id,
        version=version.version,
        cycle=assignment.cycle,
        attempt_id=attempt.id if attempt else None,
        attestation_id=attestation.id,
        completed_at=now,
        completed_on=today,
        expires_on=expires_on,
        score=attempt.score if attempt else None,
    )
    db.session.add(completion)
    assignment.completed_on, assignment.expires_on = today, expires_on
    assignment.renewal_opens_on = renewal_opens_for(expires_on, window)
    assignment.last_score = completion.score
    assignment.cycle += (
        1  # already claimed in the database by sign_attestation; keep the object in step
    )
    assignment.started_on = None
    assignment.extra_attempts = 0
    assignment.revoked_on = None  # a revocation's notice ends with the new completion
    db.session.flush()
    record_event(
        "completion.recorded",
        actor_id=attestation.user_id,
        user_id=assignment.user_id,
        details={
            "completion_id": completion.id,
            "assignment_id": assignment.id,
            "cycle": cycle,
            "score": completion.score,
            "expires_on": expires_on,
        },
    )
    queue_resolved_note(assignment, cycle, status_before, today)
    issue_certificate(completion)
    return completion
