"""Allow one open quiz attempt per assignment

Revision ID: 8c641e1546c2
Revises: d8ec16d04a9d
Create Date: 2026-11-25 22:05:13.152480

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '8c641e1546c2'
down_revision = 'd8ec16d04a9d'
branch_labels = None
depends_on = None

def upgrade():
    # A double-clicked "start" could open two attempts; the quiz code now relies on this
    # index to keep one (lms.learn.operations.start_attempt).
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('uq_attempts_open_assignment_id', ['assignment_id'], unique=True, sqlite_where=sa.text('submitted_at IS NULL'), postgresql_where=sa.text('submitted_at IS NULL'))

def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('uq_attempts_open_assignment_id', sqlite_where=sa.text('submitted_at IS NULL'), postgresql_where=sa.text('submitted_at IS NULL'))

