"""Deliver the outbox over SMTP: claim rows, send each once, back off on failure."""

from __future__ import annotations

import os
import queue
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, case, func, or_, select, update

from lms.extensions import db
from lms.mail.rules import blank_one_time_links, delivery_problem, explain_failure
from lms.mail.smtp import FAILED, SENT, Outgoing, SMTPSettings, send_over_one_connection
from lms.models import OutboxMessage, User
from lms.models.base import utcnow

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)
# A claim older than this belongs to a sender that died; another may take the row.
# It must outlast a batch: BATCH_SIZE messages at SMTP_TIMEOUT seconds each.
CLAIM_LEASE = timedelta(minutes=30)
BATCH_SIZE = 50
CONNECTIONS = 4  # parallel SMTP sessions per sender (MAIL_CONNECTIONS overrides)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0  # failed for now: each will be retried
    failed_for_good: int = 0  # refused by the mail server (5xx): marked failed, never retried
    remaining: int = 0  # still queued afterwards (waiting for a retry or for the next run)
    refused: str | None = None  # the first reason a message failed for good
    retrying: str | None = None  # the first reason a message failed for now

    @property
    def tried(self) -> int:
        return self.sent + self.failed + self.failed_for_good

    @property
    def problem(self) -> str | None:
        """Why the run should exit non-zero (something failed for good, or nothing went), or None."""
        return delivery_problem(
            sent=self.sent,
            failed=self.failed,
            failed_for_good=self.failed_for_good,
            refused=self.refused,
            retrying=self.retrying,
        )

    def summary(self) -> str:
        return (
            f"emails sent: {self.sent}, failed: {self.failed} (will be retried), "
            f"failed for good: {self.failed_for_good}, still queued: {self.remaining}"
        )


@dataclass
class Claimed:
    id: int
    to_email: str
    to_user_id: int | None
    subject: str
    text_body: str
    html_body: str
    attempts: int

    @property
    def outgoing(self) -> Outgoing:
        return Outgoing(self.id, self.to_email, self.subject, self.text_body, self.html_body)


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the `attempts`-th failure: 1, 2, 4 ... minutes, at most 6 hours."""
    return min(RETRY_BASE * 2 ** min(max(attempts - 1, 0), 20), RETRY_CAP)


def is_ready(now: datetime):
    """Rows a sender may take now: unsent, not given up on, due, and not claimed by a live sender."""
    return (
        OutboxMessage.sent_at.is_(None)
        & OutboxMessage.cancelled_at.is_(None)
        & OutboxMessage.failed_at.is_(None)
        & (OutboxMessage.send_after <= now)
        & or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - CLAIM_LEASE)
    )


def claim_batch(worker: str, now: datetime, size: int) -> list[Claimed]:
    """Claim up to `size` ready rows for `worker` and commit the claim.

    PostgreSQL skips rows another sender is claiming (FOR UPDATE SKIP LOCKED);
    on both databases the UPDATE repeats the readiness test, so a row claimed
    in between is never taken twice (SQLite runs one writer at a time).
    """
    # Oldest due first, read from the (sent_at, send_after) index: ordering by id instead
    # makes PostgreSQL walk every sent row before it finds an unsent one.
    query = (
        select(OutboxMessage.id)
        .where(is_ready(now))
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    if not ids:
        db.session.commit()
        return []
    rows = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), is_ready(now))
        .values(claimed_at=now, claimed_by=worker)
        .returning(
            OutboxMessage.id,
            OutboxMessage.to_email,
            OutboxMessage.to_user_id,
            OutboxMessage.subject,
            OutboxMessage.text_body,
            OutboxMessage.html_body,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


OUTBOX = OutboxMessage.__table__
MINE = (OUTBOX.c.id == bindparam("message_id")) & (OUTBOX.c.claimed_by == bindparam("worker"))
# Invitation and reset emails carry a live one-time link: once the message has gone,
# the copy in the database keeps the text as sent with the link blanked
# (lms.mail.rules.blank_one_time_links), so HR can still read what was said.
SECRET_KINDS = ("invitation", "password_reset")


def _redacted(column, blanked: str):
    return case((OUTBOX.c.kind.in_(SECRET_KINDS), bindparam(blanked)), else_=column)


def blanked_bodies(message: Claimed) -> dict[str, str]:
    """The bodies with their one-time links blanked, for the secret kinds' rows.

    Only a body with such a link is sent back to the database; the statement
    keeps every other kind's bodies as they are.
    """
    secret = "/invite/" in message.text_body or "/reset/" in message.text_body
    return {
        "blanked_text": blank_one_time_links(message.text_body) if secret else "",
        "blanked_html": blank_one_time_links(message.html_body) if secret else "",
    }


def _releasing(**values):
    """An UPDATE of this sender's claimed message that also lets the claim go."""
    return update(OUTBOX).where(MINE).values(claimed_at=None, claimed_by=None, **values)


# The bodies with any one-time link blanked (see blanked_bodies), once a message has gone
# or never will.
BLANKED = {
    "text_body": _redacted(OUTBOX.c.text_body, "blanked_text"),
    "html_body": _redacted(OUTBOX.c.html_body, "blanked_html"),
}
MARK_SENT = _releasing(sent_at=bindparam("now"), attempts=bindparam("attempts"), **BLANKED)
MARK_FAILED = _releasing(
    attempts=bindparam("attempts"),
    last_error=bindparam("error"),
    send_after=bindparam("send_after"),
)
# Refused for good (5xx): never tried again. A one-time link in it is of no use to anyone now.
MARK_UNDELIVERABLE = _releasing(
    failed_at=bindparam("now"),
    attempts=bindparam("attempts"),
    last_error=bindparam("error"),
    **BLANKED,
)
RELEASE = _releasing()
CANCEL = _releasing(cancelled_at=bindparam("now"), last_error=bindparam("error"))


