"""People actions: create employees and HR users (flushes only; the caller commits)."""

from __future__ import annotations

from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from lms.assignments import assign_programs
from lms.extensions import db
from lms.models import User
from lms.passwords import hash_password, password_problem


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
    email: str,
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
    """Create one person and give them the training their programs require."""
    email = normalise_email(email)
    if not full_name.strip():
        raise PeopleError("a full name is required")
    if db.session.scalar(select(User.id).where(User.email == email)):
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
    known = [full_name, email, employee_id or ""]  # a password made of these is refused
    if password is not None and (problem := password_problem(password, known)):
        raise PeopleError(f"password refused: {problem}")
    user = User(
        email=email, full_name=" ".join(full_name.split()), employee_id=employee_id or None,
        department=department or None, role=role or None, hire_date=hire_date,
        manager_id=manager.id if manager else None, is_hr=is_hr,
        password_hash=hash_password(password) if password else None,
    )  # fmt: skip
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
