"""HR's list of learners' requests for more quiz attempts, with grant and refuse (HR only)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.extensions import db
from lms.hr import bp
from lms.hr.access import require_hr
from lms.models import AttemptRequest
from lms.models.base import utcnow
from lms.moreattempts.forms import GrantForm, RefuseForm
from lms.moreattempts.operations import (
    RequestError,
    grant_request,
    open_requests,
    recent_decisions,
    refuse_request,
)


@bp.route("/attempt-requests")
def attempt_requests():
    """Show the open requests for more attempts, oldest first, and the latest decisions."""
    require_hr()
    waiting = open_requests()
    return render_template(
        "hr/attempt_requests.html",
        waiting=waiting,
        decided=recent_decisions(),
        grant_forms={r.id: GrantForm(prefix=f"g{r.id}") for r, *_ in waiting},
        refuse_forms={r.id: RefuseForm(prefix=f"r{r.id}") for r, *_ in waiting},
    )


def decide(request_id: int, form, apply, done: str):
    require_hr()
    request = db.session.get(AttemptRequest, request_id)
    if request is None:
        abort(404)
    back = redirect(url_for("hr.attempt_requests"), 303)
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            flash(f"Nothing changed. {form[name].label.text}: {' '.join(errors)}", "error")
        return back
    try:
        apply(request)
    except RequestError as exc:
        db.session.rollback()
        flash(f"Nothing changed. {exc}", "error")
        return back
    db.session.commit()
    flash(done, "success")
    return back


@bp.route("/attempt-requests/<int:request_id>/grant", methods=["POST"])
def grant_attempt_request(request_id):
    """Grant a request: more attempts this cycle; the learner is emailed."""
    form = GrantForm(prefix=f"g{request_id}")
    return decide(
        request_id,
        form,
        lambda r: grant_request(r, form.number.data, form.reason.data, current_user, utcnow()),
        "Granted; the learner has been emailed.",
    )


@bp.route("/attempt-requests/<int:request_id>/refuse", methods=["POST"])
def refuse_attempt_request(request_id):
    """Refuse a request, with a reason; the learner is emailed."""
    form = RefuseForm(prefix=f"r{request_id}")
    return decide(
        request_id,
        form,
        lambda r: refuse_request(r, form.reason.data, current_user, utcnow()),
        "Refused; the learner has been emailed.",
    )
