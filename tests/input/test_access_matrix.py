"""Who may use every URL of the app: one row per rule and method, one column per kind of visitor.

Every rule in `app.url_map` is requested with real ids (the owner's attempts,
certificate and assignment, real invitation and reset links) by each role below,
and must answer the status in its row. A rule with no row, or a row with no rule,
fails the test: a new route is one new line in MATRIX.

POSTs carry a valid CSRF token and nothing else, so what is tested is who may act
(an allowed visitor then meets the form's own validation: 400, or a redirect with a
message) and nothing is changed by anyone. API writes send an empty JSON object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from lms.api.tokens import create_token
from lms.extensions import db
from lms.imports import jobs
from lms.learn.operations import (
    current_version,
    cycle_attempts,
    progress_of,
    sign_attestation,
    start_attempt,
    submit_attempt,
)
from lms.models import AttemptRequest, Certificate, Choice, ImportJob, OutboxMessage, User
from lms.models.base import utcnow
from lms.people.invitations import INVITE, RESET, issue_token
from lms.people.operations import create_user
from tests.factories import PASSWORD
from tests.hr.conftest import set_dates

# Who asks. owner: Ada (Stores), whose records the ids point at; other: Cleo, another
# team's employee; manager: Lee, Ada's manager; other_manager: Priya, Cleo's manager;
# hr: Hana; terminated: Tess, signed in and then terminated; token: an HR system's API
# token, no session.
ROLES = ("anonymous", "owner", "other", "manager", "other_manager", "hr", "terminated", "token")

# Expected status by role, in the order of ROLES. 302 is "sent to sign in" (or, for a
# signed-in visitor, on to the next page), 303 an HR action refused by its form. The
# slug is `honesty` (Stores only: Ada and Lee have it, Cleo, Priya and Hana do not).
# /readyz is 503 because the test database is made by create_all, not by migrations.
# Single sign-on (/auth/oidc/...) is not set up here, so it is not there (404); with a
# provider set up it is public, as /login is (tests/sso drives it through a real one).
MATRIX_TEXT = """
# method  rule                                                                     anon  own  oth  mgr omgr   hr term  tok
GET     /                                                                           302  200  200  200  200  200  302  302
GET     /static/<path:filename>                                                     200  200  200  200  200  200  200  200
GET     /favicon.ico                                                                200  200  200  200  200  200  200  200
GET     /healthz                                                                    200  200  200  200  200  200  200  200
GET     /readyz                                                                     503  503  503  503  503  503  503  503
GET     /login                                                                      200  302  302  302  302  302  200  200
POST    /login                                                                      200  302  302  302  302  302  200  200
GET     /forgot-password                                                            200  200  200  200  200  200  200  200
POST    /forgot-password                                                            200  200  200  200  200  200  200  200
GET     /invite/<token>                                                             200  200  200  200  200  200  200  200
POST    /invite/<token>                                                             200  200  200  200  200  200  200  200
GET     /reset/<token>                                                              200  200  200  200  200  200  200  200
POST    /reset/<token>                                                              200  200  200  200  200  200  200  200
GET     /modules/<slug>                                                             302  200  404  200  404  404  302  302
POST    /modules/<slug>/quiz                                                        302  302  404  302  404  404  302  302
POST    /modules/<slug>/attempts/request                                            302  303  404  303  404  404  302  302
POST    /modules/<slug>/sign                                                        302  400  404  400  404  404  302  302
GET     /attempts/<int:attempt_id>                                                  302  200  404  404  404  404  302  302
POST    /attempts/<int:attempt_id>                                                  302  400  404  404  404  404  302  302
GET     /attempts/<int:attempt_id>/result                                           302  200  404  404  404  404  302  302
GET     /certificates/<code>                                                        302  200  404  200  404  200  302  302
GET     /certificates/<code>.pdf                                                    302  200  404  200  404  200  302  302
POST    /certificates/<code>/revoke                                                 302  404  404  404  404  400  302  302
GET     /verify                                                                     200  200  200  200  200  200  200  200
GET     /verify/<code>                                                              200  200  200  200  200  200  200  200
GET     /verify/<code>.json                                                         200  200  200  200  200  200  200  200
GET     /hr/                                                                        302  403  403  200  200  200  302  302
GET     /hr/assignments                                                             302  403  403  200  200  200  302  302
GET     /hr/assignments.csv                                                         302  403  403  200  200  200  302  302
GET     /hr/people                                                                  302  403  403  200  200  200  302  302
GET     /hr/people/<int:user_id>                                                    302  403  403  200  404  200  302  302
GET     /hr/people/<int:user_id>.csv                                                302  403  403  200  404  200  302  302
POST    /hr/people/<int:user_id>/assignments/<int:assignment_id>/exemption          302  403  403  403  403  303  302  302
POST    /hr/people/<int:user_id>/assignments/<int:assignment_id>/exemption/remove   302  403  403  403  403  303  302  302
POST    /hr/people/<int:user_id>/assignments/<int:assignment_id>/attempts           302  403  403  403  403  303  302  302
GET     /hr/modules/<slug>                                                          302  403  403  200  200  200  302  302
GET     /hr/modules/<slug>.csv                                                      302  403  403  200  200  200  302  302
GET     /hr/audit                                                                   302  403  403  403  403  200  302  302
GET     /hr/audit.csv                                                               302  403  403  403  403  200  302  302
GET     /hr/outbox                                                                  302  403  403  403  403  200  302  302
GET     /hr/outbox/<int:message_id>                                                 302  403  403  403  403  200  302  302
GET     /hr/import/template.csv                                                     302  403  403  403  403  200  302  302
GET     /hr/import/                                                                 302  403  403  403  403  200  302  302
POST    /hr/import/                                                                 302  403  403  403  403  400  302  302
POST    /hr/import/confirm                                                          302  403  403  403  403  400  302  302
GET     /hr/import/invitations                                                      302  403  403  403  403  200  302  302
POST    /hr/import/people/<int:user_id>/invite                                      302  403  403  403  403  302  302  302
GET     /hr/attempt-requests                                                        302  403  403  403  403  200  302  302
POST    /hr/attempt-requests/<int:request_id>/grant                                 302  403  403  403  403  303  302  302
POST    /hr/attempt-requests/<int:request_id>/refuse                                302  403  403  403  403  303  302  302
GET     /hr/item-analysis                                                           302  403  403  403  403  200  302  302
GET     /hr/item-analysis/<int:version_id>                                          302  403  403  403  403  200  302  302
GET     /hr/item-analysis/<int:version_id>.csv                                      302  403  403  403  403  200  302  302
GET     /hr/import/jobs/<int:job_id>                                                302  403  403  403  403  200  302  302
POST    /hr/import/jobs/<int:job_id>/preview                                        302  403  403  403  403  302  302  302
GET     /auth/oidc/login                                                            404  404  404  404  404  404  404  404
GET     /auth/oidc/callback                                                         404  404  404  404  404  404  404  404
POST    /session/keep-alive                                                         302  204  204  204  204  204  302  302
GET     /activate                                                                   200  200  200  200  200  200  200  200
POST    /activate                                                                   200  200  200  200  200  200  200  200
GET     /hr/letters                                                                 302  403  403  200  200  200  302  302
POST    /hr/letters                                                                 302  403  403  302  302  302  302  302
GET     /account/password                                                           302  200  200  200  200  200  302  302
POST    /account/password                                                           302  200  200  200  200  200  302  302
GET     /api/v1/openapi.json                                                        200  200  200  200  200  200  200  200
GET     /api/v1/employees                                                           401  401  401  401  401  401  401  200
POST    /api/v1/employees                                                           401  401  401  401  401  401  401  400
GET     /api/v1/employees/<employee_id>                                             401  401  401  401  401  401  401  200
PUT     /api/v1/employees/<employee_id>                                             401  401  401  401  401  401  401  400
GET     /api/v1/employees/<employee_id>/transcript                                  401  401  401  401  401  401  401  200
GET     /api/v1/compliance                                                          401  401  401  401  401  401  401  200
GET     /api/v1/modules                                                             401  401  401  401  401  401  401  200
GET     /api/v1/certificates/<code>                                                 401  401  401  401  401  401  401  200
POST    /logout                                                                     302  302  302  302  302  302  302  302
"""
# Signing out ends the visitor's session, so it is asked last of each role.
LAST = {("POST", "/logout")}


@dataclass(frozen=True)
class Row:
    method: str
    rule: str
    expected: dict[str, int]


def parse_matrix(text: str) -> dict[tuple[str, str], Row]:
    rows: dict[tuple[str, str], Row] = {}
    for line in text.strip().splitlines():
        if line.startswith("#"):
            continue
        method, rule, *statuses = line.split()
        assert len(statuses) == len(ROLES), f"{method} {rule}: {len(statuses)} statuses"
        assert (method, rule) not in rows, f"{method} {rule} has two rows"
        rows[method, rule] = Row(method, rule, dict(zip(ROLES, map(int, statuses), strict=True)))
    return rows


MATRIX = parse_matrix(MATRIX_TEXT)


def url_rules(app) -> set[tuple[str, str, str]]:
    """Every (method, rule, endpoint) the app answers, but HEAD and OPTIONS (Flask's own)."""
    return {
        (method, rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def missing_rows(app) -> str | None:
    """Say which routes have no row in the matrix, or None if every one has."""
    missing = sorted(
        f"{method} {rule} ({endpoint})"
        for method, rule, endpoint in url_rules(app)
        if (method, rule) not in MATRIX
    )
    if not missing:
        return None
    return (
        "Routes with no row in the access matrix (add one line each to MATRIX_TEXT in "
        "tests/input/test_access_matrix.py, with the status every role must get): "
        + ", ".join(missing)
    )


def test_a_new_route_without_a_row_fails_naming_the_route(app):
    app.add_url_rule("/reports/<int:report_id>", "reports.show", lambda report_id: "")
    assert missing_rows(app) == (
        "Routes with no row in the access matrix (add one line each to MATRIX_TEXT in "
        "tests/input/test_access_matrix.py, with the status every role must get): "
        "GET /reports/<int:report_id> (reports.show)"
    )


def test_every_route_has_a_row_in_the_access_matrix(app):
    problem = missing_rows(app)
    assert problem is None, problem
    stale = sorted(
        f"{m} {r}" for m, r in MATRIX if (m, r) not in {(m2, r2) for m2, r2, _ in url_rules(app)}
    )
    assert not stale, f"Rows for routes that no longer exist: {', '.join(stale)}"


# -- the organisation and its records ---------------------------------------------------------


def pass_or_fail(attempt, correct: bool) -> None:
    answers = {}
    for item in attempt.drawn:
        right = db.session.scalars(
            select(Choice.id).where(Choice.question_id == item["question_id"], Choice.is_correct)
        ).all()
        wrong = db.session.scalars(
            select(Choice.id).where(Choice.question_id == item["question_id"], ~Choice.is_correct)
        ).all()
        answers[str(item["question_id"])] = [str(c) for c in (right if correct else wrong[:1])]
    submit_attempt(attempt, answers)


def progress(org, user, slug):
    assignment = org.assignment(user, slug)
    version = current_version(assignment.module_id)
    return progress_of(assignment, version, cycle_attempts(assignment), org.today)


@pytest.fixture
def records(org):
    """The owner's records (attempts, certificate), links and a terminated person; the URL values."""
    ada = org.emp_a1
    # Honesty: a failed attempt, then a pass and a signed attestation (a certificate).
    failed = start_attempt(progress(org, ada, "honesty"), org.today)
    pass_or_fail(failed, correct=False)
    passed = start_attempt(progress(org, ada, "honesty"), org.today)
    pass_or_fail(passed, correct=True)
    now = datetime.combine(org.today, time(10), tzinfo=UTC)
    sign_attestation(
        progress(org, ada, "honesty"),
        ada,
        ada.full_name,
        ip_address="192.0.2.1",
        user_agent="pytest",
        now=now,
    )
    # Dignity: back to not started, with an attempt open.
    dignity = org.assignment(ada, "dignity")
    set_dates(
        dignity, org.today, completed_on=None, expires_on=None, renewal_opens_on=None, due_date=10
    )
    db.session.flush()
    open_attempt = start_attempt(progress(org, ada, "dignity"), org.today)
    newcomer = create_user(
        email="nia@example.com",
        full_name="Nia New",
        department="Stores",
        password=None,
        today=org.today,
    )
    tess = create_user(
        email="tess@example.com",
        full_name="Tess Gone",
        department="Stores",
        manager_email="lee@example.com",
        password=PASSWORD,
        today=org.today,
    )
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == ada.id))
    # As after a first download: the matrix tests who gets the bytes, not the rendering.
    certificate.pdf = b"%PDF-1.7 stored"
    # A finished background import, started by HR (Hana).
    job = ImportJob(
        staged_import_id=1,
        created_by_id=org.hr.id,
        filename="hires.csv",
        digest="0" * 64,
        state=jobs.DONE,
        result={"counts": {}},
    )
    db.session.add(job)
    # An open request for more attempts on Ada's dignity module.
    asked = AttemptRequest(assignment_id=dignity.id, user_id=ada.id, cycle=dignity.cycle)
    db.session.add(asked)
    # One message in the outbox, to Ada.
    message = OutboxMessage(
        kind="notice",
        to_email=ada.email,
        to_user_id=ada.id,
        subject="Hello",
        text_body="Hello",
        html_body="<p>Hello</p>",
    )
    db.session.add(message)
    db.session.flush()
    values = {
        "job_id": job.id,
        "request_id": asked.id,
        "message_id": message.id,
        "version_id": current_version(org.assignment(ada, "honesty").module_id).id,
        "slug": "honesty",
        "filename": "css/app.css",
        "attempt_id": open_attempt.id,
        "learn.result:attempt_id": failed.id,
        "code": certificate.code,
        "user_id": ada.id,
        "assignment_id": dignity.id,
        "employee_id": ada.employee_id,
        "auth.accept_invitation:token": issue_token(newcomer, INVITE, utcnow()),
        "auth.reset_password:token": issue_token(ada, RESET, utcnow()),
    }
    _, secret = create_token("Workday")
    db.session.commit()
    return values, secret, tess


def build_url(app, endpoint: str, rule, values: dict) -> str:
    args = {name: values.get(f"{endpoint}:{name}", values.get(name)) for name in rule.arguments}
    missing = [name for name, value in args.items() if value is None]
    assert not missing, f"{rule.rule}: no value for {missing}; add one to `records`"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **args)


CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client) -> str:
    """A valid CSRF token of this client's session, from a page with a form."""
    for page in ("/", "/login"):
        found = CSRF.search(client.get(page).get_data(as_text=True))
        if found:
            return found.group(1)
    raise AssertionError("no page with a CSRF token")


def sign_in(client, email: str) -> None:
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, f"{email} could not sign in"


def visitor(app, org, role: str, tess: User, api_secret: str):
    """A client as `role`, with a CSRF token for its session and headers for every request."""
    client = app.test_client()
    people = {
        "owner": org.emp_a1,
        "other": org.emp_b1,
        "manager": org.lead_a,
        "other_manager": org.mgr_b,
        "hr": org.hr,
        "terminated": tess,
    }
    if role in people:
        sign_in(client, people[role].email)
    token = csrf_token(client)
    if role == "terminated":
        with app.app_context():
            db.session.get(User, tess.id).is_active = False
            db.session.commit()
    headers = {"Authorization": f"Bearer {api_secret}"} if role == "token" else {}
    return client, token, headers


def ask(client, method: str, url: str, token: str, headers: dict) -> int:
    if url.startswith("/api/"):
        kwargs = {"json": {}} if method in ("POST", "PUT") else {}
    else:
        kwargs = {"data": {"csrf_token": token}} if method == "POST" else {}
    with client.open(url, method=method, headers=headers, **kwargs) as response:  # closes files
        return response.status_code


def test_every_role_gets_the_status_in_the_access_matrix(app_with, org, records):
    app = app_with(WTF_CSRF_ENABLED=True)
    values, api_secret, tess = records
    rules = {(m, r.rule): r for r in app.url_map.iter_rules() for m in r.methods}
    order = [key for key in MATRIX if key not in LAST] + [key for key in MATRIX if key in LAST]
    wrong = []
    for role in ROLES:
        client, token, headers = visitor(app, org, role, tess, api_secret)
        for method, rule_text in order:
            rule = rules[method, rule_text]
            url = build_url(app, rule.endpoint, rule, values)
            got = ask(client, method, url, token, headers)
            expected = MATRIX[method, rule_text].expected[role]
            if got != expected:
                wrong.append(f"{method} {rule_text} as {role}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
