"""The API's views: read the request, call one query or operation, commit once, return JSON."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest

from lms.api.auth import authenticate, current_client, rate_limit, rate_limit_key
from lms.api.employees import MAX_BATCH, Upsert, read_employees, upsert_employees
from lms.api.errors import ApiError, api_error
from lms.api.openapi import openapi_document, query_parameters
from lms.api.problems import Problem
from lms.api.queries import employees_after, employees_page, find_employee, module_rows
from lms.api.serialise import compliance_json, employee_json, iso, module_json, transcript_json
from lms.certificates.codes import NO_SUCH, NOT_A_CODE, normalise_code
from lms.certificates.operations import find_certificate, verification, verify_url
from lms.compliance.queries import dashboard
from lms.extensions import db, limiter
from lms.imports.csvfile import check_date
from lms.mail.after_response import deliver_after_response
from lms.models.base import utctoday
from lms.ops.badinput import MAX_ID
from lms.reports.filters import Filters
from lms.reports.scope import Scope
from lms.reports.transcripts import transcript

bp = Blueprint("api", __name__, url_prefix="/api/v1")


PUBLIC = {"api.openapi"}  # the description of the API is no secret
PER_PAGE, MAX_PER_PAGE = 100, 1000
STATUSES = ("active", "terminated")
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")
FORBIDDEN = (
    "An HR user's email cannot be changed through the API (whoever holds the new address "
    "could reset their password and take over their HR rights); nothing was changed."
)
CONFLICT = (
    "Another request changed the same people at the same moment; nothing was changed. "
    "Send the request again."
)

# One budget per token for the whole API (requests without a token: per address).
limiter.shared_limit(rate_limit, scope="api", key_func=rate_limit_key)(bp)
bp.register_error_handler(ApiError, api_error)


@bp.before_request
def require_token():
    if request.endpoint not in PUBLIC:
        authenticate()
    refuse_unknown_parameters()


def refuse_unknown_parameters() -> None:
    """Refuse a query parameter the operation does not take (a typo must not widen a filter)."""
    if request.url_rule is None:
        return  # no such URL or method: a 404 or 405 follows
    known = query_parameters(request.url_rule.rule.removeprefix(bp.url_prefix), request.method)
    unknown = [name for name in request.args if name not in known]
    if unknown:
        takes = f"this operation takes {', '.join(known)}" if known else "this operation takes none"
        raise ApiError(
            400,
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            [Problem(name, f"unknown query parameter; {takes}") for name in unknown],
        )


# -- request arguments -----------------------------------------------------------------------


class Args:
    """Read query arguments, collecting every problem before refusing the request."""

    def __init__(self):
        self.problems: list[Problem] = []

    def day(self, name: str) -> date:
        text = request.args.get(name, "").strip()
        if not text:
            return utctoday()
        day, problem = check_date(text)
        return day if problem is None else self.fail(name, problem, utctoday())

    def number(self, name: str, default: int, low: int, high: int) -> int:
        text = request.args.get(name, "").strip()
        if not text:
            return default
        # isascii: "²" is a digit to isdigit() but not to int(); the length keeps int() quick.
        is_number = text.isascii() and text.isdigit() and len(text) <= len(str(high))
        if not is_number or not low <= int(text) <= high:
            return self.fail(name, f"{text!r} is not a whole number from {low} to {high}", default)
        return int(text)

    def flag(self, name: str) -> bool:
        text = request.args.get(name, "").strip().lower()
        if text not in TRUE + FALSE:
            return self.fail(name, f"{text!r} is not true or false", False)
        return text in TRUE

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        text = request.args.get(name, "").strip()
        if text and text not in choices:
            return self.fail(name, f"{text!r} is not one of {', '.join(choices)}", None)
        return text or None

    def text(self, name: str) -> str | None:
        return request.args.get(name, "").strip() or None

    def fail(self, name: str, message: str, fallback):
        self.problems.append(Problem(name, message))
        return fallback

    def check(self) -> None:
        if self.problems:
            raise ApiError(400, "Some query parameters are not valid.", self.problems)


def json_body():
    if not request.is_json:
        raise ApiError(
            415, "Send the body as JSON, with the header Content-Type: application/json."
        )
    try:
        return request.get_json()
    except BadRequest as exc:
        raise ApiError(400, f"The body is not valid JSON ({exc.description}).") from None


# -- employees -------------------------------------------------------------------------------


@bp.get("/employees")
def employees():
    """List employees by id, `per_page` at a time: after a cursor, or (deprecated) by page number.

    Every answer links the page after it in `next` (null at the end), by keyset
    (`after=<the last id>`): one statement at any depth. Without `after` it is
    also page `page` (default 1) with `total` and `pages`, as before keysets.
    """
    args = Args()
    department, status = args.text("department"), args.choice("status", STATUSES)
    per_page = args.number("per_page", PER_PAGE, 1, MAX_PER_PAGE)
    after = args.number("after", 0, 0, MAX_ID) if "after" in request.args else None
    page = args.number("page", 1, 1, 10**6)
    if after is not None and "page" in request.args:
        args.fail("page", "give either after (the cursor of the next page) or page, not both", 1)
    args.check()
    if after is not None:
        rows, next_after = employees_after(
            department=department, status=status, after=after, per_page=per_page
        )
        numbers = {}
    else:
        found = employees_page(department=department, status=status, page=page, per_page=per_page)
        rows = found.rows
        next_after = rows[-1].id if rows and found.page < found.pages else None
        numbers = {"page": found.page, "pages": found.pages, "total": found.total}
    kept = {"department": department, "status": status, "per_page": per_page}
    kept = {name: value for name, value in kept.items() if name in request.args}
    return jsonify(
        employees=[employee_json(row, row.manager_email) for row in rows],
        per_page=per_page,
        next=None if next_after is None else url_for("api.employees", **kept, after=next_after),
        **numbers,
    )


@bp.get("/employees/<employee_id>")
def employee(employee_id):
    """Show one employee."""
    user, manager_email = employee_or_404(employee_id)
    return jsonify(employee_json(user, manager_email))


def employee_or_404(employee_id: str):
    found = find_employee(employee_id)
    if found is None:
        raise ApiError(404, f"No employee has the employee_id {employee_id!r}.")
    return found


@bp.put("/employees/<employee_id>")
def put_employee(employee_id):
    """Create or update one employee by employee_id, as a row of the CSV import would."""
    args = Args()
    invite = args.flag("invite")
    args.check()
    upsert = save(read_employees([json_body()], employee_id=employee_id), invite=invite)
    change = upsert.plan.changes[0]
    user, manager_email = employee_or_404(change.row.employee_id)
    return jsonify(employee_json(user, manager_email)), 201 if change.person is None else 200


@bp.post("/employees")
def post_employees():
    """Create or update many employees at once: all of them, or none if any has a problem."""
    args = Args()
    invite = args.flag("invite")
    args.check()
    body = json_body()
    if (
        not isinstance(body, dict)
        or set(body) != {"employees"}
        or not isinstance(body["employees"], list)
    ):
        raise ApiError(400, 'Send an object with one field, "employees": a list of employees.')
    items = body["employees"]
    if not items:
        raise ApiError(400, "The list of employees is empty.")
    if len(items) > MAX_BATCH:
        raise ApiError(413, f"{len(items)} employees in one request; send at most {MAX_BATCH}.")
    upsert = save(read_employees(items), invite=invite)
    results = sorted(upsert.plan.changes, key=lambda c: c.row.line)
    return jsonify(
        counts={
            kind: upsert.plan.counts[kind] for kind in ("new", "updated", "terminated", "unchanged")
        },
        invited=upsert.result.invited if upsert.result else 0,
        employees=[
            {"item": c.row.line, "employee_id": c.row.employee_id, "result": c.kind}
            for c in results
        ],
    )


def save(parsed, *, invite: bool) -> Upsert:
    """Apply an upsert and commit, or refuse it with every problem and change nothing."""
    try:
        upsert = upsert_employees(
            parsed,
            today=utctoday(),
            token_name=current_client().name,
            request_line=f"{request.method} {request.path}",
            invite=invite,
        )
        if not upsert.plan.errors:
            db.session.commit()
    except IntegrityError:
        # Another request added the same person (or email) between our check and our write.
        db.session.rollback()
        raise ApiError(409, CONFLICT) from None
    if upsert.plan.errors:
        db.session.rollback()
        count = len(upsert.plan.errors)
        if upsert.is_forbidden:
            raise ApiError(403, FORBIDDEN, upsert.problems)
        raise ApiError(
            400 if upsert.is_malformed else 422,
            f"{count} problem{'s' if count > 1 else ''} found; nothing was changed.",
            upsert.problems,
        )
    if upsert.result and (upsert.result.invited or upsert.result.emails_changed):
        deliver_after_response()
    return upsert


@bp.get("/employees/<employee_id>/transcript")
def employee_transcript(employee_id):
    """Show one employee's assignments with their status on as_of, completions and certificates."""
    args = Args()
    as_of = args.day("as_of")
    args.check()
    user, manager_email = employee_or_404(employee_id)
    t = transcript(user, as_of, with_hr_records=False)
    base_url = current_app.config["LMS_BASE_URL"]
    return jsonify(transcript_json(t, employee_json(user, manager_email), as_of, base_url))


