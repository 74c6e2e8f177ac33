"""People actions: create employees and HR users (flushes only; the caller commits)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update

from lms.assignments import assign_programs
from lms.extensions import db
from lms.models import User
from lms.people.passwords import hash_password, password_problem


class PeopleError(ValueError):
    """A person that cannot be created as asked; the message says why."""


def normalise_email(email: str) -> str:
    """Return the email in the form we store it, or raise PeopleError."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise PeopleError(f"{email!r} is not an email address: {exc}") from None


def create_user(
    *,
    email: str | None,
    full_name: str,
    today: date,
    employee_id: str | None = None,
    department: str | None = None,
    role: str | None = None,
    hire_date: date | None = None,
    manager_email: str | None = None,
    is_hr: bool = False,
    password: str | None = None,
) -> User:
    """Create one person and give them the training their programs require.

    An email, an employee id, or both (DESIGN.md, "CLI"): someone with no work
    email signs in with their employee id, set up by an activation letter.
    """
    email = normalise_email(email) if email and email.strip() else None
    employee_id = employee_id.strip() if employee_id else None
    if email is None and not employee_id:
        raise PeopleError("an email or an employee id is required (someone without email)")
    if employee_id and len(employee_id) > 64:
        raise PeopleError("an employee id is 1 to 64 characters")
    if not full_name.strip():
        raise PeopleError("a full name is required")
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        raise PeopleError(f"someone with the email {email} already exists")
    if employee_id and db.session.scalar(select(User.id).where(User.employee_id == employee_id)):
        raise PeopleError(f"someone with the employee id {employee_id} already exists")
    manager = None
    if manager_email:
        manager = db.session.scalar(
            select(User).where(User.email == normalise_email(manager_email))
        )
        if manager is None:
            raise PeopleError(f"no manager with the email {manager_email}")
    known = [full_name, email or "", employee_id or ""]  # a password made of these is refused
    if password is not None and (problem := password_problem(password, known)):
        raise PeopleError(f"password refused: {problem}")
    user = User(
        email=email,
        full_name=" ".join(full_name.split()),
        employee_id=employee_id or None,
        department=department or None,
        role=role or None,
        hire_date=hire_date,
        manager_id=manager.id if manager else None,
        is_hr=is_hr,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    assign_programs(today, [user.id])
    return user


def report_ids(manager_id: int) -> set[int]:
    """Return the ids of everyone who reports to `manager_id`, directly or indirectly."""
    reports = select(User.id).where(User.manager_id == manager_id).cte("reports", recursive=True)
    reports = reports.union(select(User.id).join(reports, User.manager_id == reports.c.id))
    return set(db.session.scalars(select(reports.c.id)))


def is_manager(user_id: int) -> bool:
    """Return whether anyone names this person as their manager."""
    return db.session.scalar(select(User.id).where(User.manager_id == user_id).limit(1)) is not None


# How each import source is named to the person whose email it changed.
CHANGED_BY = {
    "api": "the HR system, through Attest's API",
    "web": "an HR import of employee records",
    "cli": "an import of the HR system's employee file",
}


def end_all_sessions(user_ids: Iterable[int]) -> None:
    """End every session of these people, on every instance, remembered ones included.

    Raises their `session_version` (as the import's leavers and a change of email
    do): a session only holds while it matches the one it started under
    (lms.auth.rules.is_session_live).
    """
    ids = list(user_ids)
    for start in range(0, len(ids), 5000):
        db.session.execute(
            update(User)
            .where(User.id.in_(ids[start : start + 5000]))
            .values(session_version=User.session_version + 1)
            .execution_options(synchronize_session=False)
        )


def end_email_changes(
    changes: list[tuple[int, str | None, str | None]],
    *,
    now: datetime,
    actor_id: int | None,
    source: str,
) -> list[dict]:
    """Act on changed emails (user id, old, new): sign out, retire links, tell the old address.

    DESIGN.md, "Signing in": a change of email ends every session of that
    person, remembered ones included (`session_version`), and their unused
    reset and invitation links stop working, so nothing sent to the old
    address or held by a browser outlives the change. The old address is
    told, so a change its holder did not make does not go unnoticed. Returns
    the audit events for the caller to record (flushes only).
    """
    from lms.mail.outbox import message_values, queue_emails
    from lms.people.invitations import retire_tokens

    if not changes:
        return []
    ids = [user_id for user_id, _, _ in changes]
    people: dict[int, tuple[str, bool]] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        end_all_sessions(chunk)
        retire_tokens(chunk, now)
        found = db.session.execute(
            select(User.id, User.full_name, User.is_active).where(User.id.in_(chunk))
        )
        people.update((user_id, (name, active)) for user_id, name, active in found)
    by = CHANGED_BY.get(source, source)
    queue_emails(
        [
            message_values(
                to=old,
                subject="The email address of your Attest account was changed",
                template="email_changed",
                kind="email_changed",
                about=user_id,
                context={
                    "name": people[user_id][0],
                    "old_email": old,
                    "new_email": new,
                    "changed_at": now,
                    "changed_by": by,
                },
            )
            for user_id, old, new in changes
            # A leaver cannot sign in: nothing to warn them of. Someone given their first
            # address had none to warn.
            if people[user_id][1] and old
        ]
    )
    return [
        {
            "action": "person.email_changed",
            "actor_id": actor_id,
            "user_id": user_id,
            "created_at": now,
            "details": {
                "old_email": old,
                "new_email": new,
                "source": source,
                "signed_out": True,
                "links_retired": True,
                "notice_to": old if people[user_id][1] and old else None,
            },
        }
        for user_id, old, new in changes
    ]


def set_employee_id(email: str, employee_id: str) -> User:
    """Give someone added by hand the employee_id the HR system knows them by (flushes only).

    Imports and the API match people by employee_id only, never by email
    (`lms.imports.rules`), so this is how such a person is linked: on purpose,
    by someone with access to the server, and recorded in the audit trail.
    """
    from lms.audit import record_event

    employee_id = employee_id.strip()
    if not employee_id or len(employee_id) > 64:
        raise PeopleError("an employee id is 1 to 64 characters")
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise PeopleError(f"no one has the email {email}")
    if user.employee_id == employee_id:
        return user
    if user.employee_id is not None:
        raise PeopleError(f"{user.email} already has the employee id {user.employee_id}")
    if db.session.scalar(select(User.id).where(User.employee_id == employee_id)):
        raise PeopleError(f"someone else has the employee id {employee_id}")
    user.employee_id = employee_id
    record_event(
        "person.employee_id_set",
        user_id=user.id,
        details={"employee_id": employee_id, "source": "cli"},
    )
    return user
