"""A signed-in person's own account: changing their password."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms.auth import bp
from lms.auth.forms import ChangePasswordForm
from lms.auth.operations import PasswordChangeError, change_password
from lms.extensions import db, limiter
from lms.models import User
from lms.models.base import utcnow
from lms.passwords import user_inputs


def signed_in_account() -> str:
    return f"password-change:{current_user.id}"


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", key_func=signed_in_account, methods=["POST"])
def change_password_page():
    """Change your password; every other device you are signed in on is signed out."""
    user = db.session.get(User, current_user.id)
    form = ChangePasswordForm()
    form.user_inputs = user_inputs(user)
    if form.validate_on_submit():
        try:
            change_password(
                user,
                form.current.data,
                form.password.data,
                now=utcnow(),
                session_id=current_user.session_id,
            )
        except PasswordChangeError as exc:
            db.session.rollback()
            form.current.errors = [str(exc)]
            return render_template("auth/change_password.html", form=form)
        db.session.commit()
        flash("Your password has been changed. Other devices have been signed out.", "success")
        return redirect(url_for("learn.dashboard"))
    return render_template("auth/change_password.html", form=form)
