"""A raised module version with `retrain_on_change` sends every holder back to it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, or_, select, update

from lms.audit import record_events
from lms.extensions import db
from lms.mail.outbox import queue_emails
from lms.models import (
    Assignment,
    Certificate,
    Completion,
    Module,
    ModuleVersion,
    Program,
    ProgramModule,
    User,
)
from lms.models.content import current_version
from lms.renewal.notices import Dates, ModuleInfo, notice_values, users_with_managers
from lms.renewal.rules import RETRAIN, is_holder, retrain_dates

DEFAULT_DUE_DAYS = 30  # for an assignment no current program explains


def program_due_days(module_id: int) -> dict[int | None, int]:
    """Return due_days by program id for the programs giving this module (None: the shortest)."""
    rows = db.session.execute(
        select(Program.id, Program.due_days)
        .join(ProgramModule, ProgramModule.program_id == Program.id)
        .where(ProgramModule.module_id == module_id)
    ).all()
    days: dict[int | None, int] = dict(rows)
    days[None] = min(days.values(), default=DEFAULT_DUE_DAYS)
    return days


def apply_retraining(slugs: Iterable[str], today: date, batch_size: int = 500) -> int:
    """Give every holder of the raised modules a new due date and a notice (flushes only).

    `slugs` are modules whose version went up in this sync (`SyncReport.versions_raised`);
    those whose new version has `retrain_on_change` apply. A holder is someone
    whose certification is valid today; see `lms.renewal.rules.retrain_dates` for
    the dates. Returns how many holders were asked to retrain.
    """
    count = 0
    for slug in slugs:
        module, version = db.session.execute(
            select(Module, ModuleVersion)
            .join(ModuleVersion, current_version())
            .where(Module.slug == slug)
        ).one()
        if version.retrain_on_change:
            count += retrain_holders(module, version, today, batch_size)
    return count


def retrain_holders(module: Module, version: ModuleVersion, today: date, batch_size: int) -> int:
    """Move each holder's dates, audit it and queue the notice, a batch of assignments at a time."""
    due_days = program_due_days(module.id)
    info = ModuleInfo(module.slug, version.title)
    count, last_id = 0, 0
    while batch := completed_after(module.id, last_id, batch_size):
        last_id = batch[-1].id
        held = [
            a
            for a in batch
            if is_holder(
                today, completed_on=a.completed_on, expires_on=a.expires_on, is_exempt=a.is_exempt
            )
        ]
        users = users_with_managers({a.user_id for a in held}) if held else {}
        events, notices = [], []
        for a in held:
            a.due_date, a.expires_on, a.renewal_opens_on = retrain_dates(
                today,
                due_days.get(a.program_id, due_days[None]),
                expires_on=a.expires_on,
                renewal_opens_on=a.renewal_opens_on,
            )
            events.append(
                {
                    "action": "assignment.retrain_required",
                    "user_id": a.user_id,
                    "details": {
                        "assignment_id": a.id,
                        "module": module.slug,
                        "version": version.version,
                        "due_on": a.due_date,
                    },
                }
            )
            notices.append(
                notice_values(
                    RETRAIN,
                    version.version,
                    assignment_id=a.id,
                    cycle=a.cycle,
                    employee=users[a.user_id],
                    manager=None,
                    module=info,
                    dates=Dates(due_date=a.due_date, expires_on=a.expires_on),
                    changes=version.changes,
                )
            )
        db.session.flush()
        shorten_certificates(held)
        record_events(events)
        queue_emails(notices)
        count += len(held)
    return count


def shorten_certificates(held: list[Assignment]) -> None:
    """Make each holder's current certificate lapse with the new due date (DESIGN: valid until then).

    The stored PDF printed the old expiry, so it is dropped and rendered again on
    the next download; the verify page reads the completion and shows the new date.
    """
    if not held:
        return
    completion = Completion.__table__
    db.session.execute(
        update(completion)
        .where(
            completion.c.assignment_id == bindparam("aid"),
            completion.c.superseded_at.is_(None),
            or_(completion.c.expires_on.is_(None), completion.c.expires_on > bindparam("until")),
        )
        .values(expires_on=bindparam("until")),
        [{"aid": a.id, "until": a.expires_on} for a in held if a.expires_on is not None],
    )
    current = select(Completion.id).where(
        Completion.assignment_id.in_([a.id for a in held]), Completion.superseded_at.is_(None)
    )
    db.session.execute(
        update(Certificate)
        .where(Certificate.completion_id.in_(current))
        .values(pdf=None, rendered_at=None)
    )


def completed_after(module_id: int, last_id: int, limit: int) -> list[Assignment]:
    """Return the next open, completed assignments of active people, in id order."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(User, User.id == Assignment.user_id)
            .where(
                Assignment.id > last_id,
                Assignment.module_id == module_id,
                Assignment.closed_on.is_(None),
                Assignment.completed_on.is_not(None),
                User.is_active,
            )
            .order_by(Assignment.id)
            .limit(limit)
        )
    )
