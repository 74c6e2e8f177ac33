"""Single sign-on decisions: plain functions of the provider's claims and our settings.

Which of our columns a claim is matched against, what a claim's value means, why a
sign-in is refused and what the refused person is told. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EMAIL = "email"
EMPLOYEE_ID = "employee_id"

# Why a single sign-on is refused: the audit trail's and the log's word for it.
PROVIDER_FAILED = "provider"  # the provider said no, or its answer did not check out
MISSING_CLAIM = "missing_claim"  # the provider did not say who this is, in the claim we match
UNVERIFIED_EMAIL = "unverified_email"  # the provider says it has not checked this email
UNKNOWN_PERSON = "unknown"  # nobody in Attest has that email or employee id
TERMINATED = "terminated"  # the person has left the organisation

# What the refused person reads: words for a store worker, never the technical detail
# (that goes to the log). Each says what to do next.
MESSAGES = {
    PROVIDER_FAILED: (
        "Signing in through your company account did not work this time.",
        "Please try again. If it keeps happening, tell HR or your manager.",
    ),
    MISSING_CLAIM: (
        "Your company account did not tell Attest who you are.",
        "Please ask HR to check that your company account has your {what}.",
    ),
    UNVERIFIED_EMAIL: (
        "Your company account's email address has not been confirmed.",
        "Please ask HR or your IT team to confirm it, then try again.",
    ),
    UNKNOWN_PERSON: (
        "Attest does not have you on its list yet.",
        "Please ask HR to add you. Tell them the {what} your company account uses: {value}.",
    ),
    TERMINATED: (
        "Your Attest account is closed.",
        "If you still work here, please ask HR to open it again.",
    ),
}
WHAT = {EMAIL: "email address", EMPLOYEE_ID: "employee number"}


def match_column(claim: str) -> str:
    """The column of `users` that the claim named by OIDC_MATCH_CLAIM is compared with.

    `email` is matched against the person's email (case does not matter); any other
    claim (`employee_id`, or a provider's own such as `employeeNumber`) against their
    employee id, exactly.
    """
    return EMAIL if claim == EMAIL else EMPLOYEE_ID


def claim_value(claims: Mapping[str, Any], claim: str) -> str | None:
    """The claim's value as the text to match, or None if it is missing or unusable.

    A string (trimmed; emails lower-cased) or a whole number (some providers send
    employee numbers as numbers). Anything else (a list, an object, true/false, an empty
    string) cannot name one person.
    """
    value = claims.get(claim)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if match_column(claim) == EMAIL:
        value = value.lower()
    return value or None


def claims_problem(claims: Mapping[str, Any], claim: str) -> str | None:
    """Why these claims cannot name anyone (MISSING_CLAIM, UNVERIFIED_EMAIL), or None.

    An email the provider itself marks unverified (`email_verified: false`) is refused:
    some providers let a person type any address into their profile, and matching on it
    would sign them in as whoever has it here. Providers that do not send the flag
    (Entra ID) are taken at their word.
    """
    if claim_value(claims, claim) is None:
        return MISSING_CLAIM
    if match_column(claim) == EMAIL and claims.get("email_verified") is False:
        return UNVERIFIED_EMAIL
    return None


def person_problem(*, found: bool, is_active: bool) -> str | None:
    """Why the matched record may not sign in (UNKNOWN_PERSON, TERMINATED), or None."""
    if not found:
        return UNKNOWN_PERSON
    if not is_active:
        return TERMINATED
    return None


def refusal_message(reason: str, claim: str, value: str | None) -> tuple[str, str]:
    """The refusal page's heading and advice for `reason`."""
    heading, advice = MESSAGES[reason]
    what = WHAT[match_column(claim)]
    return heading, advice.format(what=what, value=value or "")


def is_configured(issuer: str | None, client_id: str | None, client_secret: str | None) -> bool:
    """Whether single sign-on is offered: the issuer, client id and secret are all set."""
    return bool(issuer and client_id and client_secret)


def may_use_password(*, sso_only: bool, is_hr: bool) -> bool:
    """Whether a person may sign in with a password (LMS_SSO_ONLY: HR only, break-glass)."""
    return not sso_only or is_hr
