"""Drop the index on assignments.user_id: the unique (user_id, module_id) index answers it

Revision ID: 7c4d2e9a5b31
Revises: 6a2f8d4c1e90
Create Date: 2026-12-03 10:30:00

Every lookup of a person's assignments can use uq_assignments_user_id_module_id, whose
first column is user_id. The second index cost one more entry per assignment written:
966,000 in a 100,000-person import (issue 18).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "7c4d2e9a5b31"
down_revision = "6a2f8d4c1e90"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_assignments_user_id", table_name="assignments")


def downgrade():
    op.create_index("ix_assignments_user_id", "assignments", ["user_id"], unique=False)
