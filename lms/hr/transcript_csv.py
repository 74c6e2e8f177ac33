"""One person's transcript as CSV rows: one row per assignment, attempt, signature, completion, certificate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from lms.certificates.rules import certificate_status
from lms.models.base import utctoday
from lms.reports.transcripts import Transcript

TRANSCRIPT_COLUMNS = (
    "record",
    "module",
    "module_title",
    "cycle",
    "at",
    "result",
    "score",
    "version",
    "details",
)


def certificate_state(certificate: Any, completion: Any, today: date) -> str:
    return certificate_status(
        today,
        expires_on=completion.expires_on,
        superseded_at=completion.superseded_at,
        revoked_at=certificate.revoked_at,
    )


def transcript_rows(t: Transcript, today: date | None = None) -> Iterator[tuple[Any, ...]]:
    """Yield the transcript's records, assignment by assignment, each in the order it happened."""
    today = today or utctoday()
    for r in t.records:
        a = r.assignment
        notes = [f"assigned {a.assigned_on.isoformat()}", f"due {a.due_date.isoformat()}"]
        if a.expires_on:
            notes.append(f"expires {a.expires_on.isoformat()}")
        if a.exempt_reason:
            notes.append(f"exempt: {a.exempt_reason}")
        if a.closed_on:
            notes.append(f"closed {a.closed_on.isoformat()}")
        if a.revoked_on:
            notes.append(f"certificate revoked {a.revoked_on.isoformat()}: due again")
        if r.program:
            notes.append(f"program: {r.program}")
        yield (
            "assignment",
            r.slug,
            r.title,
            a.cycle,
            a.assigned_on,
            r.status,
            a.last_score,
            r.version.version if r.version else None,
            "; ".join(notes),
        )
        for x in r.attempts:
            result = "open" if x.submitted_at is None else ("passed" if x.passed else "failed")
            yield (
                "attempt",
                r.slug,
                r.title,
                x.cycle,
                x.started_at,
                result,
                x.score,
                None,
                f"submitted {x.submitted_at.isoformat()}" if x.submitted_at else "",
            )
        for s in r.attestations:
            yield (
                "attestation",
                r.slug,
                r.title,
                s.cycle,
                s.signed_at,
                "signed",
                None,
                s.version,
                f"typed name: {s.typed_name}; text: {s.text}; ip: {s.ip_address or ''}; "
                f"user agent: {s.user_agent or ''}",
            )
        for c in r.completions:
            certificate = r.certificates.get(c.id)
            state = "superseded" if c.superseded_at else "current"
            if certificate is not None and certificate.revoked_at is not None:
                state = "revoked"
            expiry = f"expires {c.expires_on.isoformat()}" if c.expires_on else "does not expire"
            yield (
                "completion",
                r.slug,
                r.title,
                c.cycle,
                c.completed_at,
                state,
                c.score,
                c.version,
                expiry,
            )
            if certificate is not None:
                yield (
                    "certificate",
                    r.slug,
                    r.title,
                    c.cycle,
                    certificate.issued_at,
                    certificate_state(certificate, c, today),
                    c.score,
                    c.version,
                    f"code {certificate.code}",
                )
