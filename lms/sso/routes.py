"""Signing in through the organisation's OpenID Connect provider (DESIGN "Signing in").

`/auth/oidc/login` sends the browser to the provider; the provider sends it back to
`LMS_BASE_URL/auth/oidc/callback`, where the answer is checked (lms.sso.client), the
person found (lms.sso.operations) and an ordinary server-side session started, as a
password sign-in does: it ends the same ways (signing out, idle sign-out, leaving).
Both answer 404 while single sign-on is not set up.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import current_user, logout_user

from lms.auth.operations import end_session
from lms.auth.signing_in import landing, sign_in
from lms.extensions import db
from lms.models.base import utcnow
from lms.ops.redirects import safe_next
from lms.sso import operations
from lms.sso.client import (
    PROVIDER_FAILURES,
    finish_sign_in,
    is_offered,
    is_sso_only,
    load_metadata,
    oidc_client,
)
from lms.sso.rules import PROVIDER_FAILED, refusal_message

bp = Blueprint("sso", __name__)

NEXT_KEY = "sso_next"  # where to go after signing in, kept in the session over the round trip
# /login?with=password shows the password form under LMS_SSO_ONLY (a parameter name, not a secret).
PASSWORD_ARG = "with"  # noqa: S105


def callback_url() -> str:
    """The redirect URI registered with the provider: LMS_BASE_URL/auth/oidc/callback."""
    return current_app.config["LMS_BASE_URL"] + "/auth/oidc/callback"


@bp.app_context_processor
def sign_in_choices():
    """What the sign-in page offers: single sign-on, the password form, or both."""

    def password_form_shown() -> bool:
        return not is_sso_only() or request.args.get(PASSWORD_ARG) == "password"

    return {
        "sso_offered": is_offered,
        "sso_only": is_sso_only,
        "password_form_shown": password_form_shown,
    }


@bp.route("/auth/oidc/login")
def start():
    """Send the browser to the organisation's sign-in page."""
    if not is_offered():
        abort(404)
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or landing(current_user))
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    # On a shared device the provider must ask who this is: the last person's sign-in
    # there may still be open, and would sign the next one in as them.
    extra = {"prompt": "login"} if current_app.config.get("LMS_IDLE_SIGNOUT_MINUTES") else {}
    client = oidc_client()
    try:
        load_metadata(client)
        return client.authorize_redirect(callback_url(), **extra)
    except PROVIDER_FAILURES as exc:
        return refused(PROVIDER_FAILED, detail=exc)


@bp.route("/auth/oidc/callback")
def callback():
    """Finish signing in through the provider: check its answer, find the person, sign them in."""
    if not is_offered():
        abort(404)
    claim = current_app.config["OIDC_MATCH_CLAIM"]
    try:
        claims = finish_sign_in(oidc_client(), claim)
    except PROVIDER_FAILURES as exc:
        return refused(PROVIDER_FAILED, detail=exc)
    outcome = operations.find_person(claims, claim)
    operations.record_sign_in(outcome, claim, claims.get("sub"))
    if outcome.reason is not None:
        return refused(outcome.reason, claim=claim, value=outcome.value, subject=claims.get("sub"))
    next_url = session.pop(NEXT_KEY, None)
    sign_in(outcome.user, remember=False)  # commits the audit event with the session
    current_app.logger.info("sso: signed in user %s (sub %s)", outcome.user.id, claims.get("sub"))
    return redirect(safe_next(next_url) or landing(outcome.user))


def refused(reason: str, *, claim: str = "email", value=None, subject=None, detail=None):
    """Say, in plain words, that signing in did not work; leave nobody signed in here.

    The technical detail goes to the log only. A browser that was signed in before is
    signed out: whoever is at it now is not the person who was.
    """
    current_app.logger.warning(
        "sso: refused (%s) claim=%s value=%r sub=%r: %r", reason, claim, value, subject, detail
    )
    session.pop(NEXT_KEY, None)
    if current_user.is_authenticated:
        end_session(current_user.session_id, utcnow())
        logout_user()
    db.session.commit()  # the refusal's audit event, and the session ended
    heading, advice = refusal_message(reason, claim, value)
    page = render_template("sso/refused.html", heading=heading, advice=advice)
    response = make_response(page, 403)
    response.headers["Cache-Control"] = "no-store"
    return response
