"""Read-side queries for the HR pages: people, one person's transcript, the audit trail.

Each runs a fixed number of SQL statements whatever the size of the
organisation (tests/hr/test_query_counts.py holds them to it).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.learn.operations import status_of
from lms.models import (
    Assignment,
    Attempt,
    Attestation,
    AuditEvent,
    Completion,
    Module,
    ModuleVersion,
    Program,
    User,
)
from lms.models.content import current_version
from lms.reports.assignments import Manager, id_windows
from lms.reports.filters import Filters, counted
from lms.reports.paging import Page, clamp_page
from lms.reports.scope import Scope
from lms.status import OVERDUE, attempts_left


def optional(module: str, name: str) -> Any:
    """Return `module.name` if that part of the app exists, else None.

    Certificates and mail are built alongside the HR pages; the transcript
    shows them when they are there.
    """
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def search_condition(q: str):
    """Match people by part of their name, or their exact email or employee id."""
    q = q.strip()
    return or_(
        User.full_name.icontains(q, autoescape=True),
        User.email == q.lower(),
        User.employee_id == q,
    )


# -- people ----------------------------------------------------------------------------------


@dataclass
class PersonRow:
    user: User
    manager_name: str | None
    overdue: int


def people_page(scope: Scope, q: str, as_of: date, page: int, per_page: int = 50) -> Page:
    """Return one page of the people in scope matching `q`, with each one's overdue count."""
    query = select(User, Manager.full_name).outerjoin(Manager, Manager.id == User.manager_id)
    query = query.where(scope.people())
    if q.strip():
        query = query.where(search_condition(q))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = clamp_page(page, total, per_page)
    rows = db.session.execute(
        query.order_by(User.full_name, User.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    ids = [user.id for user, _ in rows]
    overdue = (
        dict(
            db.session.execute(
                counted(select(User.id, func.count()), scope, Filters(as_of=as_of, status=OVERDUE))
                .where(User.id.in_(ids))
                .group_by(User.id)
            ).all()
        )
        if ids
        else {}
    )
    return Page([PersonRow(u, m, overdue.get(u.id, 0)) for u, m in rows], total, page, per_page)


# -- transcript ------------------------------------------------------------------------------


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
    certificate = optional("lms.models", "Certificate")
    if certificate is not None:
        completions = {c.id: r for r in records for c in r.completions}
        for cert in db.session.scalars(
            select(certificate).where(certificate.user_id == user.id).order_by(certificate.id)
        ):
            if cert.completion_id in completions:
                completions[cert.completion_id].certificates[cert.completion_id] = cert
    if not with_hr_records:
        return Transcript(user, manager_name, records, [], None)
    messages_for_user = optional("lms.mail", "messages_for_user")
    mail = messages_for_user(user.id) if messages_for_user else None
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


def find_assignment(user_id: int, assignment_id: int) -> tuple[Assignment, str, ModuleVersion]:
    """Return one of the person's assignments with its module slug and current version, or None."""
    return db.session.execute(
        select(Assignment, Module.slug, ModuleVersion)
        .join(Module, Module.id == Assignment.module_id)
        .join(ModuleVersion, current_version())
        .where(Assignment.id == assignment_id, Assignment.user_id == user_id)
    ).first()


# -- audit trail -----------------------------------------------------------------------------

Actor = aliased(User, name="actor")
Subject = aliased(User, name="subject")
AUDIT_COLUMNS = (
    "id",
    "created_at",
    "action",
    "actor_id",
    "actor",
    "user_id",
    "person",
    "person_email",
    "details",
    "prev_hash",
    "hash",
)


def audit_select(action: str | None, person: str | None) -> Select:
    """Select audit events with who did them and to whom, filtered by action and person."""
    e = AuditEvent
    columns = (
        e.id,
        e.created_at,
        e.action,
        e.actor_id,
        Actor.full_name,
        e.user_id,
        Subject.full_name,
        Subject.email,
        e.details,
        e.prev_hash,
        e.hash,
    )
    query = (
        select(*(c.label(n) for c, n in zip(columns, AUDIT_COLUMNS, strict=True)))
        .select_from(AuditEvent)
        .outerjoin(Actor, Actor.id == AuditEvent.actor_id)
        .outerjoin(Subject, Subject.id == AuditEvent.user_id)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    if person and person.strip():
        ids = select(User.id).where(search_condition(person))
        query = query.where(or_(AuditEvent.user_id.in_(ids), AuditEvent.actor_id.in_(ids)))
    return query


def audit_page(action: str | None, person: str | None, page: int, per_page: int = 50) -> Page:
    """Return one page of the audit trail, newest first."""
    query = audit_select(action, person)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = clamp_page(page, total, per_page)
    rows = db.session.execute(
        query.order_by(AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(rows, total, page, per_page)


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def iter_audit_rows(
    action: str | None, person: str | None, batch_size: int = 5000
) -> Iterator[tuple[Any, ...]]:
    """Yield the filtered trail oldest first, as `AUDIT_COLUMNS`, `batch_size` event ids at a time."""
    query = audit_select(action, person).order_by(AuditEvent.id)
    connection = db.session.connection()
    for low, high in id_windows(AuditEvent.id, batch_size):
        yield from connection.execute(query.where(AuditEvent.id > low, AuditEvent.id <= high))
