"""Add sent_reminders: the keys of reminders sent inside a daily "New training" message

Revision ID: f7c2d5a8e913
Revises: f7c2d5e8a913
Create Date: 2026-12-02 18:30:00

A new hire's new assignments go out as one message a day listing them all; each item's
(assignment, cycle, kind, step) key is claimed in this table so it is sent at most once
(lms.models.mail.SentReminder). A new table: nothing is rebuilt on SQLite.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f7c2d5a8e913"
down_revision = "f7c2d5e8a913"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sent_reminders",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name="fk_sent_reminders_assignment_id_assignments"
        ),
        sa.PrimaryKeyConstraint("key", name="pk_sent_reminders"),
    )
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sent_reminders_assignment_id"), ["assignment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_reminders_assignment_id"))
    op.drop_table("sent_reminders")
