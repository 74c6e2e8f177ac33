"""Index people by (name, id) instead of by name alone

Revision ID: 8e5b3f1c7d42
Revises: 7c4d2e9a5b31
Create Date: 2026-12-03 13:00:00

HR's people list and its search run in (full_name, id) order. With the id in the index a
page's ids are an index-only walk, the search's `ILIKE` checked on each entry, which
stops at the page's last match instead of reading every person who matches (issue 18:
"Patel" matched 4,192 people at 100,000, 8.3 ms, against 0.7 ms for the walk). The
index on the name alone answers nothing this one does not.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8e5b3f1c7d42"
down_revision = "7c4d2e9a5b31"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_users_full_name_id", "users", ["full_name", "id"], unique=False)
    op.drop_index("ix_users_full_name", table_name="users")


def downgrade():
    op.create_index("ix_users_full_name", "users", ["full_name"], unique=False)
    op.drop_index("ix_users_full_name_id", table_name="users")
