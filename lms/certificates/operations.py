"""Certificate actions: issue, find, render-once, revoke, and who may see what.

Each function flushes; the caller (a view or a CLI command) commits once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import undefer

from lms.audit import record_event
from lms.certificates.codes import format_code, new_code
from lms.certificates.rules import (
    LABELS,
    can_download,
    certificate_status,
    reopening_after_revocation,
)
from lms.dates import format_date
from lms.extensions import db
from lms.models import Assignment, Attempt, Certificate, Completion, Module, ModuleVersion, User
from lms.models.base import utcnow
from lms.people.operations import report_ids
from lms.renewal.retraining import program_due_days

if TYPE_CHECKING:
    from lms.certificates.render import CertificateText


class CertificateError(Exception):
    """An action the rules do not allow; the message says why, for the person acting."""


@dataclass
class CertificateRecord:
    """A certificate with the completion and module version it certifies (one query)."""

    certificate: Certificate
    completion: Completion
    version: ModuleVersion
    module_slug: str

    def status(self, today: date) -> str:
        return certificate_status(
            today,
            expires_on=self.completion.expires_on,
            superseded_at=self.completion.superseded_at,
            revoked_at=self.certificate.revoked_at,
        )


def issue_certificate(completion: Completion) -> Certificate:
    """Issue the certificate of a completed cycle (DESIGN.md, "Certificates").

    The holder's name is kept as it is today, so the PDF and the verify page
    always agree; the PDF itself is rendered on first download (`certificate_pdf`).
    """
    holder = db.session.get(User, completion.user_id)
    certificate = Certificate(
        completion_id=completion.id,
        user_id=completion.user_id,
        code=new_code(),
        holder_name=holder.full_name,
        issued_at=completion.completed_at,
    )
    db.session.add(certificate)
    db.session.flush()
    record_event(
        "certificate.issued",
        user_id=completion.user_id,
        details={
            "certificate_id": certificate.id,
            "code": certificate.code,
            "completion_id": completion.id,
            "module_version_id": completion.module_version_id,
            "cycle": completion.cycle,
        },
    )
    return certificate


def verify_url(base_url: str, code: str) -> str:
    """Return the public verify URL of a canonical code (printed and in the QR code)."""
    return f"{base_url.rstrip('/')}/verify/{code}"


def find_certificate(code: str, *, with_pdf: bool = False) -> CertificateRecord | None:
    """Return the certificate with this canonical code and what it certifies, or None.

    `with_pdf` loads the stored PDF in the same query (for downloads).
    """
    query = (
        select(Certificate, Completion, ModuleVersion, Module.slug)
        .join(Completion, Completion.id == Certificate.completion_id)
        .join(ModuleVersion, ModuleVersion.id == Completion.module_version_id)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(Certificate.code == code)
    )
    if with_pdf:
        query = query.options(undefer(Certificate.pdf))
    row = db.session.execute(query).first()
    return CertificateRecord(*row) if row else None


@dataclass(frozen=True)
class StoredPdf:
    """What a download needs to decide and answer: who holds it, and its stored PDF."""

    holder_id: int
    is_revoked: bool
    module_slug: str
    pdf: bytes | None  # None until the first download renders it


# Built once: a repeated download is the hot path, and a cached PDF needs nothing more.
_STORED_PDF = (
    select(Certificate.user_id, Certificate.revoked_at.is_not(None), Module.slug, Certificate.pdf)
    .join(Completion, Completion.id == Certificate.completion_id)
    .join(ModuleVersion, ModuleVersion.id == Completion.module_version_id)
    .join(Module, Module.id == ModuleVersion.module_id)
    .where(Certificate.code == bindparam("code"))
)


def find_stored_pdf(code: str) -> StoredPdf | None:
    """Return the certificate with this canonical code as a download sees it, or None (one query)."""
    # On the session's connection, as Core: no ORM entities to build, so none of its overhead.
    row = db.session.connection().execute(_STORED_PDF, {"code": code}).first()
    return StoredPdf(*row) if row else None


@dataclass(frozen=True)
class Verification:
    """What anyone may learn about a certificate from its code.

    The revocation reason is HR's internal note and is not shown publicly.
    """

    code: str
    status: str
    status_label: str
    holder_name: str
    module_title: str
    module_version: int
    completed_on: date
    expires_on: date | None
    score: int | None
    issued_at: datetime
    superseded_at: datetime | None
    revoked_at: datetime | None
    verify_url: str

    def to_json(self) -> dict[str, Any]:
        return {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in asdict(self).items()
        }


def verification(record: CertificateRecord, today: date, verify_url: str) -> Verification:
    """Return the public facts and status of a certificate on `today`."""
    certificate, completion = record.certificate, record.completion
    status = record.status(today)
    return Verification(
        code=format_code(certificate.code),
        status=status,
        status_label=LABELS[status],
        holder_name=certificate.holder_name,
        module_title=record.version.title,
        module_version=completion.version,
        completed_on=completion.completed_on,
        expires_on=completion.expires_on,
        score=completion.score,
        issued_at=certificate.issued_at,
        superseded_at=completion.superseded_at,
        revoked_at=certificate.revoked_at,
        verify_url=verify_url,
    )


def certificate_text(record: CertificateRecord, org_name: str, verify_url: str) -> CertificateText:
    """Return what the PDF prints, from the stored rows."""
    from lms.certificates.render import CertificateText

    certificate, completion = record.certificate, record.completion
    return CertificateText(
        org_name=org_name,
        holder_name=certificate.holder_name,
        module_title=record.version.title,
        version=completion.version,
        score=completion.score,
        completed_on=completion.completed_on,
        expires_on=completion.expires_on,
        code=format_code(certificate.code),
        verify_url=verify_url,
    )


def certificate_pdf(
    record: CertificateRecord, org_name: str, verify_url: str
) -> tuple[bytes, bool]:
    """Return the certificate's PDF and whether it was rendered just now.

    `record` must come from `find_certificate(..., with_pdf=True)`. The first
    call renders and stores the PDF; later ones return the stored bytes. The
    conditional UPDATE keeps the first stored copy if two instances render the
    same certificate at once (both copies show the same facts).
    """
    certificate = record.certificate
    if certificate.pdf is not None:
        return certificate.pdf, False
    # Imported here: WeasyPrint loads Pango, which only a first download needs.
    from lms.certificates.render import render_certificate

    pdf = render_certificate(certificate_text(record, org_name, verify_url))
    stored = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.pdf.is_(None))
        .values(pdf=pdf, rendered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount == 0:
        pdf = db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate.id))
    return pdf, True


def rights_of(viewer: User, holder_id: int, is_revoked: bool) -> tuple[bool, bool]:
    """Return (may see the certificate's page, may download its PDF) for `viewer`.

    The holder, their managers up the chain and HR may see it; who may
    download is `rules.can_download` (a revoked PDF is for HR only).
    """
    is_owner = viewer.id == holder_id
    manages = not (viewer.is_hr or is_owner) and holder_id in report_ids(viewer.id)
    may_see = viewer.is_hr or is_owner or manages
    may_download = can_download(
        is_owner=is_owner, is_hr=viewer.is_hr, manages_owner=manages, is_revoked=is_revoked
    )
    return may_see, may_download


def revoke_certificate(
    certificate: Certificate, actor: User, reason: str, now: datetime | None = None
) -> None:
    """Revoke a certificate for a stated reason (HR only; recorded in the audit trail).

    A second revocation is refused and changes nothing, however the two requests race.
    Revoking the certificate of the current completion takes that completion away
    (`reopen_after_revocation`).
    """
    reason = " ".join(reason.split())
    if not actor.is_hr:
        raise CertificateError("Only HR can revoke a certificate.")
    if not reason:
        raise CertificateError("Give a reason for revoking this certificate.")
    now = now or utcnow()
    result = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=actor.id, revoke_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        db.session.refresh(certificate)
        raise CertificateError(
            f"This certificate was already revoked on {format_date(certificate.revoked_at)}."
        )
    db.session.refresh(certificate)
    record_event(
        "certificate.revoked",
        actor_id=actor.id,
        user_id=certificate.user_id,
        details={"certificate_id": certificate.id, "code": certificate.code, "reason": reason},
    )
    reopen_after_revocation(certificate, now.date(), actor.id)


def reopen_after_revocation(certificate: Certificate, today: date, actor_id: int) -> None:
    """Take the revoked certificate's completion away from its assignment (flushes only).

    See `rules.reopening_after_revocation`: the assignment loses its completion
    dates, is due again after its program's due_days, and moves to a new cycle;
    an attempt still open carries on into it (at most one is open per assignment).
    The holder's cached pages go stale through the triggers on `assignments`.
    """
    completion = db.session.get(Completion, certificate.completion_id)
    assignment = db.session.get(Assignment, completion.assignment_id, with_for_update=True)
    due_days = program_due_days(assignment.module_id)
    reopening = reopening_after_revocation(
        today,
        is_superseded=completion.superseded_at is not None,
        due_days=due_days.get(assignment.program_id, due_days[None]),
        cycle=assignment.cycle,
    )
    if reopening is None:
        return
    assignment.due_date, assignment.cycle = reopening
    assignment.completed_on = assignment.expires_on = assignment.renewal_opens_on = None
    assignment.started_on, assignment.extra_attempts, assignment.revoked_on = None, 0, today
    moved = db.session.execute(
        update(Attempt)
        .where(Attempt.assignment_id == assignment.id, Attempt.submitted_at.is_(None))
        .values(cycle=assignment.cycle)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount:
        assignment.started_on = today
    db.session.flush()
    record_event(
        "assignment.due_again",
        actor_id=actor_id,
        user_id=assignment.user_id,
        details={
            "assignment_id": assignment.id,
            "certificate_id": certificate.id,
            "cycle": assignment.cycle,
            "due_on": assignment.due_date,
        },
    )
