"""/activate, and the letters page HR (everyone) and managers (their team) print from."""

from __future__ import annotations

import hashlib
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from lms.activation.forms import ActivateForm, LettersForm
from lms.activation.operations import ActivationError, LetterError, issue_letters, letter_people
from lms.activation.operations import activate as use_code
from lms.activation.queries import letter_rows
from lms.auth.signing_in import sign_in
from lms.extensions import db, limiter
from lms.models import User
from lms.models.base import utcnow

bp = Blueprint("activation", __name__)
# Per address every attempt counts, generously: a store's staff activate through one NAT
# address on their first shift. Per employee number only refusals count, from any address.
ACTIVATE_PER_ADDRESS = "30 per minute; 300 per hour"
ACTIVATE_FAILURES_PER_EMPLOYEE = "10 per 15 minutes"
WEB_LETTERS_MAX = 500  # more in one web request would outlast a worker's timeout: use the CLI


def submitted_employee() -> str:
    """The employee number an activation names, as a fixed-size key for the limiter."""
    value = request.form.get("employee_id", "").strip()
    return "activate:" + hashlib.sha256(value.encode(errors="replace")).hexdigest()


def refused(response) -> bool:
    return response.status_code == 401


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(ACTIVATE_PER_ADDRESS, methods=["POST"])
@limiter.limit(
    ACTIVATE_FAILURES_PER_EMPLOYEE,
    key_func=submitted_employee,
    methods=["POST"],
    deduct_when=refused,
)
def activate():
    """Set a first password with the employee number and code from an activation letter."""
    form = ActivateForm()
    if request.method == "GET" and (code := request.args.get("code")):
        form.code.data = code[:300]
    status = 200
    if form.validate_on_submit():
        try:
            user = use_code(form.employee_id.data, form.code.data, form.password.data, now=utcnow())
        except ActivationError as exc:
            db.session.rollback()
            form.code.errors = [str(exc)]
            status = 401
        except ValueError as exc:  # the password is too weak: the code stays unused
            db.session.rollback()
            form.password.errors = [str(exc)]
        else:
            sign_in(user, remember=False)  # commits
            flash(
                f"Your password is set. From now on, sign in with your employee number "
                f"({user.employee_id}) and that password.",
                "success",
            )
            return redirect(url_for("learn.dashboard"))
    response = make_response(render_template("activation/activate.html", form=form), status)
    # The address may hold a code (?code=): keep it out of Referer headers and caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def letters_scope():
    """HR prints anyone's letter, a manager their team's (direct and indirect); others 403."""
    from lms.hr.access import load_scope

    refused_page = load_scope()
    if refused_page is not None:
        return refused_page, None
    scope = g.scope
    within = None if scope.is_everyone else scope_ids(scope)
    return None, within


def scope_ids(scope) -> set[int]:
    from lms.people.operations import report_ids

    return report_ids(scope.manager_id)


@bp.route("/hr/letters", methods=["GET", "POST"])
def letters():
    """List the people without email in your scope and print their activation letters."""
    from lms.hr.context import hr_sections

    refused_page, within = letters_scope()
    if refused_page is not None:
        return refused_page
    departments = sorted({d for d in db.session.scalars(department_query(within)) if d})
    form = LettersForm()
    form.department.choices = [("", "All departments")] + [(d, d) for d in departments]
    if form.validate_on_submit():
        return print_letters(form, within)
    if request.method == "POST":
        flash("The form expired or was not valid; please try again.", "error")
    rows = letter_rows(within, limit=500)
    return render_template(
        "activation/letters.html",
        form=form,
        rows=rows,
        scope=g.scope,
        hr_sections=hr_sections,
        now=utcnow(),
        shown_max=WEB_LETTERS_MAX,
    )


def department_query(within):
    query = select(User.department).where(User.is_active, User.email.is_(None)).distinct()
    if within is not None:
        query = query.where(User.id.in_(sorted(within)))
    return query


def print_letters(form: LettersForm, within):
    """Print the letters the form asks for as one PDF, or say why none."""
    filters: dict = {}
    if form.user_id.data:
        person = db.session.get(User, int(form.user_id.data))
        if person is None or (within is not None and person.id not in within):
            abort(404)
        people = [person]
        filters["employee_id"] = person.employee_id
    else:
        filters = {"department": form.department.data or None, "new_only": form.new_only.data}
        people = letter_people(within=within, **filters)
    if not people:
        flash("No one matches: nobody without email needs a letter there.", "info")
        return redirect(url_for("activation.letters"))
    if len(people) > WEB_LETTERS_MAX:
        flash(
            f"{len(people)} letters are more than the {WEB_LETTERS_MAX} this page prints at once: "
            "choose a department, or use `flask lms activation-letters`.",
            "error",
        )
        return redirect(url_for("activation.letters"))
    config = current_app.config
    try:
        letters = issue_letters(
            people,
            now=utcnow(),
            base_url=config["LMS_BASE_URL"],
            actor_id=current_user.id,
            filters=filters | {"scope": "everyone" if within is None else "team"},
            source="web",
        )
    except LetterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("activation.letters"))
    # Imported here, as lms.certificates does: WeasyPrint takes a second to import, which
    # every process would pay at start-up (`flask lms renew` included: issue 18).
    from lms.activation.render import letters_pdf

    pdf = letters_pdf(letters, org_name=config["LMS_ORG_NAME"], base_url=config["LMS_BASE_URL"])
    db.session.commit()  # the codes work only once the PDF that carries them was made
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    name = "activation-letter" if len(letters) == 1 else "activation-letters"
    suffix = re.sub(r"[^A-Za-z0-9_-]", "", letters[0].employee_id) if len(letters) == 1 else ""
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{name}{"-" + suffix if suffix else ""}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
