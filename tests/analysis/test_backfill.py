"""The migration that adds the answer tables fills them from attempts graded before it."""

import random

from sqlalchemy import select

from lms import create_app
from lms.extensions import db
from lms.learn.operations import (
    current_version,
    cycle_attempts,
    progress_of,
    start_attempt,
    submit_attempt,
)
from lms.models import Assignment, AttemptAnswer, AttemptPick, Choice
from lms.models.base import utctoday
from tests.factories import make_employee
from tests.ops.support import empty_database, run_migrations

BEFORE = "5b7e0c2d9a41"


def answer_tables():
    db.session.expire_all()
    answers = db.session.execute(
        select(
            AttemptAnswer.attempt_id,
            AttemptAnswer.question_id,
            AttemptAnswer.module_version_id,
            AttemptAnswer.is_correct,
            AttemptAnswer.attempt_right,
        ).order_by(AttemptAnswer.attempt_id, AttemptAnswer.question_id)
    ).all()
    picks = db.session.execute(
        select(
            AttemptPick.attempt_id,
            AttemptPick.choice_id,
            AttemptPick.question_id,
            AttemptPick.module_version_id,
        ).order_by(AttemptPick.attempt_id, AttemptPick.choice_id)
    ).all()
    return answers, picks


def test_upgrade_copies_graded_attempts_into_the_answer_tables(tmp_path, content_dir, monkeypatch):
    monkeypatch.setenv("LMS_ENV", "testing")
    with empty_database(tmp_path) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_CONTENT_DIR": str(content_dir)})
        with app.app_context():
            run_migrations("upgrade", "head")
            assert app.test_cli_runner().invoke(args=["lms", "sync-content"]).exit_code == 0
            rng = random.Random(7)
            for n in range(6):
                user = make_employee(email=f"p{n}@example.com", full_name=f"Person {n}")
                assignment = db.session.scalar(
                    select(Assignment).where(Assignment.user_id == user.id)
                )
                progress = progress_of(
                    assignment,
                    current_version(assignment.module_id),
                    cycle_attempts(assignment),
                    utctoday(),
                )
                attempt = start_attempt(progress, utctoday(), rng)
                submitted = {}
                for item in attempt.drawn:
                    picks = rng.sample(item["choice_ids"], k=rng.choice([1, 2]))
                    submitted[str(item["question_id"])] = [str(c) for c in picks]
                submit_attempt(attempt, submitted)
                db.session.commit()
            start_attempt(
                progress_of(
                    assignment,
                    current_version(assignment.module_id),
                    cycle_attempts(assignment),
                    utctoday(),
                ),
                utctoday(),
            )
            db.session.commit()  # one open attempt besides: not copied
            graded = answer_tables()
            assert len(graded[0]) == 12 and graded[1]
            assert db.session.scalar(select(Choice.id)) is not None
            db.session.remove()

            run_migrations("downgrade", BEFORE)
            run_migrations("upgrade", "head")
            assert answer_tables() == graded
            db.session.remove()
            db.engine.dispose()
