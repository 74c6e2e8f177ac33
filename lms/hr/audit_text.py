"""The audit trail in words: one sentence per event, from its action and details.

Plain functions, no Flask or database. Each kind of event has its own function
(`SENTENCES`); an unknown kind, or details not shaped as expected (an event
written by an older version, say), falls back to `fallback`, which names the
action and lists the details: a sentence is a convenience, never a reason for
the page to fail. The JSON itself stays on the page behind a toggle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

Details = Mapping[str, Any]


def day(value: Any) -> str:
    """An ISO date or timestamp as "2 Mar 2026"; anything else as it is."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return f"{value:%d %b %Y %H:%M} UTC"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    return str(value)


def plural(n: Any, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def quoted(text: Any) -> str:
    return f"“{text}”"


def module_list(modules: Mapping[str, Any], with_due: bool = True) -> str:
    return ", ".join(
        f"{slug} (due {day(due)})" if with_due and due else str(slug)
        for slug, due in modules.items()
    )


def counts_text(d: Details) -> str:
    parts = [f"{d.get(k, 0)} {k}" for k in ("new", "updated", "terminated", "unchanged")]
    errors = d.get("errors", 0)
    if errors:
        parts.append(plural(errors, "row") + " with problems")
    return ", ".join(parts)


def field_changes(changes: Mapping[str, Any]) -> str:
    return "; ".join(
        f"{name.replace('_', ' ')} {old if old is not None else '(none)'} → "
        f"{new if new is not None else '(none)'}"
        for name, (old, new) in changes.items()
    )


# -- One function per kind --------------------------------------------------------------


def certificate_issued(d: Details) -> str:
    return f"Certificate {d['code']} issued (cycle {d['cycle']})."


def certificate_revoked(d: Details) -> str:
    return f"Certificate {d['code']} revoked: {quoted(d['reason'])}."


def assignment_due_again(d: Details) -> str:
    return (
        f"Due again by {day(d['due_on'])} (cycle {d['cycle']}) after its certificate was revoked."
    )


def assignment_created(d: Details) -> str:
    if "modules" not in d and "count" in d:  # the demo's history records ids and a count
        return f"Assigned {plural(d['count'], 'module')}."
    modules = d["modules"]
    return f"Assigned {plural(len(modules), 'module')}: {module_list(modules)}."


def assignment_reopened(d: Details) -> str:
    return f"Assigned again: {module_list(d['modules'])}."


def assignment_closed(d: Details) -> str:
    return f"No longer assigned (left the program): {module_list(d['modules'], False)}."


def assignment_retrain_required(d: Details) -> str:
    return (
        f"{d['module']} changed (version {d['version']}): to be taken again by {day(d['due_on'])}."
    )


def exemption_granted(d: Details) -> str:
    return f"Exempted from {d['module']}: {quoted(d['reason'])}."


def exemption_removed(d: Details) -> str:
    return (
        f"Exemption from {d['module']} removed: {quoted(d['reason'])}"
        f" (it had been: {quoted(d['previous_reason'])})."
    )


def attempts_granted(d: Details) -> str:
    return (
        f"{plural(d['number'], 'more attempt')} at {d['module']} granted for cycle {d['cycle']}:"
        f" {quoted(d['reason'])}."
    )


def attempts_requested(d: Details) -> str:
    message = f": {quoted(d['message'])}" if d.get("message") else ""
    return f"Asked HR for more attempts at {d['module']} (cycle {d['cycle']}){message}."


def attempts_request_granted(d: Details) -> str:
    return (
        f"Request for more attempts at {d['module']} granted: {plural(d['number'], 'more attempt')}"
        f" ({quoted(d['reason'])})."
    )


def attempts_request_refused(d: Details) -> str:
    return f"Request for more attempts at {d['module']} refused: {quoted(d['reason'])}."


def attempt_started(d: Details) -> str:
    return f"Started a quiz attempt (cycle {d['cycle']})."


def attempt_submitted(d: Details) -> str:
    return f"Submitted a quiz attempt: {d['score']}%, {'passed' if d['passed'] else 'not passed'}."


def attestation_signed(d: Details) -> str:
    return f"Signed the attestation for version {d['version']} (cycle {d['cycle']})."


def completion_recorded(d: Details) -> str:
    score = "no quiz" if d.get("score") is None else f"score {d['score']}%"
    until = f"valid until {day(d['expires_on'])}" if d.get("expires_on") else "does not expire"
    return f"Completed (cycle {d['cycle']}, {score}); {until}."


def import_applied(d: Details) -> str:
    source = "the web page" if d.get("source") == "web" else d.get("source", "an import")
    skipped = d.get("skipped_lines") or []
    text = (
        f"Imported {quoted(d['filename'])} from {source}: {plural(d['rows'], 'row')};"
        f" {counts_text(d)}"
    )
    if skipped:
        text += f"; lines not imported: {', '.join(str(n) for n in skipped[:20])}"
        text += "…" if len(skipped) > 20 else ""
    if d.get("invited"):
        text += f"; {plural(d['invited'], 'invitation')} sent"
    return text + "."


def api_employees_upserted(d: Details) -> str:
    return f"Employees sent through the API (token {quoted(d['token'])}): {counts_text(d)}."


def person_created(d: Details) -> str:
    where = ", ".join(str(d[k]) for k in ("department", "role") if d.get(k))
    return (
        f"Added by the {d['source']} import (line {d['line']}): {d['full_name']}"
        + (f" <{d['email']}>" if d.get("email") else " (no email)")
        + (f", {where}" if where else "")
        + f", employee number {d['employee_id']}."
    )


def person_updated(d: Details) -> str:
    return f"Updated by the {d['source']} import (line {d['line']}): {field_changes(d['changes'])}."


def person_terminated(d: Details) -> str:
    changes = d.get("changes") or {}
    rest = {k: v for k, v in changes.items() if k != "status"}
    also = f"; also {field_changes(rest)}" if rest else ""
    return f"Terminated by the {d['source']} import (line {d['line']}){also}."


def person_email_changed(d: Details) -> str:
    notice = f"; a notice went to {d['notice_to']}" if d.get("notice_to") else ""
    return (
        f"Email changed from {d['old_email'] or 'none'} to {d['new_email'] or 'none'}"
        f" ({d['source']}); signed out"
        f" everywhere and any one-time links retired{notice}."
    )


def person_employee_id_set(d: Details) -> str:
    return f"Employee number set to {d['employee_id']} ({d['source']})."


def invitation_sent(d: Details) -> str:
    return f"Invitation to set a password sent; the link works until {day(d['expires_at'])}."


def api_token_created(d: Details) -> str:
    return f"API token {quoted(d['name'])} ({d['prefix']}…) created."


def api_token_revoked(d: Details) -> str:
    return f"API token {quoted(d['name'])} ({d['prefix']}…) revoked."


def renew_completed(d: Details) -> str:
    queued = d.get("queued") or {}
    mail = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in queued.items()) or "none"
    return (
        f"Daily renewal run for {day(d['as_of'])}: {d['created']} assignments created,"
        f" {d['reopened']} reopened, {d['closed']} closed; emails queued: {mail}."
    )


