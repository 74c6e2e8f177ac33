"""Add user_sessions.last_seen_at: a session's latest activity, for idle sign-out

Revision ID: b5d1e7a3c9f2
Revises: f7c2d5a8e913
Create Date: 2026-12-02 23:30:00

Shared devices (LMS_IDLE_SIGNOUT_MINUTES) sign a person out after that long without
activity; the server reads the session's latest activity from here (lms.idle). Nullable:
sessions open at the upgrade count from when they started.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d1e7a3c9f2"
down_revision = "f7c2d5a8e913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_column("last_seen_at")
