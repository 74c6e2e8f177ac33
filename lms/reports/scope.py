"""Whose records a viewer may see in reports: everyone (HR) or a manager's team."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select, true
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db
from lms.models import User
from lms.people.operations import is_manager


def team_ids(manager_id: int, name: str = "team") -> Select:
    """Select everyone reporting to `manager_id`, directly or indirectly (`lms.people.operations.report_ids`)."""
    team = select(User.id).where(User.manager_id == manager_id).cte(name, recursive=True)
    team = team.union(select(User.id).join(team, User.manager_id == team.c.id))
    return select(team.c.id)


@dataclass(frozen=True)
class Scope:
    """Whose records a viewer may see: everyone (HR) or one manager's direct and indirect reports."""

    manager_id: int | None = None

    @property
    def is_everyone(self) -> bool:
        return self.manager_id is None

    def people(self) -> ColumnElement[bool]:
        """Return a condition on `User.id` that keeps the people in scope."""
        if self.manager_id is None:
            return true()
        return User.id.in_(team_ids(self.manager_id, "scope_team"))

    def includes(self, user_id: int) -> bool:
        return (
            db.session.scalar(select(User.id).where(User.id == user_id, self.people())) is not None
        )


def scope_for(user: User) -> Scope | None:
    """Return what `user` may see in reports: HR everything, a manager their team, others None."""
    if user.is_hr:
        return Scope()
    # The signed-in user comes with the answer loaded (lms.auth); anyone else is asked.
    if user.has_reports if user.has_reports is not None else is_manager(user.id):
        return Scope(manager_id=user.id)
    return None
