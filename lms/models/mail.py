"""The outbox: every email is a row, queued with the change that caused it, sent later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

QUEUED = "queued"
RETRYING = "retrying"
SENT = "sent"
CANCELLED = "cancelled"
FAILED = "failed"  # the mail server refused it for good (5xx): never retried


class OutboxMessage(db.Model):
    """One email to one address, kept after sending as the record of what was sent to whom.

    `key` makes a message idempotent: reminders use
    `"<assignment_id>:<cycle>:<kind>:<step>"`, so however often or however many
    times at once `renew` runs, each reminder is queued at most once. A sender
    claims a row (`claimed_at`/`claimed_by`, a lease) before it talks to SMTP;
    a temporary failure puts the row back with `send_after` pushed out
    (backoff); a permanent refusal (5xx) sets `failed_at`, with the server's
    reason in `last_error`, and the row is never tried again.
    """

    __tablename__ = "outbox_messages"
    # The sender's query: unsent rows whose time has come.
    __table_args__ = (Index("ix_outbox_messages_queue", "sent_at", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_email: Mapped[str] = mapped_column(String(254))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Whose record the message is about (the employee, for a copy to their manager).
    about_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status(self) -> str:
        if self.sent_at is not None:
            return SENT
        if self.cancelled_at is not None:
            return CANCELLED
        if self.failed_at is not None:
            return FAILED
        return RETRYING if self.attempts else QUEUED


class SentReminder(db.Model):
    """A reminder queued inside another message: its key, kept to send it at most once.

    A new hire's "New training" items go out as one message a day listing them
    all (lms.renewal.rules.new_training_digests), so that message's own key cannot
    stand for each item. Each item's `"<assignment_id>:<cycle>:assigned:<step>"`
    key is claimed here instead, in the transaction that queues the message: an
    item whose key is already here is never listed again, however often or
    however many times at once `renew` runs.
    """

    __tablename__ = "sent_reminders"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    message_key: Mapped[str | None] = mapped_column(String(200))  # the message that listed it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
