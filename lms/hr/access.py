"""Who may open HR pages: HR sees everyone, a manager their direct and indirect reports.

Every HR view runs `load_scope` first (a `before_request` of the blueprint):
signed-out visitors go to the login page, people who are neither HR nor
anyone's manager get 403. Views then pass `g.scope` to every query, and an
object outside it is a 404 (`person_in_scope`), so a manager learns nothing
about other teams, not even whether a person exists.
"""

from __future__ import annotations

from flask import abort, g, request
from flask_login import current_user

from lms.extensions import db, login_manager
from lms.models import User
from lms.reports.scope import scope_for


def load_scope():
    """Require a signed-in HR user or manager, and remember what they may see in `g.scope`."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    scope = scope_for(current_user)
    if scope is None:
        abort(403)
    g.scope = scope
    return None


def require_hr() -> None:
    """Refuse (403) an HR-only page or action to a manager."""
    if not current_user.is_hr:
        abort(403)


def load_hr_scope():
    """`load_scope`, then `require_hr`: the before_request of pages for HR alone (the CSV import)."""
    return load_scope() or require_hr()


def person_in_scope(user_id: int) -> User:
    """Return the person if the viewer may see them, else 404."""
    user = db.session.get(User, user_id)
    if user is None or not (g.scope.is_everyone or g.scope.includes(user_id)):
        abort(404)
    return user


def nav_label() -> str | None:
    """Return the label of the HR link for the signed-in person ("HR", "My team"), or None.

    Asked once per request at most, and only by pages that show the navigation.
    """
    user = current_user._get_current_object()  # one lookup through the proxy, not three
    if not user.is_authenticated:
        return None
    # Kept in the request's environ rather than `g`: tests run many requests in one app context.
    key = "attest.hr_nav_label"
    if key not in request.environ:
        scope = g.get("scope") if request.blueprint == "hr" else None
        scope = scope or scope_for(user)
        request.environ[key] = None if scope is None else ("HR" if scope.is_everyone else "My team")
    return request.environ[key]
