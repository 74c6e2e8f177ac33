"""Store each choice's why, a version's changes and source, and graded answers per question

Revision ID: e4a7c9d2b813
Revises: e4b9a7c31f20
Create Date: 2026-12-02 17:40:00

Per-choice feedback (`choices.why`), "what changed" (`module_versions.changes`) and
item analysis: where each module and question came from (`module_versions.source_path`,
`questions.line`) and two tables written when an attempt is graded,
`attempt_answers` (one row per question) and `attempt_picks` (one per choice picked),
so that a question's figures are a GROUP BY instead of a read of every attempt's JSON.
Existing submitted attempts are copied into them from `attempts.answers`/`results`.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4a7c9d2b813"
down_revision = "e4b9a7c31f20"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table("choices") as batch:
        batch.add_column(sa.Column("why", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("line", sa.Integer(), nullable=True))
    with op.batch_alter_table("module_versions") as batch:
        batch.add_column(sa.Column("changes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("source_path", sa.String(length=300), nullable=True))
    op.create_table(
        "attempt_answers",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("module_version_id", sa.Integer(), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=False),
        sa.Column("attempt_right", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name="fk_attempt_answers_attempt_id_attempts"
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name="fk_attempt_answers_question_id_questions"
        ),
        sa.ForeignKeyConstraint(
            ["module_version_id"],
            ["module_versions.id"],
            name="fk_attempt_answers_module_version_id_module_versions",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "question_id", name="pk_attempt_answers"),
    )
    op.create_index(
        "ix_attempt_answers_version_question",
        "attempt_answers",
        ["module_version_id", "question_id", "is_correct", "attempt_right"],
    )
    op.create_table(
        "attempt_picks",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("choice_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("module_version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name="fk_attempt_picks_attempt_id_attempts"
        ),
        sa.ForeignKeyConstraint(
            ["choice_id"], ["choices.id"], name="fk_attempt_picks_choice_id_choices"
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name="fk_attempt_picks_question_id_questions"
        ),
        sa.ForeignKeyConstraint(
            ["module_version_id"],
            ["module_versions.id"],
            name="fk_attempt_picks_module_version_id_module_versions",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "choice_id", name="pk_attempt_picks"),
    )
    op.create_index(
        "ix_attempt_picks_version_choice", "attempt_picks", ["module_version_id", "choice_id"]
    )
    backfill()


def backfill():
    """Copy every submitted attempt's graded answers into the new tables, a batch at a time."""
    bind = op.get_bind()
    attempts = sa.table(
        "attempts",
        sa.column("id", sa.Integer),
        sa.column("module_version_id", sa.Integer),
        sa.column("submitted_at"),
        sa.column("answers", sa.JSON),
        sa.column("results", sa.JSON),
    )
    answers_table = sa.table(
        "attempt_answers",
        *(sa.column(n) for n in ("attempt_id", "question_id", "module_version_id")),
        sa.column("is_correct", sa.Boolean),
        sa.column("attempt_right", sa.Integer),
    )
    picks_table = sa.table(
        "attempt_picks",
        *(sa.column(n) for n in ("attempt_id", "choice_id", "question_id", "module_version_id")),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(attempts.c.id, attempts.c.module_version_id, attempts.c.answers,
                      attempts.c.results)
            .where(attempts.c.id > last, attempts.c.submitted_at.is_not(None))
            .order_by(attempts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        answers, picks = [], []
        for attempt_id, version_id, picked, results in rows:
            results = results or {}
            right = sum(1 for ok in results.values() if ok)
            for question_id, ok in results.items():
                answers.append({"attempt_id": attempt_id, "question_id": int(question_id),
                                "module_version_id": version_id, "is_correct": bool(ok),
                                "attempt_right": right})
            for question_id, choice_ids in (picked or {}).items():
                picks.extend({"attempt_id": attempt_id, "choice_id": int(c),
                              "question_id": int(question_id), "module_version_id": version_id}
                             for c in choice_ids)
        if answers:
            bind.execute(answers_table.insert(), answers)
        if picks:
            bind.execute(picks_table.insert(), picks)


def downgrade():
    op.drop_index("ix_attempt_picks_version_choice", table_name="attempt_picks")
    op.drop_table("attempt_picks")
    op.drop_index("ix_attempt_answers_version_question", table_name="attempt_answers")
    op.drop_table("attempt_answers")
    # recreate="never": SQLite (3.35 and later) drops a plain column in place. Copying
    # module_versions, questions and choices into new tables instead would break the
    # foreign keys of every attempt and attestation that points at them.
    with op.batch_alter_table("module_versions", recreate="never") as batch:
        batch.drop_column("source_path")
        batch.drop_column("changes")
    with op.batch_alter_table("questions", recreate="never") as batch:
        batch.drop_column("line")
    with op.batch_alter_table("choices", recreate="never") as batch:
        batch.drop_column("why")
