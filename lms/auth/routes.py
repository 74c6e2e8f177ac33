import hashlib

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from sqlalchemy import literal, select

from lms.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    SetPasswordForm,
)
from lms.auth.operations import (
    PasswordChangeError,
    change_password,
    end_sessions,
)
from lms.auth.signing_in import idle_message, idle_signout_minutes, landing, sign_in
from lms.extensions import db, limiter, login_manager
from lms.mail.after_response import after_response
from lms.models import User
from lms.models.base import utcnow
from lms.ops.redirects import safe_next
from lms.people.invitations import (
    INVITE,
    RESET,
    TokenError,
    find_token,
    send_password_reset,
    set_password_with_token,
)
from lms.people.passwords import hash_password, needs_rehash, user_inputs, verify_password
from lms.sso.client import password_allowed

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"


def find_user(name: str) -> User | None:
    """The person an email or an employee number names (an address always holds an @)."""
    name = name.strip()
    if "@" in name:
        return db.session.scalar(select(User).where(User.email == name.lower()))
    return db.session.scalar(select(User).where(User.employee_id == name))


def submitted_account() -> str:
    """The account a sign-in names, as a fixed-size key (no email in the limiter's store)."""
    email = request.form.get("email", "").strip().lower()
    return "login:" + hashlib.sha256(email.encode(errors="replace")).hexdigest()


def refused(response) -> bool:
    return response.status_code == 401


# Sign-in throttles (README, Signing in). Per address, every attempt counts, generously:
# a store's staff sign in through one NAT address at the start of a shift. Per account,
# only refusals count, from any address, so a password cannot be guessed from many
# addresses, and a stranger can keep a person out for at most the window.
LOGIN_LIMIT_PER_ADDRESS = "60 per minute; 600 per hour"
LOGIN_FAILURES_PER_ACCOUNT = "10 per 15 minutes"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_PER_ADDRESS, methods=["POST"])
@limiter.limit(
    LOGIN_FAILURES_PER_ACCOUNT, key_func=submitted_account, methods=["POST"], deduct_when=refused
)
def login():
    """Sign in with email (or employee number) and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if (
            user is not None
            and user.is_active
            and verify_password(user.password_hash, form.password.data)
            and password_allowed(user)  # LMS_SSO_ONLY: HR only (lms.sso)
        ):
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            sign_in(user, remember=form.remember.data and not idle_signout_minutes())
            return redirect(safe_next(request.args.get("next")) or landing(user))
        if user is None or not user.is_active:
            verify_password(None, form.password.data)
        flash(
            "That email or employee number and password do not match an active account.",
            "error",
        )
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: end this session and every other of this person (DESIGN "Signing in")."""
    if LogoutForm().validate_on_submit():
        end_sessions(current_user.id, utcnow())
        db.session.commit()
        logout_user()
        if request.form.get("reason") == "idle":  # the countdown ran out (lms.idle)
            flash(idle_message(idle_signout_minutes()), "info")
        else:
            flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


# -- A signed-in person's own account: changing their password -------------------------------------


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


# -- Choosing a password from an emailed link: invitations and "forgot password" -------------------


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
