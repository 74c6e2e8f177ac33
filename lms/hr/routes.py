from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from lms.analysis.queries import CSV_COLUMNS, csv_rows, quiz_versions, version_analysis
from lms.analysis.rules import MIN_DRAWN, TOO_EASY, TOO_HARD
from lms.compliance.queries import dashboard as dashboard_data
from lms.compliance.queries import report_page, status_counts
from lms.extensions import db
from lms.hr.access import load_scope, nav_label, person_in_scope, require_hr
from lms.hr.audit_text import describe
from lms.hr.charts import stacked_bars
from lms.hr.context import hr_context, hr_navigation
from lms.hr.exports import copy_csv_chunks, csv_response, defuse_columns
from lms.hr.forms import (
    AsOfForm,
    AttemptsForm,
    AuditFilterForm,
    ExemptionForm,
    PeopleSearchForm,
    RemoveExemptionForm,
    ReportFilterForm,
    choices,
    manager_in_scope,
)
from lms.hr.operations import ActionError, grant_attempts, grant_exemption, remove_exemption
from lms.hr.queries import (
    AUDIT_COLUMNS,
    audit_actions,
    audit_page,
    find_assignment,
    iter_audit_rows,
    people_page,
)
from lms.hr.transcript_csv import TRANSCRIPT_COLUMNS, transcript_rows
from lms.models import AttemptRequest, Module, ModuleVersion
from lms.models.base import utcnow, utctoday
from lms.models.content import current_version
from lms.moreattempts.forms import GrantForm, RefuseForm
from lms.moreattempts.operations import (
    RequestError,
    grant_request,
    open_requests,
    recent_decisions,
    refuse_request,
)
from lms.ops.badinput import is_id
from lms.reports.assignments import (
    REPORT_COLUMNS,
    REPORT_TEXT_COLUMNS,
    iter_report_rows,
    report_windows,
)
from lms.reports.dashboard import compliance_summary
from lms.reports.filters import (
    NO_DEPARTMENT,
    Filters,
    department_choices,
    manager_by_id,
    module_choices,
    program_choices,
)
from lms.reports.paging import KeysetPage, Page
from lms.reports.transcripts import transcript
from lms.status import LABELS, count_statuses
from lms.web import pagecache

bp = Blueprint("hr", __name__, url_prefix="/hr")
bp.app_context_processor(hr_navigation)
bp.context_processor(hr_context)


@bp.record_once
def learners_pages_vary_on_nav_label(state) -> None:
    # Learners' cached pages show the HR link: its label is part of their key.
    pagecache.vary_on(state.app, nav_label)


bp.before_request(load_scope)
REPORT_CONVERT = defuse_columns(REPORT_COLUMNS, REPORT_TEXT_COLUMNS)
# Assignment ids per COPY of the report's CSV on PostgreSQL (the portable path reads 5,000): a
# window of 50,000 was planned as hash joins, every window hashing all the people again
# (20 windows, 8.3 s of server time at 100,000 employees); the whole range as index
# lookups, streamed without a sort (6.3 s), so one COPY per million ids.
COPY_WINDOW = 1_000_000


