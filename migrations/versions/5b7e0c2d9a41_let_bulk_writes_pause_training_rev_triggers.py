"""Let bulk writes pause the training_rev row triggers and raise each person once

Revision ID: 5b7e0c2d9a41
Revises: ac6af624a66e
Create Date: 2026-11-26 01:20:00

The row triggers on the training tables gain a condition: they do nothing while the
writing transaction has paused them (lms.models.revisions.revisions_raised_once).
PostgreSQL pauses with a transaction-local setting; SQLite with a row in the new,
normally empty, training_rev_pauses table. The statements are a copy of
lms.models.revisions as it was when this migration was written.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b7e0c2d9a41"
down_revision = "ac6af624a66e"
branch_labels = None
depends_on = None

TRAINING_TABLES = ("assignments", "attempts", "attestations", "completions", "certificates")
OPERATIONS = {
    "insert": "WHERE id = NEW.user_id",
    "update": "WHERE id IN (OLD.user_id, NEW.user_id)",
    "delete": "WHERE id = OLD.user_id",
}
BUMP = "UPDATE users SET training_rev = training_rev + 1"
SQLITE_UNLESS_PAUSED = "WHEN NOT EXISTS (SELECT 1 FROM training_rev_pauses)"
PG_UNLESS_PAUSED = (
    "WHEN (current_setting('attest.training_rev_paused', true) IS DISTINCT FROM 'on')"
)


def install(condition: str) -> None:
    """(Re)install the training tables' row triggers, with `condition` ("" for none)."""
    when = f"{condition} " if condition else ""
    if op.get_bind().dialect.name == "postgresql":
        for table in TRAINING_TABLES:
            op.execute(
                f"CREATE OR REPLACE TRIGGER {table}_training_rev AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW {when}EXECUTE FUNCTION attest_bump_training_rev()"
            )
        return
    for table in TRAINING_TABLES:
        for op_name, where in OPERATIONS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {table}_training_rev_{op_name}")
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_training_rev_{op_name} AFTER {op_name.upper()} "
                f"ON {table} {when}BEGIN {BUMP} {where}; END"
            )


def upgrade():
    op.create_table(
        "training_rev_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_rev_pauses")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    install(PG_UNLESS_PAUSED if postgres else SQLITE_UNLESS_PAUSED)


def downgrade():
    install("")
    op.drop_table("training_rev_pauses")
