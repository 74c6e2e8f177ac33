"""The countdown's side of idle sign-out: what the page is told, and "Stay signed in"."""

from flask import Blueprint, current_app
from flask_login import login_required

from lms.idle.rules import countdown_seconds, warning_seconds

bp = Blueprint("idle", __name__)


@bp.app_context_processor
def idle_settings():
    """The countdown's figures for base.html, or None when idle sign-out is off."""

    def idle_signout() -> dict | None:
        minutes = current_app.config.get("LMS_IDLE_SIGNOUT_MINUTES") or 0
        if not minutes:
            return None
        return {
            "minutes": minutes,
            "countdown": countdown_seconds(minutes),
            "warning": warning_seconds(minutes),
        }

    return {"idle_signout": idle_signout}


@bp.route("/session/keep-alive", methods=["POST"])
@login_required
def keep_alive():
    """Count this as activity ("Stay signed in", or typing on a page): the session goes on.

    Signing the person in again (lms.auth.signing_in.load_user) has already recorded the
    activity; there is nothing else to do.
    """
    return "", 204
