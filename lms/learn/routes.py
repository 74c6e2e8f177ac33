from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.exceptions import NotFound

from lms.dates import format_date
from lms.extensions import db
from lms.grading import AnswerError, Unanswered
from lms.learn.forms import QuizForm, SignForm, StartQuizForm
from lms.learn.operations import (
    NameMismatch,
    TrainingError,
    sign_attestation,
    start_attempt,
    submit_attempt,
)
from lms.learn.queries import (
    attempt_questions,
    my_certificate_codes,
    my_progress,
    own_attempt,
    progress_for_slug,
    what_changed,
)
from lms.learn.rules import late_count, todo_order
from lms.models import ModuleVersion
from lms.models.base import utcnow, utctoday
from lms.moreattempts.forms import AskForm
from lms.moreattempts.operations import RequestError, ask_for_attempts, latest_request
from lms.moreattempts.rules import MAX_MESSAGE
from lms.status import COMPLIANT, LABELS, PENDING
from lms.web.pagecache import personal_page

bp = Blueprint("learn", __name__)


@bp.route("/")
@login_required
def dashboard():
    """Show my assigned modules with status, due date and overall progress."""

    def render() -> dict[str, str]:
        today = utctoday()
        items = sorted(
            my_progress(current_user.id, today),
            key=lambda p: todo_order(
                p.status,
                due_date=p.assignment.due_date,
                expires_on=p.assignment.expires_on,
                slug=p.assignment.module.slug,
                title=p.version.title,
            ),
        )
        done = sum(1 for p in items if p.status in COMPLIANT)
        content = render_template(
            "learn/dashboard.html",
            items=items,
            done=done,
            percent=round(100 * done / len(items)) if items else 100,
            pending=sum(1 for p in items if p.status in PENDING),
            late=late_count(p.status for p in items),
            labels=LABELS,
            today=today,
            certificates=my_certificate_codes(current_user.id),
        )
        return {"title": "My training", "content": content}

    return personal_page("dashboard", (), render)


@bp.route("/modules/<slug>")
@login_required
def module(slug):
    """Show a module to read, with its table of contents and what to do next."""

    def render() -> dict[str, str]:
        return module_parts(progress_for_slug(current_user.id, slug, utctoday()), SignForm())

    return personal_page("module", (slug,), render)


def module_parts(progress, sign_form: SignForm) -> dict[str, str]:
    """Render a module page's title and content (the signing form as given: maybe with errors)."""
    version, assignment = progress.version, progress.assignment
    # A request for more attempts exists only once the module's own attempts are used up:
    # only then does the page ask for it (one query), so other module pages cost nothing more.
    used_up = version.attempts is not None and progress.attempts_used >= version.attempts
    content = render_template(
        "learn/module.html",
        p=progress,
        labels=LABELS,
        start_form=StartQuizForm(),
        sign_form=sign_form,
        more=latest_request(assignment.id, assignment.cycle) if used_up else None,
        ask_form=AskForm(),
        certificates=my_certificate_codes(current_user.id, progress.assignment.id),
        changed=what_changed(progress.assignment, progress.version),
    )
    return {"title": escape(progress.version.title), "content": content}


def refused_signature(progress, form: SignForm, message: str):
    """Show the module page again with the error at the name field and what was typed kept.

    Not cached: it holds the person's own typing. Focus lands on the field (autofocus),
    and the error summary at the top links to it.
    """
    form.full_name.errors = [message]
    parts = module_parts(progress, form)
    page = {name: Markup(html) for name, html in parts.items()}  # noqa: S704 (our templates)
    return render_template("learn/page.html", page=page), 400