class Outcomes:
    """Records each message's outcome at once, one autocommitted UPDATE each.

    A connection of its own in autocommit mode: one round trip per message,
    so a message the server accepted is marked sent before the next one goes.
    On PostgreSQL this connection does not wait for the WAL flush
    (synchronous_commit off): a crash of *this* process loses no mark, and
    only a crash of the database server in that fraction of a second could
    forget one and send the message again; waiting would cap delivery at one
    message per disk sync. SQLite's WAL with synchronous=NORMAL
    (lms.database) makes the same trade.
    """

    def __init__(self, worker: str, report: SendReport) -> None:
        self.worker, self.report = worker, report
        self.connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.is_postgresql = self.connection.dialect.name == "postgresql"
        if self.is_postgresql:
            self.connection.exec_driver_sql("SET synchronous_commit TO off")

    def close(self) -> None:
        if self.is_postgresql:
            # Never hand a pooled connection on with the setting changed.
            self.connection.invalidate()
        self.connection.close()

    def _update(self, statement, message: Claimed, **values) -> None:
        self.connection.execute(
            statement, {"message_id": message.id, "worker": self.worker, **values}
        )

    def sent(self, message: Claimed, now: datetime) -> None:
        self._update(
            MARK_SENT, message, now=now, attempts=message.attempts + 1, **blanked_bodies(message)
        )
        self.report.sent += 1

    def failed(self, message: Claimed, now: datetime, error: Exception) -> None:
        """Mark a message refused for good as failed; put any other back with backoff.

        The reason kept is in words HR can act on, with the server's reply
        (`lms.mail.rules.explain_failure`).
        """
        attempts = message.attempts + 1
        failure = explain_failure(error)
        reason = failure.reason[:1000]
        if failure.is_permanent:
            self._update(
                MARK_UNDELIVERABLE,
                message,
                now=now,
                attempts=attempts,
                error=reason,
                **blanked_bodies(message),
            )
            self.report.failed_for_good += 1
            self.report.refused = self.report.refused or reason
            return
        self._update(
            MARK_FAILED,
            message,
            attempts=attempts,
            error=reason,
            send_after=now + retry_delay(attempts),
        )
        self.report.failed += 1
        self.report.retrying = self.report.retrying or reason

    def untried(self, message: Claimed) -> None:
        self._update(RELEASE, message)

    def cancelled(self, message: Claimed, now: datetime, reason: str) -> None:
        self._update(CANCEL, message, now=now, error=reason)


def inactive_user_ids(batch: list[Claimed]) -> set[int]:
    ids = {m.to_user_id for m in batch if m.to_user_id is not None}
    if not ids:
        return set()
    return set(db.session.scalars(select(User.id).where(User.id.in_(ids), ~User.is_active)))


def deliver(batch: list[Claimed], now: datetime, outcomes: Outcomes) -> None:
    """Send a claimed batch over up to MAIL_CONNECTIONS parallel SMTP sessions.

    Outcomes are recorded as they arrive (a crash repeats at most the few
    messages in flight). Ones refused for good (5xx) are marked failed; other
    failures go back with backoff; untried ones
    (their session dropped) go back as they were, without counting a try.
    """
    inactive = inactive_user_ids(batch)
    for message in batch:
        if message.to_user_id in inactive:
            outcomes.cancelled(message, now, "recipient terminated")
    batch = [m for m in batch if m.to_user_id not in inactive]
    if not batch:
        return
    if current_app.config.get("MAIL_BACKEND") == "capture":
        # Development (`make run`): no mail server; each message is kept in the outbox as
        # sent, for HR to read there (the outbox page says so).
        for message in batch:
            outcomes.sent(message, now)
        return
    settings = SMTPSettings.from_config(current_app.config)
    sessions = max(1, min(int(current_app.config.get("MAIL_CONNECTIONS", CONNECTIONS)), len(batch)))
    results: queue.Queue = queue.Queue()
    threads = [
        threading.Thread(
            target=send_over_one_connection,
            args=([m.outgoing for m in batch[n::sessions]], settings, now, results),
            daemon=True,
        )
        for n in range(sessions)
    ]
    for thread in threads:
        thread.start()
    claimed = {m.id: m for m in batch}
    for _ in batch:
        outgoing, outcome, error = results.get()
        message = claimed[outgoing.id]
        if outcome == SENT:
            outcomes.sent(message, now)
        elif outcome == FAILED:
            outcomes.failed(message, now, error)
        else:
            outcomes.untried(message)
    for thread in threads:
        thread.join()


def send_queued(limit: int | None = None, *, now: datetime | None = None) -> SendReport:
    """Deliver every message that is due (at most `limit`), recording each as it goes.

    `now` is for tests of the retry schedule; by default the clock is read for
    each batch. Call it with no unfinished work in the session (it commits).
    """
    db.session.commit()
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]
    report = SendReport()
    outcomes = Outcomes(worker, report)
    try:
        while limit is None or report.tried < limit:
            size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - report.tried)
            clock = now or utcnow()
            batch = claim_batch(worker, clock, size)
            if not batch:
                break
            deliver(batch, clock, outcomes)
    finally:
        outcomes.close()
    report.remaining = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.cancelled_at.is_(None),
            OutboxMessage.failed_at.is_(None),
        )
    )
    db.session.commit()
    return report
