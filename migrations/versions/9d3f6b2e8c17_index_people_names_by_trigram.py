"""Index people's names by trigram on PostgreSQL, for HR's people search

Revision ID: 9d3f6b2e8c17
Revises: 3c9e5d1a7f42
Create Date: 2026-12-03 03:20:00

HR's search matches part of a name (`full_name ILIKE '%patel%'`, or an email or employee
id): no B-tree answers that, so every search read every person (160 ms for a surname at
100,000 people, 100 ms + 214 ms for an employee id; bench/README.md, "The people list").
A GIN index of trigrams (the pg_trgm extension, trusted since PostgreSQL 13: the
database's owner may create it) answers it from the names that match (6 ms and 0.1 ms).
SQLite has no trigram index: there it is a plain index on the name, as the model says.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d3f6b2e8c17"
down_revision = "3c9e5d1a7f42"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    op.create_index(
        "ix_users_full_name_trgm",
        "users",
        ["full_name"],
        postgresql_using="gin",
        postgresql_ops={"full_name": "public.gin_trgm_ops"},
    )


def downgrade():
    # The extension stays: other tables, or other applications in the database, may use it.
    op.drop_index("ix_users_full_name_trgm", table_name="users")
