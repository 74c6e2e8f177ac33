"""Certificate rules: what a certificate's status is, and who may download it.

Plain functions of plain values; the verify page, the download view and the
HR pages call these and never re-derive a rule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

VALID = "valid"
EXPIRED = "expired"
SUPERSEDED = "superseded"
REVOKED = "revoked"

STATUSES = (VALID, EXPIRED, SUPERSEDED, REVOKED)
LABELS = {
    VALID: "Valid",
    EXPIRED: "Expired",
    SUPERSEDED: "Superseded by a renewal",
    REVOKED: "Revoked",
}


def certificate_status(
    today: date,
    *,
    expires_on: date | None,
    superseded_at: datetime | None,
    revoked_at: datetime | None,
) -> str:
    """Return what the verify page says of a certificate on `today` (DESIGN.md, "Certificates").

    revoked beats superseded beats expired beats valid: a revocation is HR's
    explicit word; a renewal replaces the certificate whether or not the old
    one had lapsed; and a certificate is expired the day after its expiry date,
    the same day its assignment becomes `expired` (see `lms.status`).
    """
    if revoked_at is not None:
        return REVOKED
    if superseded_at is not None:
        return SUPERSEDED
    if expires_on is not None and today > expires_on:
        return EXPIRED
    return VALID


def can_download(*, is_owner: bool, is_hr: bool, manages_owner: bool, is_revoked: bool) -> bool:
    """Return whether someone may download a certificate's PDF.

    The holder, anyone above them in the management chain and HR may; once
    revoked only HR may, so a revoked PDF stops circulating and the verify
    page is the source of truth for everyone else.
    """
    if is_hr:
        return True
    if is_revoked:
        return False
    return is_owner or manages_owner


def reopening_after_revocation(
    revoked_on: date, *, is_superseded: bool, due_days: int, cycle: int
) -> tuple[date, int] | None:
    """Return (new due date, new cycle) when revoking a certificate reopens its assignment, else None.

    DESIGN.md: "A revoked certificate takes its completion away: the assignment
    counts as not complete from the revocation day (due again after the program's
    due_days) ... and a new cycle issues a new certificate." Only the certificate
    of the assignment's current completion does so; one a renewal has already
    superseded certifies nothing today, and revoking it changes no dates. The
    revocation ends the cycle the assignment is in (the renewal cycle that began
    with the completion), so attempts and reminders start afresh; the next
    completion is a first completion for the expiry rule (`lms.status.expiry_for`:
    one period after the new due date, or after the completion day if late).
    """
    if is_superseded:
        return None
    return revoked_on + timedelta(days=due_days), cycle + 1
