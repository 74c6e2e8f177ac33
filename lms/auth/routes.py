import hashlib
import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, exists, literal, select

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
    hash_session_token,
    is_session_token,
    start_session,
)
from lms.auth.rules import is_session_live
from lms.database import DriverQuery, autocommit_connection
from lms.extensions import db, limiter, login_manager
from lms.idle.operations import keep_if_active
from lms.models import User, UserSession
from lms.models.base import utcnow
from lms.ops.after_response import after_response
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
from lms.web.signed_in import SignedInPerson

bp = Blueprint("auth", __name__)


login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"


_users = User.__table__
_reports = _users.alias("reports")
_sessions = UserSession.__table__
# The signed-in person's columns read on every signed-in request: what a request may read
# of them (`current_user`, lms.web.signed_in.SignedInPerson) and what says whether their
# session still holds. Not the password hash, which only the sign-in and password views
# need (they load the person), and none of the HR record's other fields: each column read
# costs on every signed-in request.
SIGNED_IN_FIELDS = ("id", "email", "full_name", "is_hr", "training_rev")
SESSION_CHECK_FIELDS = ("is_active", "session_version")
# The signed-in person's row with their session's, read on every signed-in request: built
# once, run on the driver's cursor (the ORM's session and identity map were a third of a
# cached page's time, SQLAlchemy's execution half of what was left), with whether anyone
# reports to them (the navigation and report scopes need it). One statement: the session
# is joined in, not read on its own.
SIGNED_IN_ROW = DriverQuery(
    select(
        *[_users.c[name] for name in (*SIGNED_IN_FIELDS, *SESSION_CHECK_FIELDS)],
        exists().where(_reports.c.manager_id == _users.c.id).label("has_reports"),
        _sessions.c.id.label("session_id"),
        _sessions.c.user_version,
        _sessions.c.expires_at,
        _sessions.c.revoked_at,
        _sessions.c.created_at,
        _sessions.c.last_seen_at,
    )
    .select_from(_sessions.join(_users, _users.c.id == _sessions.c.user_id))
    .where(_sessions.c.token_hash == bindparam("token_hash"))
)
PERSON_KEYS = (*SIGNED_IN_FIELDS, "has_reports", "session_id")


@login_manager.user_loader
def load_user(token: str) -> SignedInPerson | None:
    """Load the person a session cookie names, unless that session has ended.

    The session and its person are read fresh on every request, so signing out,
    expiry, deactivation and signing out everywhere take effect at once on every
    instance (a worker's cache of opened cookies, lms.web.sessions, only spares checking
    the cookie's signature again), with one statement outside the ORM session (one
    round trip on PostgreSQL). They come back as a `SignedInPerson` (lms.web.signed_in):
    exactly what views read; code that reads more of a person, or changes them, loads
    the `User` in the session.
    """
    if not is_session_token(token):
        return None  # not one of ours (a cookie from before server-side sessions, say)
    with autocommit_connection() as connection:
        row = SIGNED_IN_ROW.first(connection, {"token_hash": hash_session_token(token)})
    now = utcnow()
    if row is None or not is_session_live(
        is_active=row["is_active"],
        session_version=row["session_version"],
        user_version=row["user_version"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        now=now,
    ):
        return None
    if not still_active(row, now):
        return None
    return SignedInPerson(**{key: row[key] for key in PERSON_KEYS}, session_token=token)


def idle_signout_minutes() -> int:
    """LMS_IDLE_SIGNOUT_MINUTES: shared devices sign out after that long idle (0: off)."""
    return current_app.config.get("LMS_IDLE_SIGNOUT_MINUTES") or 0


def still_active(row, now) -> bool:
    """Whether a session passes the idle sign-out (lms.idle); one that fails it is ended."""
    minutes = idle_signout_minutes()
    if not minutes:
        return True
    last_seen_at = row["last_seen_at"] or row["created_at"]
    if keep_if_active(row["session_id"], last_seen_at, now, minutes):
        return True
    flash(idle_message(minutes), "info")
    return False


def idle_message(minutes: int) -> str:
    return (
        f"You were signed out after {minutes} minute{'s' if minutes != 1 else ''} without activity."
    )


def sign_in(user: User, *, remember: bool) -> None:
    """Start a new server-side session for `user` in this browser, and commit it.

    The CSRF secret kept in the cookie session is replaced too, so a token handed
    out before signing in (to whoever was at the keyboard) is refused after.
    """
    config = current_app.config
    token = start_session(
        user,
        remembered=remember,
        now=utcnow(),
        session_hours=config["LMS_SESSION_HOURS"],
        remember_days=config["LMS_REMEMBER_DAYS"],
    )
    db.session.commit()
    logout_user()  # whatever this browser held before, and its remember-me cookie
    # The same person every later request of this session gets (one more statement,
    # on signing in only), so no request sees a person of another type.
    person = load_user(token)
    if person is not None:  # None for a deactivated person, whom Flask-Login refuses too
        login_user(person, remember=remember, duration=timedelta(days=config["LMS_REMEMBER_DAYS"]))
    rotate_csrf_secret()


def rotate_csrf_secret() -> None:
    """Give the session a new CSRF secret, as Flask-WTF makes one (40 hex digits).

    Replaced rather than dropped, so the next page signs its token for the new secret
    at once and the page cache (lms.web.pagecache) can keep that one signature.
    """
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session[name] = secrets.token_hex(20)
    g.pop(name, None)  # the token Flask-WTF signed for the old secret in this request


def landing(user) -> str:
    """Where signing in leads when no `next` was given: HR to the dashboard, others to their training."""
    return url_for("hr.dashboard") if user.is_hr else url_for("learn.dashboard")


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
