"""HR actions on one assignment: grant or remove an exemption, grant extra attempts.

Each checks its input, changes the assignment, writes an audit event and
flushes; the view commits. `ActionError` carries the message for HR; when it
is raised nothing has changed.
"""

from __future__ import annotations

from datetime import datetime

from lms.audit import record_event
from lms.extensions import db
from lms.models import Assignment, ModuleVersion, User

MAX_REASON = 500
MAX_EXTRA_ATTEMPTS = 10  # per grant; a larger number is more likely a typo than a decision


class ActionError(ValueError):
    """An HR action refused; the message says why."""


def check_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ActionError("Give a reason: it is kept in the audit trail.")
    if len(reason) > MAX_REASON:
        raise ActionError(f"Keep the reason under {MAX_REASON} characters.")
    return reason


def check_changeable(assignment: Assignment, actor: User) -> None:
    if assignment.user_id == actor.id:
        raise ActionError("You cannot change your own training record; ask another HR colleague.")
    if assignment.closed_on is not None:
        raise ActionError("This assignment is closed; there is nothing to change.")


def grant_exemption(
    assignment: Assignment, reason: str | None, actor: User, slug: str, now: datetime
) -> None:
    """Exempt an assignment with a reason (DESIGN.md: exempt "HR waived it, with a reason")."""
    check_changeable(assignment, actor)
    reason = check_reason(reason)
    if assignment.is_exempt:
        raise ActionError("This assignment is already exempt.")
    assignment.exempt_reason, assignment.exempt_at, assignment.exempt_by_id = reason, now, actor.id
    db.session.flush()
    record_event(
        "exemption.granted",
        actor_id=actor.id,
        user_id=assignment.user_id,
        details={"assignment_id": assignment.id, "module": slug, "reason": reason},
    )


def remove_exemption(assignment: Assignment, reason: str | None, actor: User, slug: str) -> None:
    """Remove an exemption, so the assignment counts again from its own dates."""
    check_changeable(assignment, actor)
    reason = check_reason(reason)
    if not assignment.is_exempt:
        raise ActionError("This assignment is not exempt.")
    previous = assignment.exempt_reason
    assignment.exempt_reason = assignment.exempt_at = assignment.exempt_by_id = None
    db.session.flush()
    record_event(
        "exemption.removed",
        actor_id=actor.id,
        user_id=assignment.user_id,
        details={
            "assignment_id": assignment.id,
            "module": slug,
            "reason": reason,
            "previous_reason": previous,
        },
    )


def grant_attempts(
    assignment: Assignment,
    version: ModuleVersion,
    number: int | None,
    reason: str | None,
    actor: User,
    slug: str,
) -> None:
    """Give extra quiz attempts for the current cycle (DESIGN.md: "HR can grant more")."""
    check_changeable(assignment, actor)
    if number is None or not 1 <= number <= MAX_EXTRA_ATTEMPTS:
        raise ActionError(f"Give a number of attempts from 1 to {MAX_EXTRA_ATTEMPTS}.")
    reason = check_reason(reason)
    if not version.has_quiz or version.attempts is None:
        raise ActionError("This module has no limit on attempts; there is nothing to grant.")
    assignment.extra_attempts += number
    db.session.flush()
    record_event(
        "attempts.granted",
        actor_id=actor.id,
        user_id=assignment.user_id,
        details={
            "assignment_id": assignment.id,
            "module": slug,
            "number": number,
            "reason": reason,
            "cycle": assignment.cycle,
            "extra_this_cycle": assignment.extra_attempts,
        },
    )