@bp.route("/modules/<slug>/quiz", methods=["POST"])
@login_required
def start_quiz(slug):
    """Start a quiz attempt (or go back to the one already open)."""
    progress = progress_for_slug(current_user.id, slug, utctoday())
    if not StartQuizForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        attempt = start_attempt(progress, utctoday())
    except TrainingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("learn.module", slug=slug))
    db.session.commit()
    return redirect(url_for("learn.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id):
    """Show the questions of an open attempt, and grade it when submitted."""
    attempt = own_attempt(attempt_id, current_user.id)
    if attempt.submitted_at is not None:
        return redirect(url_for("learn.result", attempt_id=attempt.id))
    version = db.session.get(ModuleVersion, attempt.module_version_id)
    form, error, unanswered = QuizForm(), None, []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; please reload the quiz and try again.")
        submitted = {
            key[1:]: request.form.getlist(key)
            for key in request.form
            if key.startswith("q") and key[1:].isdigit()
        }
        try:
            submit_attempt(attempt, submitted)
        except Unanswered as exc:
            error, unanswered = f"Your answers were not recorded: {exc}.", exc.question_ids
        except AnswerError as exc:
            error = f"Your answers were not recorded: {exc}."
        else:
            db.session.commit()  # expires `attempt`: build the URL from the route's own id
            return redirect(url_for("learn.result", attempt_id=attempt_id))
    try:  # for the attempts left; an attempt on a module since closed still shows
        progress = progress_for_slug(current_user.id, attempt.assignment.module.slug, utctoday())
    except NotFound:
        progress = None
    return render_template(
        "learn/quiz.html",
        attempt=attempt,
        version=version,
        questions=attempt_questions(attempt),
        p=progress,
        form=form,
        error=error,
        unanswered=unanswered,
        picked={k[1:]: request.form.getlist(k) for k in request.form if k.startswith("q")},
    ), (400 if error else 200)


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id):
    """Show a submitted attempt: score, and per question what was right, with explanations."""
    attempt = own_attempt(attempt_id, current_user.id)
    if attempt.submitted_at is None:
        return redirect(url_for("learn.attempt", attempt_id=attempt.id))
    slug = attempt.assignment.module.slug
    progress = progress_for_slug(current_user.id, slug, utctoday())
    version = db.session.get(ModuleVersion, attempt.module_version_id)
    return render_template(
        "learn/result.html",
        attempt=attempt,
        version=version,
        questions=attempt_questions(attempt),
        p=progress,
        slug=slug,
        start_form=StartQuizForm(),
        sign_form=SignForm(),
    )


@bp.route("/modules/<slug>/attempts/request", methods=["POST"])
@login_required
def ask_for_more_attempts(slug):
    """Ask HR for more quiz attempts, once out of them (only on one's own assignment)."""
    progress = progress_for_slug(current_user.id, slug, utctoday())
    form = AskForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "The form expired; please try again.")
        flash(f"Nothing was sent. Keep your note under {MAX_MESSAGE} characters.", "error")
        return redirect(url_for("learn.module", slug=slug, _anchor="next"), 303)
    try:
        ask_for_attempts(progress, current_user, form.message.data, utcnow())
    except RequestError as exc:
        flash(str(exc), "error")
        return redirect(url_for("learn.module", slug=slug, _anchor="next"), 303)
    db.session.commit()
    flash("Your request was sent to HR. They will reply by email.", "success")
    return redirect(url_for("learn.module", slug=slug, _anchor="next"), 303)


@bp.route("/modules/<slug>/sign", methods=["POST"])
@login_required
def sign(slug):
    """Sign the attestation by typing my full name, completing the module."""
    progress = progress_for_slug(current_user.id, slug, utctoday())
    form = SignForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "The form expired; please try again.")
        errors = form.full_name.errors
        typed = (form.full_name.data or "").strip()
        message = errors[0] if typed and errors else "Type your full name to sign."
        return refused_signature(progress, form, message)
    try:
        completion = sign_attestation(
            progress,
            current_user,
            form.full_name.data,
            ip_address=request.remote_addr,
            user_agent=request.user_agent.string,
        )
    except NameMismatch as exc:
        return refused_signature(progress, form, str(exc))
    except TrainingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("learn.module", slug=slug, _anchor="sign"))
    db.session.commit()
    expiry = (
        f"It is valid until {format_date(completion.expires_on)}."
        if completion.expires_on
        else "It does not expire."
    )
    flash(f"Signed. “{progress.version.title}” is complete. {expiry}", "success")
    return redirect(url_for("learn.dashboard"))
