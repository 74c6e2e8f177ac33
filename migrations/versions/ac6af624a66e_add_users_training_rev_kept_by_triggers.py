"""Add users.training_rev, kept by triggers, for the learner's page cache

Revision ID: ac6af624a66e
Revises: 8c641e1546c2
Create Date: 2026-11-25 22:36:44.203623

The trigger statements are a copy of lms.models.revisions as it was when this
migration was written (a migration must not change when the app does).
On SQLite, downgrade drops the triggers before the column: rebuilding the users
table while triggers name it would fail.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ac6af624a66e"
down_revision = "8c641e1546c2"
branch_labels = None
depends_on = None

TRAINING_TABLES = ("assignments", "attempts", "attestations", "completions", "certificates")
CONTENT_TABLES = ("modules", "module_versions")
OPERATIONS = {
    "insert": "WHERE id = NEW.user_id",
    "update": "WHERE id IN (OLD.user_id, NEW.user_id)",
    "delete": "WHERE id = OLD.user_id",
}
BUMP = "UPDATE users SET training_rev = training_rev + 1"

POSTGRESQL_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION attest_bump_training_rev() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {BUMP} WHERE id = NEW.user_id;
  ELSIF TG_OP = 'DELETE' THEN
    {BUMP} WHERE id = OLD.user_id;
  ELSE
    {BUMP} WHERE id IN (OLD.user_id, NEW.user_id);
  END IF;
  RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION attest_bump_all_training_revs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  {BUMP};
  RETURN NULL;
END $$""",
]


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("training_rev", sa.Integer(), server_default="0", nullable=False)
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_FUNCTIONS:
            op.execute(statement)
        for table in TRAINING_TABLES:
            op.execute(
                f"CREATE OR REPLACE TRIGGER {table}_training_rev AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION attest_bump_training_rev()"
            )
        for table in CONTENT_TABLES:
            op.execute(
                f"CREATE OR REPLACE TRIGGER {table}_training_rev AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION attest_bump_all_training_revs()"
            )
    else:
        for table in TRAINING_TABLES:
            for op_name, where in OPERATIONS.items():
                op.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_training_rev_{op_name} "
                    f"AFTER {op_name.upper()} ON {table} BEGIN {BUMP} {where}; END"
                )
        for table in CONTENT_TABLES:
            for op_name in OPERATIONS:
                op.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_training_rev_{op_name} "
                    f"AFTER {op_name.upper()} ON {table} BEGIN {BUMP}; END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in (*TRAINING_TABLES, *CONTENT_TABLES):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_training_rev ON {table}")
        op.execute("DROP FUNCTION IF EXISTS attest_bump_training_rev()")
        op.execute("DROP FUNCTION IF EXISTS attest_bump_all_training_revs()")
    else:
        for table in (*TRAINING_TABLES, *CONTENT_TABLES):
            for op_name in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_training_rev_{op_name}")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("training_rev")
