"""HR's side of the CSV import: upload, preview, confirm; and (re)sending invitations."""

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import delete, func, select
from werkzeug.exceptions import RequestEntityTooLarge

from lms.extensions import db
from lms.hr.access import load_hr_scope
from lms.hr.context import hr_context
from lms.imports import jobs
from lms.imports.apply import apply_plan, preview_csv
from lms.imports.forms import ConfirmForm, InviteForm, PreviewAgainForm, UploadForm
from lms.mail.after_response import AFTER_RESPONSE_LIMIT, deliver_after_response
from lms.models import AuditEvent, ImportJob, StagedImport, User, UserToken
from lms.models.base import utcnow, utctoday
from lms.ops.redirects import safe_next
from lms.people.invitations import INVITE, can_invite, send_invitation

STAGED_FOR = timedelta(days=1)  # an upload not confirmed by then is deleted
bp = Blueprint("hrimport", __name__, url_prefix="/hr/import")

SHOWN = 200  # rows listed per section of a preview; the counts cover them all


# HR alone; the scope is for the HR navigation these pages share (hr/_page.html).
bp.before_request(load_hr_scope)

bp.context_processor(hr_context)

# A file with the header row and one example row, to fill in from the HR system.
TEMPLATE_CSV = (
    "employee_id,email,full_name,department,role,hire_date,manager_email,status\r\n"
    "E1001,ana.lima@example.com,Ana Lima,Stores,Cashier,2026-03-02,,active\r\n"
)


@bp.route("/template.csv", methods=["GET"])
def template_csv():
    """Download a CSV with the columns an import needs and one example row to replace."""
    return Response(
        TEMPLATE_CSV.encode(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="attest-import-template.csv"'},
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    if not (current_user.is_authenticated and current_user.is_hr):
        return render_template("error.html", error=exc), 413
    message = (
        f"The file is too large: uploads are limited to {size(current_app.config['MAX_CONTENT_LENGTH'])}. "
        "Split it into smaller files, or import it on the server with `flask lms import-hires`."
    )
    flash(message, "error")
    return render_index(UploadForm(formdata=None)), 413


def size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


@bp.route("/", methods=["GET"])
def index():
    """Show the upload form and the latest imports."""
    return render_index(UploadForm())


def render_index(form):
    recent = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "import.applied")
        .order_by(AuditEvent.id.desc())
        .limit(10)
    ).all()
    background = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(10)).all()
    return render_template(
        "hrimport/index.html",
        form=form,
        recent=recent,
        jobs=background,
        now=utcnow(),
        shown_state=jobs.shown_state,
    )


@bp.route("/", methods=["POST"])
def upload():
    """Keep an uploaded CSV and show what importing it would change."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_index(form), 400
    now = utcnow()
    db.session.execute(delete(StagedImport).where(StagedImport.created_at < now - STAGED_FOR))
    staged = StagedImport(
        created_by_id=current_user.id,
        created_at=now,
        filename=(form.file.data.filename or "upload.csv")[:255],
        content=form.file.data.read(),
    )
    db.session.add(staged)
    db.session.commit()
    return render_preview(staged, invite=form.invite.data)


def render_preview(staged, *, invite, changed=False, status=200):
    plan = preview_csv(staged.content)
    form = ConfirmForm(
        formdata=None,
        staged_id=staged.id,
        digest=plan.digest(),
        invite=invite,
        partial="1" if plan.errors else "",
    )
    page = render_template(
        "hrimport/preview.html", plan=plan, form=form, staged=staged, shown=SHOWN, changed=changed
    )
    return page, status


@bp.route("/confirm", methods=["POST"])
def confirm():
    """Import a previewed upload, exactly as previewed."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; please upload the file again.")
    staged = db.session.get(StagedImport, int(form.staged_id.data))
    if staged is None or staged.created_by_id != current_user.id:
        abort(404, "That upload is not waiting for confirmation; please upload the file again.")
    limit = current_app.config["LMS_IMPORT_INLINE_ROWS"]
    if jobs.runs_in_background(jobs.line_count(staged.content) - 1, limit):
        return start_job(staged, form)
    plan = preview_csv(staged.content)
    if plan.digest() != form.digest.data:
        # Someone changed the people (or the file was swapped) since the preview: show it again.
        return render_preview(staged, invite=form.invite.data, changed=True, status=409)
    partial = form.partial.data == "1"
    result = apply_plan(
        plan,
        today=utctoday(),
        actor_id=current_user.id,
        partial=partial,
        invite=form.invite.data,
        source="web",
        filename=staged.filename,
    )
    if not result.is_applied:
        db.session.rollback()
        return render_preview(staged, invite=form.invite.data, status=422)
    db.session.delete(staged)
    db.session.commit()
    if result.invited or result.emails_changed:
        deliver_after_response()
    return render_template(
        "hrimport/done.html", result=result, filename=staged.filename, send_now=AFTER_RESPONSE_LIMIT
    )