def report_csv(filename: str, filters: Filters) -> Response:
    """Stream the report's rows matching `filters` as CSV: COPY on PostgreSQL, the csv module elsewhere.

    The same bytes either way (tests/hr/test_report_csv_copy.py compares them).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        windows = report_windows(g.scope, filters, COPY_WINDOW)
        body = copy_csv_chunks(REPORT_COLUMNS, windows, REPORT_TEXT_COLUMNS)
        return csv_response(filename, REPORT_COLUMNS, body, convert=None)
    return csv_response(
        filename, REPORT_COLUMNS, iter_report_rows(g.scope, filters), REPORT_CONVERT
    )


def page_number() -> int:
    return request.args.get("page", 1, type=int)


def cursors() -> dict[str, int | None]:
    """Return a keyset page's cursors (`after`, `before`); anything but an id is none.

    An id is a whole number the id columns can hold (`is_id`): a longer one would
    overflow the database driver.
    """
    return {
        name: int(text) if is_id(text := request.args.get(name, "")) else None
        for name in ("after", "before")
    }


def as_of_or_today(form) -> date:
    return form.as_of.data or utctoday()


def form_errors(form) -> list[str]:
    return [f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()]


@bp.route("/")
def dashboard():
    """Show compliance overall, by department and by module, and the most overdue people."""
    form = AsOfForm(formdata=request.args)
    valid = form.validate()
    f = Filters(as_of=as_of_or_today(form) if valid else utctoday())
    data = dashboard_data(g.scope, f)
    as_of = f.as_of.isoformat()

    def report(**args):
        return url_for("hr.assignments", as_of=as_of, **args)

    by_department = stacked_bars(
        "by-department",
        "Compliance by department",
        data.by_department,
        row_href=lambda bar: report(department=bar.key),
        segment_href=lambda bar, group: report(department=bar.key, status=group),
    )
    by_module = stacked_bars(
        "by-module",
        "Compliance by module",
        data.by_module,
        row_href=lambda bar: url_for("hr.module", slug=bar.key, as_of=as_of),
        segment_href=lambda bar, group: report(module=bar.key, status=group),
    )
    return render_template(
        "hr/dashboard.html",
        form=form,
        errors=form_errors(form),
        as_of=f.as_of,
        summary=compliance_summary(data.overall.counts),
        charts=[by_department, by_module],
        most_overdue=data.most_overdue,
        report=report,
    ), (200 if valid else 400)


def report_filters() -> tuple[ReportFilterForm, Filters, bool]:
    """Read the report's filters from the query string; invalid ones are reported, not applied."""
    form = ReportFilterForm(formdata=request.args)
    if not form.validate(extra_validators={"manager_q": [manager_in_scope(g.scope)]}):
        return form, Filters(as_of=utctoday()), False
    chosen = form.manager_q.chosen
    filters = Filters(
        as_of=as_of_or_today(form),
        department=form.department.data or None,
        module=form.module.data or None,
        program=form.program.data or None,
        status=form.status.data or None,
        manager_id=chosen.id if chosen else int(form.manager.data) if form.manager.data else None,
        due_from=form.due_from.data,
        due_to=form.due_to.data,
        expires_from=form.expires_from.data,
        expires_to=form.expires_to.data,
    )
    return form, filters, True


def fill_filter_choices(form: ReportFilterForm) -> None:
    departments = department_choices(g.scope)
    form.department.choices = choices(
        [("", "Any department")]
        + [(d if d is not None else NO_DEPARTMENT, d or "No department") for d in departments]
    )
    form.module.choices = choices([("", "Any module"), *module_choices()])
    form.program.choices = choices([("", "Any program"), *program_choices()])
    if form.manager.data and not form.manager_q.data and not form.manager.errors:
        # A link named the manager by id: write them in the field as a search finds them.
        manager = manager_by_id(g.scope, int(form.manager.data))
        form.manager_q.data = manager.label if manager else ""


def manager_links(form: ReportFilterForm) -> list[tuple[str, str]]:
    """Return (label, report URL) for each manager an ambiguous manager search matched."""
    kept = {
        k: v
        for k, v in request.args.items()
        if k not in ("manager_q", "manager", "after", "before")
    }
    return [
        (m.label, url_for("hr.assignments", **kept, manager=m.id))
        for m in form.manager_q.candidates
    ]


@bp.route("/assignments")
def assignments():
    """List the assignments matching the filters, a page at a time."""
    form, filters, valid = report_filters()
    fill_filter_choices(form)
    page = report_page(g.scope, filters, **cursors()) if valid else KeysetPage([], 0, 50)
    return render_template(
        "hr/assignments.html",
        form=form,
        filters=filters,
        errors=form_errors(form),
        page=page,
        manager_links=manager_links(form),
        csv_url=url_for("hr.assignments_csv", **request.args.to_dict()),
    ), (200 if valid else 400)


@bp.route("/assignments.csv")
def assignments_csv():
    """Download every assignment matching the filters as CSV."""
    form, filters, valid = report_filters()
    if not valid:
        abort(400, "; ".join(form_errors(form)))
    return report_csv(f"assignments-{filters.as_of.isoformat()}.csv", filters)


@bp.route("/people")
def people():
    """List the people I may see, with a search by name, email or employee id."""
    form = PeopleSearchForm(formdata=request.args)
    q = (form.q.data or "") if form.validate() else ""
    # By keyset (`after`, `before`); an old link's `?page=N` shows the first page.
    page = people_page(g.scope, q, utctoday(), **cursors())
    return render_template("hr/people.html", form=form, page=page, q=q)


def load_module(slug: str) -> tuple[Module, ModuleVersion]:
    row = db.session.execute(
        select(Module, ModuleVersion)
        .join(ModuleVersion, current_version())
        .where(Module.slug == slug)
    ).first()
    if row is None:
        abort(404)
    return row


