"""Activation letters and codes (flushes only; the request or command commits).

A code is a `UserToken` with purpose "activate": only its SHA-256 is stored,
it expires 30 days after the letter, and using it sets `used_at` in the same
UPDATE that checks it was unused and unexpired, so it works once across every
instance. Printing a new letter retires the person's earlier code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, insert, select

from lms.activation.rules import (
    code_hash,
    expires_at,
    format_code,
    letter_problem,
    new_code,
    normalise_code,
)
from lms.audit import record_events
from lms.extensions import db
from lms.models import User, UserToken
from lms.people.invitations import retire_tokens, use_token
from lms.people.passwords import password_problem, user_inputs

ACTIVATE = "activate"  # UserToken.purpose
CHUNK = 5000
# Said whether or not the employee number exists (no account discovery): a wrong code, a
# code of someone else's, an unknown or terminated employee number all get this.
NO_MATCH = (
    "That employee number and activation code do not match. Check both against your letter, "
    "or ask your manager or HR for a new letter."
)
MALFORMED = (
    "An activation code is 16 letters and digits, printed in groups of four like "
    "K7QD-9XRM-P2VA-T3NB. Check it against your letter."
)


class LetterError(ValueError):
    """A letter that cannot be printed (the person has an email, no employee number, or left)."""


class ActivationError(ValueError):
    """A code that cannot be used; the message says why in plain words."""


@dataclass(frozen=True)
class Letter:
    """What one printed letter says."""

    user_id: int
    full_name: str
    employee_id: str
    department: str | None
    code: str  # grouped for people: K7QD-9XRM-P2VA-T3NB
    url: str  # LMS_BASE_URL/activate?code=..., the QR code's content
    expires_at: datetime


def letter_query(*, department: str | None = None, new_only: bool = False, within=None):
    """Select the active people without email (with an employee number) a letter run covers.

    `within` (a set of ids) limits it to a manager's team; `new_only` to those
    who never had a code and never set a password (`rules.is_new`).
    """
    query = select(User).where(User.is_active, User.email.is_(None), User.employee_id.is_not(None))
    if department:
        query = query.where(User.department == department)
    if within is not None:
        query = query.where(User.id.in_(sorted(within)))
    if new_only:
        had_code = exists().where(UserToken.user_id == User.id, UserToken.purpose == ACTIVATE)
        query = query.where(User.password_hash.is_(None), ~had_code)
    return query.order_by(User.department, User.full_name, User.employee_id)


def letter_people(**filters) -> list[User]:
    return list(db.session.scalars(letter_query(**filters)))


def issue_letters(
    people: list[User],
    *,
    now: datetime,
    base_url: str,
    actor_id: int | None,
    filters: dict,
    source: str,
) -> list[Letter]:
    """Make a new code for each person, retiring their old one; audit who printed how many.

    Refuses the whole run (LetterError) if anyone in it may not have a letter:
    someone with an email gets an invitation instead.
    """
    problems = [
        problem
        for person in people
        if (
            problem := letter_problem(
                full_name=person.full_name,
                email=person.email,
                employee_id=person.employee_id,
                is_active=person.is_active,
            )
        )
    ]
    if problems:
        raise LetterError("; ".join(problems))
    expiry = expires_at(now)
    codes = {person.id: new_code() for person in people}
    for start in range(0, len(people), CHUNK):
        chunk = people[start : start + CHUNK]
        retire_tokens([p.id for p in chunk], now, ACTIVATE)
        db.session.execute(
            insert(UserToken),
            [
                {
                    "user_id": p.id,
                    "purpose": ACTIVATE,
                    "token_hash": code_hash(codes[p.id]),
                    "created_at": now,
                    "expires_at": expiry,
                }
                for p in chunk
            ],
        )
    events = [
        {
            "action": "activation.letter_issued",
            "actor_id": actor_id,
            "user_id": p.id,
            "created_at": now,
            "details": {"expires_at": expiry.isoformat(), "source": source},
        }
        for p in people
    ]
    events.append(
        {
            "action": "activation.letters_generated",
            "actor_id": actor_id,
            "created_at": now,
            "details": {"count": len(people), "source": source, **filters},
        }
    )
    record_events(events)
    root = base_url.rstrip("/")
    return [
        Letter(
            user_id=p.id,
            full_name=p.full_name,
            employee_id=p.employee_id,
            department=p.department,
            code=format_code(codes[p.id]),
            url=f"{root}/activate?code={format_code(codes[p.id])}",
            expires_at=expiry,
        )
        for p in people
    ]


def check_code(employee_id: str, code_text: str, now: datetime) -> tuple[UserToken, User]:
    """Return the unused, unexpired code and its person, or raise ActivationError saying why.

    Whether a code was used or has expired is only said to whoever typed the
    employee number it belongs to; anything else gets NO_MATCH.
    """
    code = normalise_code(code_text)
    if code is None:
        raise ActivationError(MALFORMED)
    found = db.session.scalar(
        select(UserToken).where(
            UserToken.token_hash == code_hash(code), UserToken.purpose == ACTIVATE
        )
    )
    user = db.session.get(User, found.user_id) if found is not None else None
    if user is None or user.employee_id != employee_id.strip() or not user.is_active:
        raise ActivationError(NO_MATCH)
    if found.used_at is not None:
        raise ActivationError(
            "This activation code has already been used or replaced by a newer letter. "
            "Sign in with your employee number and password, or ask your manager for a new letter."
        )
    if found.expires_at <= now:
        raise ActivationError(
            "This activation code has expired (codes work for 30 days). "
            "Ask your manager or HR for a new letter."
        )
    return found, user


def activate(employee_id: str, code_text: str, password: str, *, now: datetime) -> User:
    """Use an activation code, once, to set a first password; sign the person out elsewhere.

    Raises ActivationError for a code that cannot be used, or ValueError (with
    the password rule's words) for a password that is too weak.
    """
    found, user = check_code(employee_id, code_text, now)
    if problem := password_problem(password, user_inputs(user)):
        raise ValueError(problem)
    if not use_token(found, user, password, now):
        raise ActivationError("This activation code has already been used.")
    record_events(
        [
            {
                "action": "activation.accepted",
                "actor_id": user.id,
                "user_id": user.id,
                "created_at": now,
            }
        ]
    )
    return user
