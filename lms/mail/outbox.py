"""Queue email in the caller's transaction, and read the queue back for HR."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import String, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from lms.extensions import db
from lms.models import OutboxMessage, User
from lms.models.base import utcnow
from lms.models.mail import CANCELLED, FAILED, QUEUED, RETRYING, SENT


def absolute_url(path: str) -> str:
    """Return LMS_BASE_URL + path: links in email must work outside the app, so never `url_for`."""
    return current_app.config["LMS_BASE_URL"].rstrip("/") + "/" + path.lstrip("/")


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render `mail/<template>.txt` and `mail/<template>.html`.

    Besides `context` the templates get `base_url` (LMS_BASE_URL),
    `absolute(path)` and `org_name`, and none of the app's web globals
    (there is no request behind an email).
    """
    values = {
        "base_url": current_app.config["LMS_BASE_URL"].rstrip("/"),
        "absolute": absolute_url,
        "org_name": current_app.config.get("LMS_ORG_NAME", "Attest"),
        **context,
    }
    env = current_app.jinja_env
    # A shared context skips copying the app's globals for every render: renew renders
    # tens of thousands of these on a catch-up day. `root_render_func` is Jinja's own
    # (what Template.render calls; no public call takes a shared context): Jinja2 is
    # pinned in requirements.txt and tests/ops/test_library_seams.py holds the behaviour.
    text, html = (env.get_template(f"mail/{template}.{ext}") for ext in ("txt", "html"))
    return (
        "".join(text.root_render_func(text.new_context(values, shared=True))),
        "".join(html.root_render_func(html.new_context(values, shared=True))),
    )


def message_values(
    *,
    to: User | str,
    subject: str,
    template: str,
    context: dict[str, Any],
    key: str | None = None,
    kind: str = "notice",
    about: User | int | None = None,
    assignment_id: int | None = None,
) -> dict[str, Any] | None:
    """Render one email into an outbox row's values, or None for a terminated person.

    None too for someone without an email address (and for no address at all):
    mail is never queued to nobody; their reminders reach their manager instead
    (lms.renewal.team).
    """
    recipient = to if isinstance(to, User) else None
    if recipient is not None and (not recipient.is_active or not recipient.email):
        return None
    if recipient is None and not to:
        return None
    about_id = about.id if isinstance(about, User) else about
    if about_id is None and recipient is not None:
        about_id = recipient.id
    text, html = render_email(template, {"recipient": recipient, "subject": subject, **context})
    now = utcnow()
    return {
        "key": key,
        "kind": kind,
        "subject": subject,
        "text_body": text,
        "html_body": html,
        "to_email": recipient.email if recipient is not None else to,
        "to_user_id": recipient.id if recipient is not None else None,
        "about_user_id": about_id,
        "assignment_id": assignment_id,
        "created_at": now,
        "send_after": now,
        "attempts": 0,
    }


def queue_email(**message: Any) -> OutboxMessage | None:
    """Queue one email in the current transaction (flushes only; the caller commits).

    Takes `message_values`' keywords. `to` is a person (their address; nothing
    is queued for a terminated one) or a bare address. The templates get
    `recipient` (the User, or None) and `subject` besides `context`. A `key`
    already in the outbox means this email was queued before: nothing is added
    and None is returned. `about` is whose record the message concerns
    (default: the recipient); HR sees it in that person's history.
    `assignment_id` ties it to a training record.
    """
    values = message_values(**message)
    if values is None:
        return None
    return db.session.scalars(insert_statement(dialect_name(), True), values).first()


# Rows per INSERT on PostgreSQL (`queue_emails`): a catch-up day's batch of people is a few
# thousand messages of ~2 kB each, so a statement stays within a few megabytes.
UNNEST_ROWS = 5000


