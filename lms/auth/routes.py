from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, exists, select

from lms.auth import bp
from lms.auth.forms import LoginForm, LogoutForm
from lms.database import DriverQuery, autocommit_connection
from lms.extensions import db, limiter, login_manager
from lms.models import User
from lms.models.base import detached
from lms.passwords import hash_password, needs_rehash, verify_password

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"


_users = User.__table__
_reports = _users.alias("reports")
# What a request may read of the signed-in person (`current_user`). Not the password
# hash, which only the sign-in and password views need (they load the person), and none
# of the HR record's other fields: each column read costs on every signed-in request.
SIGNED_IN_FIELDS = (
    "id", "email", "full_name", "department", "manager_id",
    "is_hr", "is_active", "session_version", "training_rev",
)  # fmt: skip
# The signed-in person's row, read on every signed-in request: built once, run on the
# driver's cursor (the ORM's session and identity map were a third of a cached page's
# time, SQLAlchemy's execution half of what was left), with whether anyone reports to
# them (the navigation and report scopes need it).
SIGNED_IN_ROW = DriverQuery(
    select(
        *[_users.c[name] for name in SIGNED_IN_FIELDS],
        exists().where(_reports.c.manager_id == _users.c.id).label("has_reports"),
    ).where(_users.c.id == bindparam("id"))
)


@login_manager.user_loader
def load_user(cookie_id: str) -> User | None:
    """Load the signed-in person, unless they were deactivated or signed out everywhere.

    The person is read fresh on every request, so deactivation and signing out
    everywhere take effect at once, with one statement outside the ORM session (one
    round trip on PostgreSQL). They come back as a detached `User` holding that row:
    its fields read as usual (any other raises DetachedInstanceError); code that reads
    more of a person, or changes them, loads them in the session.
    """
    user_id, _, version = cookie_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    with autocommit_connection() as connection:
        row = SIGNED_IN_ROW.first(connection, {"id": int(user_id)})
    if row is None or not row["is_active"] or row["session_version"] != int(version):
        return None
    return detached(User, row)


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None  # CR/LF would split the Location header (a 500); tabs are stripped by browsers
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("learn.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if (
            user is not None
            and user.is_active
            and verify_password(user.password_hash, form.password.data)
        ):
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
                db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("learn.dashboard"))
        if user is None or not user.is_active:
            verify_password(None, form.password.data)
        flash("That email and password do not match an active account.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out of this browser."""
    if LogoutForm().validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
