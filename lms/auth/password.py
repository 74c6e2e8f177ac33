"""Choosing a password from an emailed link: invitations and "forgot password"."""

from collections.abc import Callable

from flask import (
    after_this_request,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from sqlalchemy import literal, select

from lms.auth import bp
from lms.auth.forms import ForgotPasswordForm, SetPasswordForm
from lms.auth.routes import sign_in
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
from lms.passwords import user_inputs

AFTER_RESPONSE_LIMIT = 200  # a big batch (10,000 invitations) is left to `flask lms send-mail`


def after_response(*steps: Callable[[], object]) -> None:
    """Run `steps`, then send queued email, once the response has gone.

    Nobody waits for (or times) the work or SMTP. Each step commits its own work; a
    step that fails is logged and rolled back, and the next runs. At most
    AFTER_RESPONSE_LIMIT messages are sent, so a web worker is never tied up for
    long; the rest, and what cannot be sent, stay in the outbox for `flask lms
    send-mail` (and `renew`) to deliver.
    """
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            for step in (*steps, lambda: send_queued(AFTER_RESPONSE_LIMIT)):
                try:
                    step()
                except Exception:  # the response is gone; the outbox keeps the mail for a retry
                    db.session.rollback()
                    app.logger.exception("work after a request's response failed")

    @after_this_request
    def hook(response):
        response.call_on_close(run)
        return response


def deliver_after_response() -> None:
    """Send queued email once the response has gone (see `after_response`)."""
    after_response()


def send_reset_and_commit(email: str) -> None:
    send_password_reset(email)
    db.session.commit()


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def forgot_password():
    """Email a password reset link, never saying whether the address has an account.

    The answer is the same page, after the same work, either way: looking the
    address up, and the link, the email and the audit event that follow only for
    someone's, happen after the response has gone, so its timing tells nothing.
    How many links one person is sent is capped there (RESETS_PER_HOUR) rather than
    by refusing requests, which let a stranger block someone's reset for an hour.
    """
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data
        # The same one statement for every address: a database that cannot be reached
        # answers 503 (lms.errors) instead of a promise of a link that would never come.
        db.session.execute(select(literal(1)))
        after_response(lambda: send_reset_and_commit(email))
        return render_template("auth/forgot_password_sent.html", email=email)
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
    form.user_inputs = user_inputs(user)
    if form.validate_on_submit():
        try:
            user = set_password_with_token(token, purpose, form.password.data, now)
        except TokenError:
            db.session.rollback()
            return private(render_template("auth/link_invalid.html", purpose=purpose), 404)
        sign_in(user, remember=False)  # commits; every earlier session has ended
        flash(
            "Your password is set. Welcome to Attest."
            if purpose == INVITE
            else "Your password has been changed.",
            "success",
        )
        return redirect(url_for("learn.dashboard"))
    page = render_template("auth/set_password.html", form=form, user=user, purpose=purpose)
    return private(page, 200)


def private(body: str, status: int):
    """The page's URL holds a secret: keep it out of Referer headers and caches."""
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
