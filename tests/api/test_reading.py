"""Transcripts, compliance, modules and certificates through the API, on the HR tests' organisation.

See tests/hr/conftest.py for who is in which status: the figures below follow from it.
"""

from datetime import timedelta

import pytest

from lms.certificates.codes import format_code
from lms.extensions import db
from tests.certificates.conftest import certificate_of, complete_on


def statuses(transcript: dict) -> dict[str, str]:
    return {a["module"]: a["status"] for a in transcript["assignments"]}


# -- transcript ------------------------------------------------------------------------------


def test_transcript_shows_each_assignment_with_its_status_today(api, org):
    response = api.get("/api/v1/employees/A1/transcript")
    assert response.status_code == 200
    body = response.json
    assert body["employee"]["email"] == "ada@example.com"
    assert body["employee"]["manager_email"] == "lee@example.com"
    assert body["as_of"] == org.today.isoformat()
    assert statuses(body) == {"dignity": "complete", "honesty": "overdue"}
    honesty = next(a for a in body["assignments"] if a["module"] == "honesty")
    assert honesty["program"] == "Stores" and honesty["is_counted"]
    assert honesty["attempts_used"] == 0 and honesty["attempts_left"] == 3


def test_transcript_as_of_a_later_day_shows_the_statuses_then(api, org):
    later = org.today + timedelta(days=300)  # dignity expired on day 290
    body = api.get(f"/api/v1/employees/A1/transcript?as_of={later}").json
    assert body["as_of"] == later.isoformat()
    assert statuses(body)["dignity"] == "expired"


def test_transcript_lists_completions_with_their_certificate_codes(api, org):
    org.loner.employee_id = "L1"
    db.session.commit()
    completion = complete_on(org.loner, org.today)
    code = certificate_of(completion).certificate.code
    body = api.get("/api/v1/employees/L1/transcript").json
    (assignment,) = body["assignments"]
    assert assignment["status"] == "complete"
    (done,) = assignment["completions"]
    assert (done["cycle"], done["completed_on"], done["score"]) == (1, org.today.isoformat(), 100)
    assert done["certificate"]["code"] == format_code(code)
    assert done["certificate"]["status"] == "valid"
    assert done["certificate"]["verify_url"] == f"http://attest.test/verify/{code}"


def test_transcript_of_an_unknown_employee_is_not_found(api, org):
    response = api.get("/api/v1/employees/NOPE/transcript")
    assert response.status_code == 404
    assert response.json["detail"] == "No employee has the employee_id 'NOPE'."


@pytest.mark.parametrize("as_of", ["2026-02-30", "tomorrow", "20260101"])
def test_transcript_refuses_a_bad_as_of(api, org, as_of):
    response = api.get(f"/api/v1/employees/A1/transcript?as_of={as_of}")
    assert response.status_code == 400
    (problem,) = response.json["problems"]
    assert problem["field"] == "as_of"
    assert "not a" in problem["message"]


# -- compliance ------------------------------------------------------------------------------


def test_compliance_by_department_and_module_today(api, org):
    body = api.get("/api/v1/compliance").json
    assert body["as_of"] == org.today.isoformat()
    stores = next(d for d in body["by_department"] if d["department"] == "Stores")
    assert stores["counts"] == {
        "not_started": 1,
        "in_progress": 1,
        "overdue": 1,
        "due_soon": 1,
        "complete": 3,
        "expired": 0,
        "exempt": 1,
    }
    assert stores["rate"] == pytest.approx(5 / 6)
    assert (stores["pending"], stores["overdue"], stores["total"]) == (2, 1, 8)
    assert [d["department"] for d in body["by_department"]] == [
        "Customer Service",
        "Online",
        "People",
        "Stores",
    ]
    modules = {m["module"]: m for m in body["by_module"]}
    assert modules["honesty"]["title"] == "Honesty in Every Answer"
    assert modules["honesty"]["counts"]["overdue"] == 1
    assert body["overall"]["total"] == 12
    assert body["overall"]["expired"] == 1


def test_compliance_as_of_a_later_day_counts_what_will_then_be_overdue(api, org):
    later = org.today + timedelta(
        days=11
    )  # four people's dignity and one honesty fall due on day 10
    body = api.get(f"/api/v1/compliance?as_of={later}").json
    assert body["as_of"] == later.isoformat()
    assert body["overall"]["overdue"] == 1 + 5
    assert body["overall"]["pending"] == 0


def test_compliance_filters_by_department_and_module(api, org):
    body = api.get("/api/v1/compliance?department=Stores&module=honesty").json
    assert (body["department"], body["module"]) == ("Stores", "honesty")
    assert [m["module"] for m in body["by_module"]] == ["honesty"]
    assert body["overall"]["total"] == 4


def test_compliance_refuses_a_bad_day(api, org):
    response = api.get("/api/v1/compliance?as_of=31/01/2026")
    assert response.status_code == 400
    assert response.json["problems"] == [
        {"field": "as_of", "message": "'31/01/2026' is not a date; use YYYY-MM-DD"}
    ]


# -- modules ---------------------------------------------------------------------------------


def test_modules_lists_each_module_with_its_version_and_renewal(api, org):
    body = api.get("/api/v1/modules").json
    by_slug = {m["slug"]: m for m in body["modules"]}
    assert list(by_slug) == ["dignity", "honesty"]
    honesty = by_slug["honesty"]
    assert (honesty["title"], honesty["version"], honesty["renew_every"], honesty["window"]) == (
        "Honesty in Every Answer",
        1,
        "2 years",
        "60 days",
    )
    assert (honesty["attempts"], honesty["question_count"], honesty["programs"]) == (
        3,
        1,
        ["stores"],
    )
    assert by_slug["dignity"]["programs"] == ["onboarding"]


def test_archived_modules_are_listed_only_when_asked_for(api, org, org_content, runner):
    (org_content / "modules" / "honesty.md").unlink()
    (org_content / "programs" / "stores.yaml").unlink()
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    assert [m["slug"] for m in api.get("/api/v1/modules").json["modules"]] == ["dignity"]
    every = api.get("/api/v1/modules?include_archived=true").json["modules"]
    assert [(m["slug"], m["is_archived"]) for m in every] == [("dignity", False), ("honesty", True)]


def test_modules_refuses_a_bad_flag(api, org):
    response = api.get("/api/v1/modules?include_archived=perhaps")
    assert response.status_code == 400


# -- certificates ----------------------------------------------------------------------------


@pytest.fixture
def code(org) -> str:
    return certificate_of(complete_on(org.loner, org.today)).certificate.code


def test_a_certificate_verifies_as_on_the_public_verify_page(api, client, code):
    response = api.get(f"/api/v1/certificates/{format_code(code)}")
    assert response.status_code == 200
    assert response.json == client.get(f"/verify/{code}.json").json
    assert response.json["status"] == "valid"
    assert response.json["holder_name"] == "Lou Loner"


def test_a_certificate_code_is_read_in_any_case_without_dashes(api, code):
    response = api.get(f"/api/v1/certificates/{code.lower()}")
    assert response.status_code == 200
    assert response.json["code"] == format_code(code)


@pytest.mark.parametrize(
    ("typed", "detail"),
    [
        ("K7QD-9XRM-P2VA-T3NB", "No such certificate: check the code and try again."),
        ("not-a-code", "That is not a certificate code"),
    ],
)
def test_an_unknown_or_malformed_certificate_code_is_not_found(api, org, typed, detail):
    response = api.get(f"/api/v1/certificates/{typed}")
    assert response.status_code == 404
    assert response.json["detail"].startswith(detail)