def start_job(staged, form):
    """Record the import as a job, start it in this worker and show its page."""
    job, is_new = jobs.start_job(
        staged,
        digest=form.digest.data,
        partial=form.partial.data == "1",
        invite=form.invite.data,
        actor_id=current_user.id,
    )
    db.session.commit()
    if is_new:
        jobs.launch(current_app._get_current_object(), job.id)
    return redirect(url_for("hrimport.job", job_id=job.id), 303)


@bp.route("/jobs/<int:job_id>")
def job(job_id):
    """Show a background import's progress, then what it imported and every problem."""
    found = db.session.get(ImportJob, job_id)
    if found is None:
        abort(404)
    state = jobs.shown_state(found.state, found.updated_at, utcnow())
    staged = None
    if state == jobs.CHANGED:
        staged = db.session.get(StagedImport, found.staged_import_id)
    return render_template(
        "hrimport/job.html",
        job=found,
        state=state,
        staged=staged,
        result=found.result or {},
        send_now=jobs.SEND_NOW,
        refresh=state == jobs.RUNNING,
        form=PreviewAgainForm(),
    )


@bp.route("/jobs/<int:job_id>/preview", methods=["POST"])
def preview_again(job_id):
    """Preview a job's upload again after people changed, to confirm it anew."""
    form = PreviewAgainForm()
    found = db.session.get(ImportJob, job_id)
    if found is None or found.created_by_id != current_user.id:
        abort(404)
    staged = db.session.get(StagedImport, found.staged_import_id)
    if staged is None or found.state != jobs.CHANGED or not form.validate_on_submit():
        return redirect(url_for("hrimport.index"))
    db.session.delete(found)  # the upload can be confirmed again, as a new job
    db.session.commit()
    return render_preview(staged, invite=found.is_invite, changed=True)


@bp.route("/invitations")
def invitations():
    """List the people who have not set a password yet, with their latest invitation."""
    latest = (
        select(UserToken.user_id, func.max(UserToken.id).label("token_id"))
        .where(UserToken.purpose == INVITE)
        .group_by(UserToken.user_id)
        .subquery()
    )
    waiting = User.is_active & User.password_hash.is_(None)
    rows = db.session.execute(
        select(User, UserToken)
        .outerjoin(latest, latest.c.user_id == User.id)
        .outerjoin(UserToken, UserToken.id == latest.c.token_id)
        .where(waiting)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(SHOWN)
    ).all()
    total = db.session.scalar(select(func.count(User.id)).where(waiting))
    return render_template(
        "hrimport/invitations.html", rows=rows, total=total, now=utcnow(), form=InviteForm()
    )


@bp.route("/people/<int:user_id>/invite", methods=["POST"])
def resend_invitation(user_id):
    """Email a person a new invitation link; their earlier links stop working."""
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; please try again.")
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not user.is_active:
        flash(f"{user.full_name} is terminated: no invitation was sent.", "error")
    elif user.email is None:
        flash(
            f"{user.full_name} has no email address: print them an activation letter instead.",
            "error",
        )
    elif not can_invite(user):
        flash(
            f"{user.full_name} has already set a password; they can use "
            "“Forgot your password?” on the sign-in page.",
            "error",
        )
    else:
        send_invitation(user, actor_id=current_user.id)
        db.session.commit()
        deliver_after_response()
        flash(f"A new invitation is on its way to {user.email}.", "success")
    return redirect(safe_next(form.next.data) or url_for("hrimport.invitations"))