def queue_emails(rows: list[dict[str, Any]]) -> list[str]:
    """Insert many `message_values` rows in one statement; return the kinds actually queued.

    Rows whose key is already in the outbox are skipped, as in `queue_email`.

    On PostgreSQL the rows go in as one array per column (`unnest_insert`): as
    executemany, SQLAlchemy sends multi-row VALUES of 1,000 rows with twelve
    parameters each, which psycopg parses afresh every time (a statement that long
    is past its cache), and that parsing was over a quarter of `renew`'s time on the
    100,000-person demo's catch-up (profiled: 46 of 175 s for 205,654 messages).
    """
    rows = [row for row in rows if row is not None]
    if not rows:
        return []
    dialect = dialect_name()
    if dialect != "postgresql":
        return list(db.session.scalars(insert_statement(dialect, False), rows))
    columns = tuple(rows[0])
    statement = unnest_insert(columns)
    kinds: list[str] = []
    for start in range(0, len(rows), UNNEST_ROWS):
        chunk = rows[start : start + UNNEST_ROWS]
        arrays = {name: [row[name] for row in chunk] for name in columns}
        kinds += db.session.scalars(statement, arrays)
    return kinds


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


@cache
def insert_statement(dialect: str, orm_rows: bool):
    """INSERT ... ON CONFLICT (key) DO NOTHING RETURNING the row (or its kind, for many).

    Built once per dialect with values bound at execution, so SQLAlchemy
    compiles it once; SQLite and PostgreSQL both skip a duplicate key this way.
    """
    target = OutboxMessage if orm_rows else OutboxMessage.__table__
    if dialect == "postgresql":
        stmt = postgresql.insert(target).on_conflict_do_nothing(index_elements=["key"])
    elif dialect == "sqlite":
        stmt = sqlite.insert(target).on_conflict_do_nothing(index_elements=["key"])
    else:  # pragma: no cover - Attest runs on SQLite and PostgreSQL only
        raise RuntimeError(f"no idempotent insert for {dialect}")
    return stmt.returning(OutboxMessage if orm_rows else OutboxMessage.__table__.c.kind)


@cache
def unnest_insert(columns: tuple[str, ...]):
    """INSERT ... SELECT FROM unnest(one array per column) ON CONFLICT (key) DO NOTHING
    RETURNING kind (PostgreSQL): the rows in array order, the statement the same for any
    number of rows, so psycopg prepares it once."""
    table = OutboxMessage.__table__
    # Each bound as an array of the column's type (psycopg's dialect casts it so), strings
    # without their length: a cast to VARCHAR(n) would cut a value that INSERT refuses.
    arrays = [
        bindparam(name, type_=postgresql.ARRAY(array_type(table.c[name].type))) for name in columns
    ]
    rows = func.unnest(*arrays).table_valued(*columns).render_derived()
    return (
        postgresql.insert(table)
        .from_select(list(columns), select(*rows.c))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.kind)
    )


def array_type(column_type):
    return String() if isinstance(column_type, String) else column_type


def messages_for_user(user_id: int, limit: int = 200) -> list[OutboxMessage]:
    """Return email sent to, or about, one person, newest first (for their transcript)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(or_(OutboxMessage.to_user_id == user_id, OutboxMessage.about_user_id == user_id))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def status_filter(status: str):
    """Return the WHERE clause selecting messages in one `OutboxMessage.status`."""
    not_sent = OutboxMessage.sent_at.is_(None) & OutboxMessage.cancelled_at.is_(None)
    unsent = not_sent & OutboxMessage.failed_at.is_(None)
    return {
        SENT: OutboxMessage.sent_at.is_not(None),
        CANCELLED: OutboxMessage.sent_at.is_(None) & OutboxMessage.cancelled_at.is_not(None),
        FAILED: not_sent & OutboxMessage.failed_at.is_not(None),
        QUEUED: unsent & (OutboxMessage.attempts == 0),
        RETRYING: unsent & (OutboxMessage.attempts > 0),
    }[status]


def list_messages(status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
    """Return the newest messages, optionally only those in one status (for HR's outbox page)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(status_filter(status))
    return list(db.session.scalars(query))


def outbox_counts() -> dict[str, int]:
    """Return how many messages are queued, retrying, sent, not sent (cancelled) and failed."""
    return {
        status: db.session.scalar(select(func.count(OutboxMessage.id)).where(status_filter(status)))
        for status in (QUEUED, RETRYING, SENT, CANCELLED, FAILED)
    }