@bp.route("/modules/<slug>")
def module(slug):
    """Show who is where on one module: counts by status and the people, a page at a time."""
    module, version = load_module(slug)
    form = AsOfForm(formdata=request.args)
    valid = form.validate()
    as_of = as_of_or_today(form) if valid else utctoday()
    status = request.args.get("status") or None
    if status and status not in LABELS:
        status = None
    counts = status_counts(g.scope, Filters(as_of=as_of, module=slug))
    page = report_page(g.scope, Filters(as_of=as_of, module=slug, status=status), **cursors())
    return render_template(
        "hr/module.html",
        module=module,
        version=version,
        form=form,
        errors=form_errors(form),
        as_of=as_of,
        status=status,
        counts=counts,
        summary=compliance_summary(counts),
        page=page,
    ), (200 if valid else 400)


@bp.route("/modules/<slug>.csv")
def module_csv(slug):
    """Download everyone's status on one module as CSV."""
    load_module(slug)
    form = AsOfForm(formdata=request.args)
    if not form.validate():
        abort(400, "; ".join(form_errors(form)))
    status = request.args.get("status") or None
    filters = Filters(
        as_of=as_of_or_today(form), module=slug, status=status if status in LABELS else None
    )
    return report_csv(f"{slug}-{filters.as_of.isoformat()}.csv", filters)


@bp.route("/people/<int:user_id>")
def person(user_id):
    """Show one person's transcript: every assignment, cycle, attempt, attestation and certificate."""
    user = person_in_scope(user_id)
    form = AsOfForm(formdata=request.args)
    valid = form.validate()
    # The audit trail and email are HR's; a manager sees the training records.
    data = transcript(
        user, as_of_or_today(form) if valid else utctoday(), with_hr_records=current_user.is_hr
    )
    forms = {}
    if current_user.is_hr and user.id != current_user.id:
        for record in data.records:
            a = record.assignment
            forms[a.id] = {
                "exempt": ExemptionForm(prefix=f"ex{a.id}", formdata=None),
                "unexempt": RemoveExemptionForm(prefix=f"un{a.id}", formdata=None),
                "attempts": AttemptsForm(prefix=f"at{a.id}", formdata=None),
            }
    counted = [r for r in data.records if r.is_counted]
    counts = count_statuses(r.status for r in counted)
    # Each status's first assignment on the page, for the summary's figures to jump to.
    first = {}
    for r in counted:
        first.setdefault(r.status, f"#a{r.assignment.id}")
    return render_template(
        "hr/person.html",
        t=data,
        forms=forms,
        form=form,
        errors=form_errors(form),
        summary=compliance_summary(counts),
        status_counts=counts,
        first_of=first,
    ), (200 if valid else 400)


@bp.route("/people/<int:user_id>.csv")
def person_csv(user_id):
    """Download one person's transcript as CSV."""
    user = person_in_scope(user_id)
    data = transcript(user, utctoday(), with_hr_records=False)
    name = user.employee_id or str(user.id)
    return csv_response(f"transcript-{name}.csv", TRANSCRIPT_COLUMNS, transcript_rows(data))


def hr_action(user_id: int, assignment_id: int, form, apply, done: str):
    """Validate an HR action's form, apply it, commit and go back to the transcript."""
    require_hr()
    user = person_in_scope(user_id)
    found = find_assignment(user.id, assignment_id)
    if found is None:
        abort(404)
    assignment, slug, version = found
    back = redirect(url_for("hr.person", user_id=user.id, _anchor=f"a{assignment.id}"), 303)
    if not form.validate_on_submit():
        for message in form_errors(form):
            flash(f"Nothing changed. {message}", "error")
        return back
    try:
        apply(assignment, slug, version)
    except ActionError as exc:
        db.session.rollback()
        flash(f"Nothing changed. {exc}", "error")
        return back
    db.session.commit()
    flash(done.format(module=version.title, name=user.full_name), "success")
    return back


@bp.route("/people/<int:user_id>/assignments/<int:assignment_id>/exemption", methods=["POST"])
def exempt(user_id, assignment_id):
    """Exempt one assignment, with a reason."""
    form = ExemptionForm(prefix=f"ex{assignment_id}")
    return hr_action(
        user_id,
        assignment_id,
        form,
        lambda a, slug, _v: grant_exemption(a, form.reason.data, current_user, slug, utcnow()),
        "{name} is exempt from “{module}”.",
    )


@bp.route(
    "/people/<int:user_id>/assignments/<int:assignment_id>/exemption/remove", methods=["POST"]
)
def unexempt(user_id, assignment_id):
    """Remove an assignment's exemption, with a reason."""
    form = RemoveExemptionForm(prefix=f"un{assignment_id}")
    return hr_action(
        user_id,
        assignment_id,
        form,
        lambda a, slug, _v: remove_exemption(a, form.reason.data, current_user, slug),
        "{name} is no longer exempt from “{module}”.",
    )


