"""One person's transcript: every assignment, attempt, signature, certificate and event.

Read by HR's person page and CSV (`lms.hr`) and the API (`lms.api`), so it sits
below both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.learn.operations import status_of
from lms.mail.outbox import messages_for_user
from lms.models import (
    Assignment,
    Attempt,
    Attestation,
    AuditEvent,
    Certificate,
    Completion,
    Module,
    ModuleVersion,
    Program,
    User,
)
from lms.models.content import current_version
from lms.status import attempts_left


@dataclass
class AssignmentRecord:
    """One assignment of a person with every cycle's records."""

    assignment: Assignment
    slug: str
    title: str
    version: ModuleVersion | None
    program: str | None
    is_archived: bool
    status: str
    attempts: list[Attempt] = field(default_factory=list)
    attestations: list[Attestation] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)
    certificates: dict[int, Any] = field(default_factory=dict)  # completion id -> Certificate

    @property
    def is_counted(self) -> bool:
        return self.assignment.closed_on is None and not self.is_archived

    @property
    def attempts_used(self) -> int:
        cycle = self.assignment.cycle
        return sum(1 for a in self.attempts if a.cycle == cycle and a.submitted_at is not None)

    @property
    def attempts_left(self) -> int | None:
        limit = self.version.attempts if self.version and self.version.has_quiz else None
        return attempts_left(limit, self.attempts_used, self.assignment.extra_attempts)

    @property
    def has_attempt_limit(self) -> bool:
        return bool(self.version and self.version.has_quiz and self.version.attempts is not None)


@dataclass
class EventRow:
    event: AuditEvent
    actor_name: str | None


@dataclass
class Transcript:
    user: User
    manager_name: str | None
    records: list[AssignmentRecord]
    events: list[EventRow]
    mail: list[Any] | None  # None when the mail part of the app is not there


def transcript(
    user: User, as_of: date, *, with_hr_records: bool, event_limit: int = 100
) -> Transcript:
    """Return every assignment, attempt, attestation, completion and certificate of one person.

    `with_hr_records` adds the latest audit events and the email sent to or about them.
    """
    manager_name = (
        db.session.scalar(select(User.full_name).where(User.id == user.manager_id))
        if user.manager_id
        else None
    )
    records = assignment_records(user.id, as_of)
    by_id = {r.assignment.id: r for r in records}
    for model, attr in (
        (Attempt, "attempts"),
        (Attestation, "attestations"),
        (Completion, "completions"),
    ):
        for row in db.session.scalars(
            select(model).where(model.user_id == user.id).order_by(model.id)
        ):
            getattr(by_id[row.assignment_id], attr).append(row)
    completions = {c.id: r for r in records for c in r.completions}
    for cert in db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id)
    ):
        if cert.completion_id in completions:
            completions[cert.completion_id].certificates[cert.completion_id] = cert
    if not with_hr_records:
        return Transcript(user, manager_name, records, [], None)
    mail = messages_for_user(user.id)
    return Transcript(user, manager_name, records, person_events(user.id, event_limit), mail)


def assignment_records(user_id: int, as_of: date) -> list[AssignmentRecord]:
    """Return the person's assignments, open ones first, by due date, in one query."""
    rows = db.session.execute(
        select(Assignment, Module.slug, Module.is_archived, ModuleVersion, Program.title)
        .join(Module, Module.id == Assignment.module_id)
        .outerjoin(ModuleVersion, current_version())
        .outerjoin(Program, Program.id == Assignment.program_id)
        .where(Assignment.user_id == user_id)
        .order_by(Assignment.closed_on.is_not(None), Module.is_archived, Assignment.due_date)
    ).all()
    return [
        AssignmentRecord(
            assignment=a,
            slug=slug,
            title=version.title if version else slug,
            version=version,
            program=program,
            is_archived=archived,
            status=status_of(a, as_of),
        )
        for a, slug, archived, version, program in rows
    ]


def person_events(user_id: int, limit: int) -> list[EventRow]:
    """Return the latest audit events about one person, newest first, with who did each."""
    actor = aliased(User, name="actor")
    return [
        EventRow(event, name)
        for event, name in db.session.execute(
            select(AuditEvent, actor.full_name)
            .outerjoin(actor, actor.id == AuditEvent.actor_id)
            .where(AuditEvent.user_id == user_id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    ]
