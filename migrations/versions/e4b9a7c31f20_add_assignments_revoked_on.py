"""Add assignments.revoked_on: the day a revoked certificate took the completion away

Revision ID: e4b9a7c31f20
Revises: 5b7e0c2d9a41
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
down_revision = "5b7e0c2d9a41"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_on", sa.Date(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops the column in place; a batch rebuild of the table would
        # drop the training_rev triggers on assignments with it.
        op.execute("ALTER TABLE assignments DROP COLUMN revoked_on")
        return
    op.drop_column("assignments", "revoked_on")
