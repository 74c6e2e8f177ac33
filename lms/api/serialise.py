"""What the API returns: plain JSON values, shaped as `lms.api.openapi` documents them."""

from __future__ import annotations

from datetime import date
from typing import Any

from lms.certificates.codes import format_code
from lms.certificates.operations import verify_url
from lms.certificates.rules import certificate_status
from lms.models import Completion, Module, ModuleVersion
from lms.reports.dashboard import Bar, Dashboard, compliance_summary
from lms.reports.filters import NO_DEPARTMENT
from lms.reports.transcripts import AssignmentRecord, Transcript


def iso(value: date | None) -> str | None:
    """ISO 8601: `2025-01-31` for a day, `2025-01-31T09:30:00+00:00` for a time (always UTC)."""
    return value.isoformat() if value is not None else None


def employee_json(person: Any, manager_email: str | None) -> dict[str, Any]:
    """Return a person as the API shows them: the CSV import's fields, ready to PUT back."""
    row = person
    return {
        "employee_id": row.employee_id,
        "email": row.email,
        "full_name": row.full_name,
        "department": row.department,
        "role": row.role,
        "hire_date": iso(row.hire_date),
        "manager_email": manager_email,
        "status": "active" if row.is_active else "terminated",
    }


def module_json(module: Module, version: ModuleVersion | None, programs: list[str]) -> dict:
    v = version
    return {
        "slug": module.slug,
        "title": v.title if v else module.slug,
        "version": v.version if v else None,
        "summary": v.summary if v else "",
        "minutes": v.minutes if v else None,
        "renew_every": v.renew_every if v else None,
        "window": v.window if v else None,
        "pass_mark": v.pass_mark if v else None,
        "attempts": v.attempts if v else None,
        "questions_per_attempt": v.questions_per_attempt if v else None,
        "question_count": v.question_count if v else 0,
        "retrain_on_change": v.retrain_on_change if v else False,
        "is_archived": module.is_archived,
        "programs": programs,
    }


def transcript_json(t: Transcript, employee: dict, as_of: date, base_url: str) -> dict[str, Any]:
    return {
        "employee": employee,
        "as_of": iso(as_of),
        "assignments": [assignment_json(r, as_of, base_url) for r in t.records],
    }


def assignment_json(r: AssignmentRecord, as_of: date, base_url: str) -> dict[str, Any]:
    """One assignment with its status on `as_of` and every completed cycle, with its certificate."""
    a = r.assignment
    return {
        "module": r.slug,
        "title": r.title,
        "version": r.version.version if r.version else None,
        "program": r.program,
        "status": r.status,
        "is_counted": r.is_counted,
        "assigned_on": iso(a.assigned_on),
        "due_date": iso(a.due_date),
        "cycle": a.cycle,
        "started_on": iso(a.started_on),
        "completed_on": iso(a.completed_on),
        "expires_on": iso(a.expires_on),
        "renewal_opens_on": iso(a.renewal_opens_on),
        "last_score": a.last_score,
        "attempts_used": r.attempts_used,
        "attempts_left": r.attempts_left,
        "exempt_reason": a.exempt_reason,
        "closed_on": iso(a.closed_on),
        "revoked_on": iso(a.revoked_on),
        "completions": [
            completion_json(c, r.certificates.get(c.id), as_of, base_url) for c in r.completions
        ],
    }


def completion_json(c: Completion, certificate: Any, as_of: date, base_url: str) -> dict:
    found = None
    if certificate is not None:
        found = {
            "code": format_code(certificate.code),
            "status": certificate_status(
                as_of,
                expires_on=c.expires_on,
                superseded_at=c.superseded_at,
                revoked_at=certificate.revoked_at,
            ),
            "issued_at": iso(certificate.issued_at),
            "verify_url": verify_url(base_url, certificate.code),
        }
    return {
        "cycle": c.cycle,
        "version": c.version,
        "completed_at": iso(c.completed_at),
        "completed_on": iso(c.completed_on),
        "expires_on": iso(c.expires_on),
        "score": c.score,
        "superseded_at": iso(c.superseded_at),
        "certificate": found,
    }


def figures(bar: Bar) -> dict[str, Any]:
    """A bar's counts for every status and the figures shown beside its compliance rate."""
    return {"counts": dict(bar.counts)} | compliance_summary(bar.counts)


def compliance_json(d: Dashboard, filters: dict[str, Any]) -> dict[str, Any]:
    return {
        **filters,
        "overall": figures(d.overall),
        "by_department": [
            {"department": None if b.key == NO_DEPARTMENT else b.key} | figures(b)
            for b in d.by_department
        ],
        "by_module": [{"module": b.key, "title": b.label} | figures(b) for b in d.by_module],
    }