# -- compliance, modules, certificates -------------------------------------------------------


@bp.get("/compliance")
def compliance():
    """Show compliance on as_of overall, by department and by module."""
    args = Args()
    f = Filters(
        as_of=args.day("as_of"),
        department=args.text("department"),
        module=args.text("module"),
        program=args.text("program"),
    )
    args.check()
    figures = dashboard(Scope(), f, overdue_limit=0)
    filters = {
        "as_of": iso(f.as_of),
        "department": f.department,
        "module": f.module,
        "program": f.program,
    }
    return jsonify(compliance_json(figures, filters))


@bp.get("/modules")
def modules():
    """List the training modules with their current version and renewal settings."""
    args = Args()
    include_archived = args.flag("include_archived")
    args.check()
    return jsonify(modules=[module_json(*row) for row in module_rows(include_archived)])


@bp.get("/certificates/<code>")
def certificate(code):
    """Verify a certificate code: its status and what it certifies, as on the public verify page."""
    canonical = normalise_code(code)
    record = find_certificate(canonical) if canonical else None
    if record is None:
        raise ApiError(404, NO_SUCH if canonical else NOT_A_CODE)
    url = verify_url(current_app.config["LMS_BASE_URL"], canonical)
    return jsonify(verification(record, utctoday(), url).to_json())


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI 3 document describing this API."""
    return jsonify(openapi_document())
