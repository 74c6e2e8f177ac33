"""Choosing a password from an emailed link: invitations and "forgot password"."""

from flask import (
    after_this_request,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_user, logout_user

from lms.auth import bp
from lms.auth.forms import ForgotPasswordForm, SetPasswordForm
from lms.extensions import db, limiter
from lms.invitations import (
    INVITE,
    RESET,
    TokenError,
    find_token,
    send_password_reset,
    set_password_with_token,
)
from lms.mail import send_queued
from lms.models import User
from lms.models.base import utcnow

AFTER_RESPONSE_LIMIT = 200  # a big batch (10,000 invitations) is left to `flask lms send-mail`


def deliver_after_response() -> None:
    """Send queued email once the response has gone, so no one waits for (or times) SMTP.

    At most AFTER_RESPONSE_LIMIT messages, so a web worker is never tied up for
    long; the rest, and what cannot be sent, stay in the outbox for `flask lms
    send-mail` (and `renew`) to deliver.
    """
    app = current_app._get_current_object()

    def send() -> None:
        with app.app_context():
            try:
                send_queued(AFTER_RESPONSE_LIMIT)
            except Exception:  # the response is gone; the outbox keeps the mail for a retry
                app.logger.exception("sending queued email after a request failed")

    @after_this_request
    def hook(response):
        response.call_on_close(send)
        return response


def submitted_email() -> str:
    return "forgot:" + request.form.get("email", "").strip().lower()


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
@limiter.limit("5 per hour", key_func=submitted_email, methods=["POST"])
def forgot_password():
    """Email a password reset link, never saying whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        send_password_reset(form.email.data)
        db.session.commit()
        deliver_after_response()
        return render_template("auth/forgot_password_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def accept_invitation(token):
    """Choose a first password from an invitation link, and sign in."""
    return set_password_page(token, INVITE)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token):
    """Choose a new password from a reset link, and sign in."""
    return set_password_page(token, RESET)


def set_password_page(token: str, purpose: str):
    now = utcnow()
    found = find_token(token, purpose, now)
    if found is None:
        return private(render_template("auth/link_invalid.html", purpose=purpose), 404)
    user = db.session.get(User, found.user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = set_password_with_token(token, purpose, form.password.data, now)
        except TokenError:
            db.session.rollback()
            return private(render_template("auth/link_invalid.html", purpose=purpose), 404)
        db.session.commit()
        logout_user()
        login_user(user)
        flash("Your password is set. Welcome to Attest." if purpose == INVITE
              else "Your password has been changed.", "success")  # fmt: skip
        return redirect(url_for("learn.dashboard"))
    page = render_template("auth/set_password.html", form=form, user=user, purpose=purpose)
    return private(page, 200)


def private(body: str, status: int):
    """The page's URL holds a secret: keep it out of Referer headers and caches."""
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
