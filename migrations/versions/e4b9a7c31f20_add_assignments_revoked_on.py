"""Add assignments.revoked_on and import_jobs

assignments.revoked_on: the day a revoked certificate took the completion away.
import_jobs: a large CSV import confirmed on the web runs in the background, and any
instance shows its progress and result from this table (lms.imports.jobs).

Revision ID: e4b9a7c31f20
Revises: e3a9c41f7b20
Create Date: 2026-12-02 17:30:00

A revocation ends the assignment's cycle (lms.certificates.operations.revoke_certificate):
it is due again and the holder's list says why, from this date, until the next completion
clears it. Neither direction rebuilds the table on SQLite, so the training_rev triggers on
assignments stay as they are.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4b9a7c31f20"
down_revision = "e3a9c41f7b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_on", sa.Date(), nullable=True))
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staged_import_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("is_partial", sa.Boolean(), nullable=False),
        sa.Column("is_invite", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_import_jobs_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        sa.UniqueConstraint("staged_import_id", name=op.f("uq_import_jobs_staged_import_id")),
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_jobs_created_by_id"), ["created_by_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_jobs_created_by_id"))
    op.drop_table("import_jobs")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops the column in place; a batch rebuild of the table would
        # drop the training_rev triggers on assignments with it.
        op.execute("ALTER TABLE assignments DROP COLUMN revoked_on")
        return
    op.drop_column("assignments", "revoked_on")
