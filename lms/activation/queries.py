"""Reads for the letters page: who has no email, and where their letter stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lms.activation.operations import ACTIVATE
from lms.extensions import db
from lms.models import User, UserToken


@dataclass(frozen=True)
class LetterRow:
    user: User
    has_password: bool
    printed_at: datetime | None  # the latest letter
    expires_at: datetime | None
    used_at: datetime | None  # used, or replaced by a newer letter


def letter_rows(within: set[int] | None, *, limit: int) -> list[LetterRow]:
    """Active people without email in scope, those not signed up first, with their latest letter."""
    latest = (
        select(UserToken.user_id, func.max(UserToken.id).label("token_id"))
        .where(UserToken.purpose == ACTIVATE)
        .group_by(UserToken.user_id)
        .subquery()
    )
    query = (
        select(User, UserToken.created_at, UserToken.expires_at, UserToken.used_at)
        .outerjoin(latest, latest.c.user_id == User.id)
        .outerjoin(UserToken, UserToken.id == latest.c.token_id)
        .where(User.is_active, User.email.is_(None))
        .order_by(User.password_hash.is_not(None), User.department, User.full_name, User.id)
        .limit(limit)
    )
    if within is not None:
        query = query.where(User.id.in_(sorted(within)))
    return [
        LetterRow(user, user.password_hash is not None, printed, expires, used)
        for user, printed, expires, used in db.session.execute(query)
    ]
