from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import aliased, with_expression

from lms.auth import bp
from lms.auth.forms import LoginForm, LogoutForm
from lms.extensions import db, limiter, login_manager
from lms.models import User
from lms.passwords import hash_password, needs_rehash, verify_password

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"


_report = aliased(User)
# Built once: every signed-in request runs it. Whether anyone reports to the person comes
# in the same query, for the navigation and report scopes (lms.reports.scope_for).
SIGNED_IN_USER = (
    select(User)
    .options(with_expression(User.has_reports, exists().where(_report.manager_id == User.id)))
    .where(User.id == bindparam("id"))
)


@login_manager.user_loader
def load_user(cookie_id: str) -> User | None:
    """Load the signed-in person, unless they were deactivated or signed out everywhere."""
    user_id, _, version = cookie_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.scalars(SIGNED_IN_USER, {"id": int(user_id)}).first()
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
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
