"""users.email optional: people without a work email sign in with their employee number

Revision ID: b1d4e7a9c205
Revises: b5d1e7a3c9f2
Create Date: 2026-12-02 23:00:00

The UNIQUE constraint stays: SQLite and PostgreSQL both let any number of rows hold
NULL under it, so every address there is stays unique. SQLite cannot drop NOT NULL in
place: batch mode rebuilds the table, and SQLite refuses to drop a table that triggers
name (the training_rev triggers on other tables update users), so on SQLite the triggers
are read from sqlite_master, dropped, and created again as they were after the rebuild.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1d4e7a9c205"
down_revision = "b5d1e7a3c9f2"
branch_labels = None
depends_on = None


def foreign_keys(on: bool) -> None:
    """On SQLite, switch foreign key checks for the table rebuild (others reference users).

    Dropping the old users table while other tables' rows point at it fails with the checks
    on; the rebuilt table keeps every id, so nothing ends up dangling. SQLite ignores this
    pragma inside a transaction: it is the first statement of each step below.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def set_email_nullable(nullable: bool) -> None:
    bind = op.get_bind()
    triggers = []
    if bind.dialect.name == "sqlite":
        triggers = bind.execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        ).all()
        for name, _ in triggers:
            op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=nullable)
    for _, sql in triggers:
        op.execute(sql)


def upgrade():
    foreign_keys(False)
    set_email_nullable(True)
    foreign_keys(True)


def downgrade():
    foreign_keys(False)
    # Someone without an email cannot stay so: give them a placeholder address that names them.
    op.execute(
        "UPDATE users SET email = 'no-email-' || id || '@attest.invalid' WHERE email IS NULL"
    )
    set_email_nullable(False)
    foreign_keys(True)
