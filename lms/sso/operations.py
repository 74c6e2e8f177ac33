"""Single sign-on: find the person the provider vouched for, and audit the answer.

Flushes only; the request commits. The provider's answer has been checked by then
(lms.sso.client): what is left is whether it names someone who may sign in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lms.audit import record_event
from lms.extensions import db
from lms.models import User
from lms.sso.rules import EMAIL, claim_value, claims_problem, match_column, person_problem


@dataclass(frozen=True)
class Outcome:
    """Who the provider's claims name (or None), and why they may not sign in (or None)."""

    user: User | None
    reason: str | None
    value: str | None


def find_person(claims: Mapping[str, Any], claim: str) -> Outcome:
    """Match the claims to one person, and decide whether they may sign in (rules.py)."""
    value = claim_value(claims, claim)
    problem = claims_problem(claims, claim)
    if problem is not None:
        return Outcome(None, problem, value)
    column = User.email if match_column(claim) == EMAIL else User.employee_id
    user = db.session.scalar(select(User).where(column == value))
    problem = person_problem(found=user is not None, is_active=user is not None and user.is_active)
    return Outcome(user, problem, value)


def record_sign_in(outcome: Outcome, claim: str, subject: str | None) -> None:
    """Audit a single sign-on: `sso.signed_in`, or `sso.refused` with the reason.

    Only answers the provider vouched for are audited (who it says this is, and why
    Attest said no); a request that fails before that (a wrong state, a bad token) is
    only logged: anyone can send one, and the trail is for what people did.
    """
    user_id = outcome.user.id if outcome.user is not None else None
    details = {"claim": claim, "value": outcome.value, "subject": subject}
    if outcome.reason is None:
        record_event("sso.signed_in", actor_id=user_id, user_id=user_id, details=details)
    else:
        details["reason"] = outcome.reason
        record_event("sso.refused", user_id=user_id, details=details)