@bp.route("/people/<int:user_id>/assignments/<int:assignment_id>/attempts", methods=["POST"])
def attempts(user_id, assignment_id):
    """Grant extra quiz attempts for the current cycle, with a reason."""
    form = AttemptsForm(prefix=f"at{assignment_id}")
    return hr_action(
        user_id,
        assignment_id,
        form,
        lambda a, slug, v: grant_attempts(
            a, v, form.number.data, form.reason.data, current_user, slug
        ),
        "{name} has more attempts at “{module}”.",
    )


def audit_filters() -> tuple[AuditFilterForm, str | None, str | None]:
    form = AuditFilterForm(formdata=request.args)
    if not form.validate():
        return form, None, None
    return form, form.action.data or None, form.person.data or None


@bp.route("/audit")
def audit():
    """Show the audit trail, newest first, filtered by action and person."""
    require_hr()
    form, action, person = audit_filters()
    form.action.choices = choices([("", "Any action")] + [(a, a) for a in audit_actions()])
    page = audit_page(action, person, page_number())
    return render_template(
        "hr/audit.html",
        form=form,
        page=page,
        describe_event=describe,
        errors=form_errors(form),
        csv_url=url_for("hr.audit_csv", **request.args.to_dict()),
    )


@bp.route("/audit.csv")
def audit_csv():
    """Download the audit trail (filtered as on the page), oldest first, with its hash chain."""
    require_hr()
    form, action, person = audit_filters()
    if form.errors:
        abort(400, "; ".join(form_errors(form)))
    return csv_response("audit-trail.csv", AUDIT_COLUMNS, iter_audit_rows(action, person))


OUTBOX_STATUSES = {
    "queued": "Queued",
    "retrying": "Retrying",
    "sent": "Sent",
    "cancelled": "Not sent",
    "failed": "Failed",
}


@bp.route("/outbox")
def outbox():
    """Show the email queue: what is waiting, retrying, sent and not sent, newest first."""
    require_hr()
    from lms.mail.outbox import list_messages, outbox_counts
    from lms.renewal.team import unreachable_people

    status = request.args.get("status") or None
    if status is not None and status not in OUTBOX_STATUSES:
        abort(400, f"Unknown status {status!r}; use one of {', '.join(OUTBOX_STATUSES)}.")
    return render_template(
        "hr/outbox.html",
        counts=outbox_counts(),
        statuses=OUTBOX_STATUSES,
        status=status,
        messages=list_messages(status, limit=200),
        captured=current_app.config.get("MAIL_BACKEND") == "capture",
        unreachable=unreachable_people(limit=20),
    )


@bp.route("/outbox/<int:message_id>")
def outbox_message(message_id):
    """Show one message as it was (or will be) sent, its one-time links blanked, and its fate."""
    require_hr()
    from lms.mail.rules import blank_one_time_links
    from lms.models import OutboxMessage

    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template(
        "hr/outbox_message.html",
        m=message,
        text=blank_one_time_links(message.text_body or ""),
        statuses=OUTBOX_STATUSES,
        captured=current_app.config.get("MAIL_BACKEND") == "capture",
    )


# -- HR's list of learners' requests for more quiz attempts, with grant and refuse (HR only) -------


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


# -- Item analysis pages for HR: how each quiz question of a module revision performs --------------


PER_PAGE = 20


@bp.route("/item-analysis")
def item_analysis():
    """List every module revision with a quiz, linking to its item analysis."""
    require_hr()
    return render_template("hr/item_analysis.html", versions=quiz_versions())


@bp.route("/item-analysis/<int:version_id>")
def item_analysis_version(version_id):
    """Show one module revision's questions with their figures and flags, a page at a time."""
    require_hr()
    analysis = version_analysis(version_id)
    if analysis is None:
        abort(404)
    flagged_only = request.args.get("flagged") == "1"
    rows = analysis.flagged if flagged_only else analysis.questions
    page_number = max(1, request.args.get("page", 1, type=int))
    start = (page_number - 1) * PER_PAGE
    page = Page(
        rows=rows[start : start + PER_PAGE], total=len(rows), page=page_number, per_page=PER_PAGE
    )
    return render_template(
        "hr/item_analysis_version.html",
        analysis=analysis,
        page=page,
        flagged_only=flagged_only,
        min_drawn=MIN_DRAWN,
        too_easy=TOO_EASY,
        too_hard=TOO_HARD,
    )


@bp.route("/item-analysis/<int:version_id>.csv")
def item_analysis_csv(version_id):
    """Download one module revision's item analysis as CSV, a row per choice."""
    require_hr()
    analysis = version_analysis(version_id)
    if analysis is None:
        abort(404)
    name = f"item-analysis-{analysis.slug}-v{analysis.version.version}-r{analysis.version.revision}.csv"
    return csv_response(name, CSV_COLUMNS, csv_rows(analysis))