SSO_REASONS = {
    "missing_claim": "the provider did not send the claim Attest matches on",
    "unverified_email": "the provider has not verified that email",
    "unknown": "nobody in Attest has it",
    "terminated": "the person has left",
}


def sso_signed_in(d: Details) -> str:
    return f"Signed in through single sign-on ({d['claim']} {d['value']})."


def sso_refused(d: Details) -> str:
    value = f" {d['value']}" if d.get("value") else ""
    return f"Single sign-on refused for {d['claim']}{value}: {SSO_REASONS[d['reason']]}."


def activation_letter_issued(d: Details) -> str:
    return (
        f"Activation letter printed ({d['source']}); its code works until {day(d['expires_at'])}"
        "; any earlier code retired."
    )


def activation_letters_generated(d: Details) -> str:
    which = []
    if d.get("employee_id"):
        which.append(f"employee number {d['employee_id']}")
    if d.get("department"):
        which.append(f"department {quoted(d['department'])}")
    if d.get("new_only"):
        which.append("only people who never had one")
    if d.get("scope") == "team":
        which.append("their team")
    return (
        f"Printed {plural(d['count'], 'activation letter')} from the {d['source']}"
        + (f" ({', '.join(which)})" if which else " (everyone without email)")
        + "."
    )


def fixed(sentence: str) -> Callable[[Details], str]:
    return lambda _d: sentence


SENTENCES: dict[str, Callable[[Details], str]] = {
    "certificate.issued": certificate_issued,
    "certificate.revoked": certificate_revoked,
    "assignment.due_again": assignment_due_again,
    "assignment.created": assignment_created,
    "assignment.reopened": assignment_reopened,
    "assignment.closed": assignment_closed,
    "assignment.retrain_required": assignment_retrain_required,
    "exemption.granted": exemption_granted,
    "exemption.removed": exemption_removed,
    "attempts.granted": attempts_granted,
    "attempts.requested": attempts_requested,
    "attempts.request_granted": attempts_request_granted,
    "attempts.request_refused": attempts_request_refused,
    "attempt.started": attempt_started,
    "attempt.submitted": attempt_submitted,
    "attestation.signed": attestation_signed,
    "completion.recorded": completion_recorded,
    "import.applied": import_applied,
    "api.employees_upserted": api_employees_upserted,
    "person.created": person_created,
    "person.updated": person_updated,
    "person.terminated": person_terminated,
    "person.email_changed": person_email_changed,
    "person.employee_id_set": person_employee_id_set,
    "invitation.sent": invitation_sent,
    "invitation.accepted": fixed("Accepted the invitation and chose a password."),
    "activation.letter_issued": activation_letter_issued,
    "activation.letters_generated": activation_letters_generated,
    "activation.accepted": fixed("Used their activation code and chose a password."),
    "password.reset": fixed("Chose a new password with a reset link."),
    "password.changed": fixed("Changed their password."),
    "password.reset_requested": fixed("A password reset link was asked for and emailed."),
    "api_token.created": api_token_created,
    "api_token.revoked": api_token_revoked,
    "renew.completed": renew_completed,
    "sso.signed_in": sso_signed_in,
    "sso.refused": sso_refused,
}


def fallback(action: str, details: Any) -> str:
    """Any event: its action in words and its details as "name: value" pairs."""
    words = action.replace(".", " ").replace("_", " ").strip().capitalize() or "Event"
    if isinstance(details, Mapping) and details:
        listed = "; ".join(f"{str(k).replace('_', ' ')}: {v}" for k, v in details.items())
        return f"{words} ({listed})."
    return f"{words}."


def describe(action: str, details: Any) -> str:
    """One sentence saying what an audit event records."""
    sentence = SENTENCES.get(action)
    if details is None:
        details = {}
    if sentence is not None and isinstance(details, Mapping):
        try:
            return sentence(details)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # details not as this version writes them: say what there is
    return fallback(action, details)
