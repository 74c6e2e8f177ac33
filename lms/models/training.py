"""Training records: assignments, attempts, attestations and completions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms.models.content import Module, ModuleVersion
from lms.models.people import User

PENDING_ROWS = "completed_on IS NULL AND exempt_reason IS NULL AND closed_on IS NULL"


class Assignment(db.Model):
    """One employee and one module, across every certification cycle.

    The dates needed to compute the status on any day are kept here so that
    reports can compute it in SQL (see `lms.status`).
    """

    __tablename__ = "assignments"
    __table_args__ = (
        # Also the index of a person's assignments (user_id leads it): a second index on
        # user_id alone was one more entry per row written (966,000 in a 100,000-person
        # import, issue 18) for lookups this one answers.
        UniqueConstraint("user_id", "module_id"),
        # Pending assignments by due date: the oldest overdue first, for the most overdue
        # people on HR's dashboard (lms.compliance.queries.most_overdue), without walking
        # the completed ones that share their due dates.
        Index(
            "ix_assignments_pending_due",
            "due_date",
            sqlite_where=text(PENDING_ROWS),
            postgresql_where=text(PENDING_ROWS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"))
    assigned_on: Mapped[date]
    due_date: Mapped[date] = mapped_column(index=True)
    cycle: Mapped[int] = mapped_column(default=1)
    started_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    renewal_opens_on: Mapped[date | None]
    last_score: Mapped[int | None]
    extra_attempts: Mapped[int] = mapped_column(default=0)
    exempt_reason: Mapped[str | None] = mapped_column(Text)
    exempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exempt_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_on: Mapped[date | None]
    # The day a revoked certificate took this assignment's completion away; cleared by
    # the next completion (see `lms.certificates.rules.reopening_after_revocation`).
    revoked_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    module: Mapped[Module] = relationship(lazy="raise")

    @property
    def is_exempt(self) -> bool:
        return self.exempt_reason is not None


class Attempt(db.Model):
    """One sitting of a quiz: what was drawn, in what order, what was picked."""

    __tablename__ = "attempts"
    # At most one open attempt per assignment, however many "start" posts race.
    __table_args__ = (
        Index(
            "uq_attempts_open_assignment_id",
            "assignment_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    cycle: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"question_id": 3, "choice_ids": [9, 7, 8]}, ...] in the order shown.
    drawn: Mapped[list[Any]] = mapped_column(JSON)
    # {"3": [7], ...}: choice ids picked per question id.
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # {"3": true, ...}: whether each question was answered correctly.
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    score: Mapped[int | None]
    passed: Mapped[bool | None]

    assignment: Mapped[Assignment] = relationship(lazy="raise")
    module_version: Mapped[ModuleVersion] = relationship(lazy="raise")


class Attestation(db.Model):
    """A signed statement: the exact text, the name typed, and where it came from."""

    __tablename__ = "attestations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    version: Mapped[int]
    cycle: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))


class Completion(db.Model):
    """One completed certification cycle; a renewal supersedes, never replaces, it."""

    __tablename__ = "completions"
    __table_args__ = (UniqueConstraint("assignment_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    version: Mapped[int]
    cycle: Mapped[int]
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    attestation_id: Mapped[int] = mapped_column(ForeignKey("attestations.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_on: Mapped[date]
    expires_on: Mapped[date | None]
    score: Mapped[int | None]
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignment: Mapped[Assignment] = relationship(lazy="raise")
    module_version: Mapped[ModuleVersion] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")


class AttemptAnswer(db.Model):
    """One question of one submitted attempt, as graded: the rows item analysis counts.

    `Attempt.answers` and `.results` hold the same facts as JSON, which SQL cannot
    group without reading every attempt; these rows are written when the attempt
    is graded (`lms.analysis.operations.record_answers`) so that a question's
    figures are one GROUP BY. `attempt_right` is how many questions the whole
    attempt got right, so the rest-of-attempt score is `attempt_right - is_correct`.
    """

    __tablename__ = "attempt_answers"
    # Covering: a module version's figures are read from the index alone.
    __table_args__ = (
        Index(
            "ix_attempt_answers_version_question",
            "module_version_id",
            "question_id",
            "is_correct",
            "attempt_right",
        ),
    )

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    is_correct: Mapped[bool]
    attempt_right: Mapped[int]


class AttemptPick(db.Model):
    """One choice picked in one submitted attempt (several for a multiple-answer question)."""

    __tablename__ = "attempt_picks"
    __table_args__ = (Index("ix_attempt_picks_version_choice", "module_version_id", "choice_id"),)

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    choice_id: Mapped[int] = mapped_column(ForeignKey("choices.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
