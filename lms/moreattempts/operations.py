"""Ask HR for more attempts, and HR's grant or refusal: each audited, the learner emailed.

Like `lms.hr.operations`: each checks (the rules in `lms.moreattempts.rules`), changes,
writes an audit event and flushes; the view commits. `RequestError` carries the message;
when it is raised nothing has changed.

The learner's module page shows the request (lms.web.pagecache caches it under
`users.training_rev`): this table has no trigger of its own, so each write here raises
the learner's revision itself (a grant also changes the assignment, whose trigger does).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from lms.audit import record_event
from lms.extensions import db
from lms.hr.operations import ActionError, check_reason, grant_attempts
from lms.learn.operations import Progress
from lms.mail.outbox import absolute_url, queue_email
from lms.models import Assignment, AttemptRequest, Module, ModuleVersion, User
from lms.models.attempt_requests import GRANTED, OPEN, REFUSED
from lms.models.content import current_version
from lms.moreattempts.rules import clean_message, refusal_to_ask, refusal_to_decide

DECIDED_TEMPLATE = "attempts_decided"


class RequestError(ValueError):
    """A request or decision refused; the message says why."""


def latest_request(assignment_id: int, cycle: int) -> AttemptRequest | None:
    """The newest request on this assignment in this cycle (one query), or None."""
    return db.session.scalars(
        select(AttemptRequest)
        .where(AttemptRequest.assignment_id == assignment_id, AttemptRequest.cycle == cycle)
        .order_by(AttemptRequest.id.desc())
        .limit(1)
    ).first()


def raise_revision(user_id: int) -> None:
    db.session.execute(
        update(User).where(User.id == user_id).values(training_rev=User.training_rev + 1)
    )


def ask_for_attempts(
    progress: Progress, user: User, message: str | None, now: datetime
) -> AttemptRequest:
    """Record the learner's request for more attempts on their own assignment."""
    assignment = progress.assignment
    latest = latest_request(assignment.id, assignment.cycle)
    refused = refusal_to_ask(
        progress.step, has_open_request=latest is not None and latest.state == OPEN
    )
    if refused:
        raise RequestError(refused)
    request = AttemptRequest(
        assignment_id=assignment.id,
        user_id=user.id,
        cycle=assignment.cycle,
        message=clean_message(message),
        state=OPEN,
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # two clicks racing: the unique index lets one in
            db.session.add(request)
            db.session.flush()
    except IntegrityError:
        raise RequestError(refusal_to_ask("locked", has_open_request=True)) from None
    raise_revision(user.id)
    record_event(
        "attempts.requested",
        actor_id=user.id,
        user_id=user.id,
        details={
            "assignment_id": assignment.id,
            "module": assignment.module.slug,
            "cycle": assignment.cycle,
            "request_id": request.id,
            "message": request.message,
        },
    )
    return request


def requests_with_learners() -> Select:
    """Select requests with their learner, module slug and current title (one query)."""
    return (
        select(AttemptRequest, User, Module.slug, ModuleVersion.title)
        .join(User, User.id == AttemptRequest.user_id)
        .join(Assignment, Assignment.id == AttemptRequest.assignment_id)
        .join(Module, Module.id == Assignment.module_id)
        .join(ModuleVersion, current_version())
    )


def open_requests() -> list[tuple[AttemptRequest, User, str, str]]:
    """Every open request, oldest first, with the learner, module slug and title (one query)."""
    query = requests_with_learners().where(AttemptRequest.state == OPEN)
    return [tuple(row) for row in db.session.execute(query.order_by(AttemptRequest.id))]


def recent_decisions(limit: int = 20) -> list[tuple[AttemptRequest, User, str, str]]:
    """The latest decided requests, newest first, for HR's record on the same page."""
    query = (
        requests_with_learners()
        .where(AttemptRequest.state != OPEN)
        .order_by(AttemptRequest.decided_at.desc(), AttemptRequest.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _decidable(
    request: AttemptRequest, actor: User, state: str
) -> tuple[Assignment, ModuleVersion, str]:
    """Check the rules, then claim the request for `state`: of two HR people deciding at
    once (or a double click), exactly one goes on; the other is told it is decided."""
    assignment = db.session.get(Assignment, request.assignment_id)
    refused = refusal_to_decide(
        request.state,
        actor_is_requester=request.user_id == actor.id,
        assignment_closed=assignment.closed_on is not None,
        same_cycle=assignment.cycle == request.cycle,
    )
    if refused:
        raise RequestError(refused)
    claimed = db.session.execute(
        update(AttemptRequest)
        .where(AttemptRequest.id == request.id, AttemptRequest.state == OPEN)
        .values(state=state)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise RequestError(
            refusal_to_decide(
                GRANTED, actor_is_requester=False, assignment_closed=False, same_cycle=True
            )
        )
    slug, version = db.session.execute(
        select(Module.slug, ModuleVersion)
        .join(ModuleVersion, current_version())
        .where(Module.id == assignment.module_id)
    ).one()
    return assignment, version, slug


def _tell_learner(request: AttemptRequest, assignment: Assignment, title: str, slug: str) -> None:
    learner = db.session.get(User, request.user_id)
    granted = request.state == GRANTED
    queue_email(
        to=learner,
        subject=f"More attempts at {title}: {'granted' if granted else 'not granted'}",
        template=DECIDED_TEMPLATE,
        context={
            "title": title,
            "granted": granted,
            "number": request.attempts_granted,
            "reason": request.reason,
            "link": absolute_url(f"/modules/{slug}"),
        },
        kind="attempts_decided",
        assignment_id=assignment.id,
    )


def _record_decision(
    request: AttemptRequest,
    action: str,
    details: dict,
    assignment: Assignment,
    version: ModuleVersion,
    slug: str,
    actor: User,
    now: datetime,
) -> None:
    """Stamp who decided and when, audit it (`details` after the request's), tell the learner."""
    request.decided_at, request.decided_by_id = now, actor.id
    db.session.flush()
    raise_revision(request.user_id)
    record_event(
        action,
        actor_id=actor.id,
        user_id=request.user_id,
        details={
            "assignment_id": assignment.id,
            "module": slug,
            "request_id": request.id,
            **details,
        },
    )
    _tell_learner(request, assignment, version.title, slug)


def grant_request(
    request: AttemptRequest, number: int | None, reason: str | None, actor: User, now: datetime
) -> None:
    """Grant a request: the existing grant of extra attempts, then the learner is told."""
    assignment, version, slug = _decidable(request, actor, GRANTED)
    try:
        grant_attempts(assignment, version, number, reason, actor, slug)
    except ActionError as exc:
        raise RequestError(str(exc)) from None
    request.state, request.reason, request.attempts_granted = GRANTED, check_reason(reason), number
    details = {"number": number, "reason": request.reason}
    _record_decision(
        request, "attempts.request_granted", details, assignment, version, slug, actor, now
    )


def refuse_request(request: AttemptRequest, reason: str | None, actor: User, now: datetime) -> None:
    """Refuse a request, with a reason the learner is told."""
    assignment, version, slug = _decidable(request, actor, REFUSED)
    try:
        reason = check_reason(reason)
    except ActionError as exc:
        raise RequestError(str(exc)) from None
    request.state, request.reason = REFUSED, reason
    details = {"reason": reason}
    _record_decision(
        request, "attempts.request_refused", details, assignment, version, slug, actor, now
    )
