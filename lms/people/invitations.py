"""Invitations and password resets: one-time links sent by email (flushes only; the caller commits).

A link carries a random token; only its SHA-256 is stored (`UserToken`). An
invitation is valid for 7 days, a reset for an hour (OWASP forgot-password
cheat sheet: short-lived, single use, invalidated when a new one is issued or
the password changes).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from lms.audit import record_event, record_events
from lms.extensions import db
from lms.mail.outbox import message_values, queue_email, queue_emails
from lms.models import User, UserToken
from lms.models.base import utcnow
from lms.people.passwords import hash_password, password_problem, user_inputs

INVITE = "invite"
RESET = "reset"
VALID_FOR = {INVITE: timedelta(days=7), RESET: timedelta(hours=1)}
PATHS = {INVITE: "/invite/{token}", RESET: "/reset/{token}"}  # lms.auth.routes serves these


class TokenError(ValueError):
    """A link that cannot be used (unknown, used, expired, or for a terminated person)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: str, now: datetime) -> str:
    """Create a one-time token for `user`, retiring their earlier unused ones of the same purpose."""
    retire_tokens(user.id, now, purpose)
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + VALID_FOR[purpose],
        )
    )
    db.session.flush()
    return token


def retire_tokens(user_id: int | list[int], now: datetime, purpose: str | None = None) -> None:
    """Mark a person's (or people's) unused tokens as used, so their links stop working."""
    ids = user_id if isinstance(user_id, list) else [user_id]
    query = update(UserToken).where(UserToken.user_id.in_(ids), UserToken.used_at.is_(None))
    if purpose is not None:
        query = query.where(UserToken.purpose == purpose)
    db.session.execute(query.values(used_at=now).execution_options(synchronize_session=False))


def find_token(token: str, purpose: str, now: datetime) -> UserToken | None:
    """Return the unused, unexpired token of an active person, or None."""
    found = db.session.scalar(
        select(UserToken).where(
            UserToken.token_hash == hash_token(token),
            UserToken.purpose == purpose,
            UserToken.used_at.is_(None),
            UserToken.expires_at > now,
        )
    )
    if found is None or not db.session.get(User, found.user_id).is_active:
        return None
    return found


def use_token(found: UserToken, user: User, password: str, now: datetime) -> bool:
    """Claim `found` and set `user`'s password with it; sign them out everywhere else.

    The token is claimed by an UPDATE that also checks it is unused and
    unexpired, so two requests (on any instances) cannot both use it: the
    other gets False, with nothing changed. Every other unused token of the
    person is retired.
    """
    claimed = db.session.execute(
        update(UserToken)
        .where(UserToken.id == found.id, UserToken.used_at.is_(None), UserToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    user.password_hash = hash_password(password)
    user.session_version += 1
    retire_tokens(user.id, now)
    return True


def set_password_with_token(token: str, purpose: str, password: str, now: datetime) -> User:
    """Use a link to set a password, once; sign the person out everywhere else (`use_token`)."""
    found = find_token(token, purpose, now)
    if found is None:
        raise TokenError("This link has expired or has already been used.")
    user = db.session.get(User, found.user_id)
    if problem := password_problem(password, user_inputs(user)):
        raise TokenError(problem)
    if not use_token(found, user, password, now):
        raise TokenError("This link has expired or has already been used.")
    action = "invitation.accepted" if purpose == INVITE else "password.reset"
    record_event(action, actor_id=user.id, user_id=user.id)
    return user


def can_invite(user: User) -> bool:
    """An invitation is for an active person with an email who has never set a password.

    Someone without an email needs an activation letter instead (lms.activation).
    """
    return user.is_active and user.password_hash is None and user.email is not None


def send_invitation(
    user: User, *, now: datetime | None = None, actor_id: int | None = None
) -> None:
    """Queue an invitation to set a password, retiring any earlier one; record who sent it."""
    record_events(send_invitations([user], now=now or utcnow(), actor_id=actor_id))


def send_invitations(users: list[User], *, now: datetime, actor_id: int | None) -> list[dict]:
    """Queue invitations for many people at once; return their audit events for the caller to record.

    Tokens are written in one executemany, so inviting 10,000 new hires costs
    little more than queueing their email. People without an email are left
    out: they get an activation letter instead (lms.activation).
    """
    users = [user for user in users if user.email]
    if not users:
        return []
    for start in range(0, len(users), 5000):
        retire_tokens([u.id for u in users[start : start + 5000]], now, INVITE)
    expires_at = now + VALID_FOR[INVITE]
    tokens = {user.id: secrets.token_urlsafe(32) for user in users}
    db.session.execute(
        insert(UserToken),
        [
            {
                "user_id": user_id,
                "purpose": INVITE,
                "token_hash": hash_token(token),
                "created_at": now,
                "expires_at": expires_at,
            }
            for user_id, token in tokens.items()
        ],
    )
    messages = [
        message_values(
            to=user,
            subject="You are invited to Attest: set your password",
            template="invitation",
            context={"path": PATHS[INVITE].format(token=tokens[user.id]), "expires_at": expires_at},
            kind="invitation",
        )
        for user in users
    ]
    for start in range(0, len(messages), 1000):
        queue_emails(messages[start : start + 1000])
    details = {"expires_at": expires_at.isoformat()}
    return [
        {
            "action": "invitation.sent",
            "actor_id": actor_id,
            "user_id": user.id,
            "details": details,
            "created_at": now,
        }
        for user in users
    ]


# Reset links emailed to one person in an hour, whoever asks. Past it, asking again sends
# nothing and, above all, retires nothing: the newest link sent still works for its hour,
# so a stranger asking on someone's behalf can fill neither their inbox nor lock them out.
RESETS_PER_HOUR = 5


def send_password_reset(email: str, *, now: datetime | None = None) -> bool:
    """Queue a reset link if `email` is an active person's; return whether one was queued.

    The caller must not tell the visitor which way it went (no account discovery).
    """
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        return False
    recent = db.session.scalar(
        select(func.count()).where(
            UserToken.user_id == user.id,
            UserToken.purpose == RESET,
            UserToken.created_at > now - timedelta(hours=1),
        )
    )
    if recent >= RESETS_PER_HOUR:
        return False
    token = issue_token(user, RESET, now)
    queue_email(
        to=user,
        subject="Reset your Attest password",
        template="password_reset",
        context={"path": PATHS[RESET].format(token=token), "expires_at": now + VALID_FOR[RESET]},
        kind="password_reset",
    )
    record_event("password.reset_requested", user_id=user.id)
    return True
