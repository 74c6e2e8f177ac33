"""Large web imports run in the background; any instance shows their progress and result.

Why: a 62,000-row export (3.7 MB, under the upload limit) took ~47 s to confirm
on the web, and gunicorn replaces a worker after 30 s, so HR got an error and
nothing was imported. Most of that is the database writing ~560,000 assignments
with their indexes and audit rows (bench/import_hires.py: about 13 s for the
assignments' INSERT alone on SQLite on a two-core machine), which no request can
be sure to finish inside the timeout. So the confirm of a file over
`LMS_IMPORT_INLINE_ROWS` rows only records an `ImportJob` and starts a thread in
the worker; the page it redirects to reads the job's row, so whichever instance
answers shows the same state. The import itself is unchanged: the same plan,
checked against the digest HR previewed, applied and committed all at once.

SQLite has one writer at a time, so the job cannot report progress while its
import transaction is open; it reports each step before it starts (checking the
file, then importing N changes), and the result is committed with the import
itself. Should the process die mid-import, the transaction rolls back and the
job, no longer updated, reads as interrupted after `STALE_AFTER`.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.imports.apply import ImportResult, apply_plan, preview_csv
from lms.mail.sender import send_queued
from lms.models import ImportJob, StagedImport
from lms.models.base import utcnow, utctoday

log = logging.getLogger(__name__)

RUNNING = "running"
DONE = "done"
FAILED = "failed"  # nothing was imported; `result["message"]` says why
CHANGED = "changed"  # people changed since the preview: nothing imported, preview again
INTERRUPTED = "interrupted"  # shown, never stored: running but no longer updated
STALE_AFTER = timedelta(minutes=15)
SEND_NOW = (
    200  # invitations sent when the job ends, as after a confirm; the mail job sends the rest
)
ERRORS_KEPT = 500  # rows with problems listed on the result page; the count covers them all

_threads: list[threading.Thread] = []


def runs_in_background(rows: int, inline_limit: int) -> bool:
    """Return whether an upload of `rows` lines is imported by a job rather than in the request."""
    return rows > inline_limit


def shown_state(state: str, updated_at: datetime, now: datetime) -> str:
    """Return the state to show: a running job not updated for `STALE_AFTER` was interrupted.

    An interrupted import changed nothing (its transaction rolled back with the process).
    """
    if state == RUNNING and now - updated_at > STALE_AFTER:
        return INTERRUPTED
    return state


def line_count(content: bytes) -> int:
    """Return how many lines the upload has (the header included), without parsing it."""
    return content.count(b"\n") + (0 if content.endswith(b"\n") else 1)


def start_job(
    staged: StagedImport, *, digest: str, partial: bool, invite: bool, actor_id: int
) -> tuple[ImportJob, bool]:
    """Record a job for a confirmed upload; return it and whether it is new (flushes only).

    A second click of "Import", or the back button, finds the first job: one upload
    is imported at most once.
    """
    job = ImportJob(
        staged_import_id=staged.id,
        created_by_id=actor_id,
        filename=staged.filename,
        digest=digest,
        is_partial=partial,
        is_invite=invite,
        state=RUNNING,
        step="Waiting to start",
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
            db.session.flush()
    except IntegrityError:
        found = db.session.scalar(select(ImportJob).where(ImportJob.staged_import_id == staged.id))
        return found, False
    return job, True


def launch(app, job_id: int) -> threading.Thread:
    """Run the job in a thread of this process (the request that started it has committed it)."""
    thread = threading.Thread(target=run_job, args=(app, job_id), name=f"import-job-{job_id}")
    _threads[:] = [t for t in _threads if t.is_alive()]
    _threads.append(thread)
    thread.start()
    return thread


def join_jobs(timeout: float | None = None) -> None:
    """Wait for this process's running jobs (tests, and a clean shutdown)."""
    for thread in list(_threads):
        thread.join(timeout)


def run_job(app, job_id: int) -> None:
    """Import a job's upload as previewed and store the outcome; never raises."""
    with app.app_context():
        try:
            outcome = import_job(job_id)
            if outcome is not None and outcome.invited:
                send_invitations_now(app)
        except Exception:
            log.exception("import job %s failed", job_id)
            db.session.rollback()
            finish(
                job_id,
                FAILED,
                {
                    "message": "The import failed and changed nothing. "
                    "Try again, or import the file with `flask lms import-hires`."
                },
            )
        finally:
            db.session.remove()


def import_job(job_id: int) -> ImportResult | None:
    """Check the upload against the preview, apply it and commit it with the job's result."""
    job = db.session.get(ImportJob, job_id)
    staged = db.session.get(StagedImport, job.staged_import_id)
    if staged is None:
        finish(job_id, FAILED, {"message": "The upload is no longer here; upload the file again."})
        return None
    report_step(job, "Checking the file")
    plan = preview_csv(staged.content)
    if plan.digest() != job.digest:
        finish(job_id, CHANGED, {"message": "The people in Attest changed since the preview."})
        return None
    changes = sum(plan.counts[kind] for kind in ("new", "updated", "terminated"))
    report_step(job, f"Importing {changes:,} changes and their training")
    result = apply_plan(
        plan,
        today=utctoday(),
        actor_id=job.created_by_id,
        partial=job.is_partial,
        invite=job.is_invite,
        source="web",
        filename=job.filename,
    )
    if not result.is_applied:
        db.session.rollback()
        finish(job_id, FAILED, result_values(result) | {"message": "Nothing was imported."})
        return None
    job.state, job.step, job.result = DONE, "Imported", result_values(result)
    job.updated_at = job.finished_at = utcnow()
    db.session.delete(staged)
    db.session.commit()
    return result


def report_step(job: ImportJob, step: str) -> None:
    """Store what the job is doing now, committed so that every instance sees it."""
    job.step, job.updated_at = step, utcnow()
    db.session.commit()


def finish(job_id: int, state: str, result: dict[str, Any]) -> None:
    """Store a job's outcome in its own transaction."""
    job = db.session.get(ImportJob, job_id)
    now = utcnow()
    job.state, job.step, job.result, job.updated_at, job.finished_at = (
        state,
        "Finished",
        result,
        now,
        now,
    )
    db.session.commit()


def result_values(result: ImportResult) -> dict[str, Any]:
    """What the result page shows, as JSON: counts, assignments, invitations and problems."""
    errors = result.plan.errors
    return {
        "counts": result.counts,
        "assigned": {
            "created": result.assigned.created,
            "reopened": result.assigned.reopened,
            "closed": result.assigned.closed,
        },
        "invited": result.invited,
        "errors": [str(e) for e in errors[:ERRORS_KEPT]],
        "error_count": len(errors),
    }


def send_invitations_now(app) -> None:
    """Send the first invitations now, as the confirm page does; the mail job sends the rest."""
    try:
        send_queued(SEND_NOW)
    except Exception:  # the outbox keeps the mail for a retry
        app.logger.exception("sending invitations after an import job failed")
