"""Add attempt_requests: a learner asks HR for more quiz attempts, HR grants or refuses

Revision ID: f7c2d5e8a913
Revises: e4a7c9d2b813
Create Date: 2026-12-02 18:30:00

At most one open request per assignment and cycle: a partial unique index (SQLite and
PostgreSQL both have them).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f7c2d5e8a913"
down_revision = "e4a7c9d2b813"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attempt_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts_granted", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_attempt_requests_assignment_id_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_attempt_requests_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_attempt_requests_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_requests")),
    )
    with op.batch_alter_table("attempt_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attempt_requests_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attempt_requests_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_attempt_requests_open",
            ["assignment_id", "cycle"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )


def downgrade():
    with op.batch_alter_table("attempt_requests", schema=None) as batch_op:
        batch_op.drop_index("uq_attempt_requests_open")
        batch_op.drop_index(batch_op.f("ix_attempt_requests_user_id"))
        batch_op.drop_index(batch_op.f("ix_attempt_requests_assignment_id"))
    op.drop_table("attempt_requests")
