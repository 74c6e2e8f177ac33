"""Add outbox_messages.failed_at: a message the mail server refused for good

Revision ID: c4f2a9e7d1b3
Revises: 5b7e0c2d9a41
Create Date: 2026-12-02 17:30:00

A permanent SMTP refusal (5xx) is no longer retried: the message is marked
failed (failed_at) with the server's reason in last_error.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4f2a9e7d1b3"
down_revision = "5b7e0c2d9a41"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
