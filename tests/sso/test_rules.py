"""Single sign-on decisions (lms.sso.rules), table by table."""

import pytest

from lms.sso.rules import (
    MISSING_CLAIM,
    TERMINATED,
    UNKNOWN_PERSON,
    UNVERIFIED_EMAIL,
    claim_value,
    claims_problem,
    is_configured,
    match_column,
    may_use_password,
    person_problem,
    refusal_message,
)


@pytest.mark.parametrize(
    ("claim", "column"),
    [
        ("email", "email"),
        ("employee_id", "employee_id"),
        ("employeeNumber", "employee_id"),
        ("extension_EmployeeId", "employee_id"),
    ],
)
def test_email_matches_emails_and_any_other_claim_employee_ids(claim, column):
    assert match_column(claim) == column


@pytest.mark.parametrize(
    ("claims", "claim", "value"),
    [
        ({"email": " Ada@Example.COM "}, "email", "ada@example.com"),
        ({"employee_id": " E100 "}, "employee_id", "E100"),
        ({"employee_id": "e100"}, "employee_id", "e100"),  # ids are matched exactly
        ({"employee_id": 300}, "employee_id", "300"),
        ({"employee_id": True}, "employee_id", None),
        ({"employee_id": ["E1", "E2"]}, "employee_id", None),
        ({"employee_id": {"id": "E1"}}, "employee_id", None),
        ({"employee_id": 3.5}, "employee_id", None),
        ({"email": ""}, "email", None),
        ({"email": "   "}, "email", None),
        ({"email": None}, "email", None),
        ({}, "email", None),
        ({"email": "ada@example.com"}, "employee_id", None),
    ],
)
def test_a_claim_value_is_text_or_a_whole_number(claims, claim, value):
    assert claim_value(claims, claim) == value


@pytest.mark.parametrize(
    ("claims", "claim", "problem"),
    [
        ({"email": "ada@example.com", "email_verified": True}, "email", None),
        ({"email": "ada@example.com"}, "email", None),  # Entra ID sends no flag
        ({"email": "ada@example.com", "email_verified": False}, "email", UNVERIFIED_EMAIL),
        ({"email_verified": True}, "email", MISSING_CLAIM),
        ({"employee_id": "E1", "email_verified": False}, "employee_id", None),
        ({"email": "ada@example.com"}, "employee_id", MISSING_CLAIM),
    ],
)
def test_claims_that_cannot_name_anyone(claims, claim, problem):
    assert claims_problem(claims, claim) == problem


@pytest.mark.parametrize(
    ("found", "is_active", "problem"),
    [(True, True, None), (True, False, TERMINATED), (False, False, UNKNOWN_PERSON)],
)
def test_who_may_sign_in(found, is_active, problem):
    assert person_problem(found=found, is_active=is_active) == problem


@pytest.mark.parametrize(
    ("sso_only", "is_hr", "allowed"),
    [(False, False, True), (False, True, True), (True, True, True), (True, False, False)],
)
def test_password_sign_in_under_sso_only_is_for_hr(sso_only, is_hr, allowed):
    assert may_use_password(sso_only=sso_only, is_hr=is_hr) is allowed


@pytest.mark.parametrize(
    ("issuer", "client_id", "secret", "configured"),
    [
        ("https://id.example.com", "attest", "s", True),
        (None, "attest", "s", False),
        ("https://id.example.com", None, "s", False),
        ("https://id.example.com", "attest", "", False),
    ],
)
def test_single_sign_on_needs_all_three_settings(issuer, client_id, secret, configured):
    assert is_configured(issuer, client_id, secret) is configured


def test_refusals_name_hr_or_say_what_to_do_in_plain_words():
    heading, advice = refusal_message(UNKNOWN_PERSON, "employee_id", "E7")
    assert "HR" in advice and "employee number" in advice and "E7" in advice
    heading, advice = refusal_message(MISSING_CLAIM, "email", None)
    assert "email address" in advice and "HR" in advice
