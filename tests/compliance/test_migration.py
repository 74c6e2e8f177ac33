"""The summary's migration on a database that already has people and training: it counts them."""

from datetime import date

from sqlalchemy import text

from lms.compliance.operations import verify_and_repair
from lms.extensions import db
from tests.ops.support import run_migrations
from tests.test_migrations import empty_app  # noqa: F401 - fixture reused here

SUMMARY = "3c9e5d1a7f42"


def test_the_migration_counts_what_is_there_and_the_triggers_carry_on(empty_app):  # noqa: F811
    run_migrations("upgrade", f"{SUMMARY}-1")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO modules (id, slug, is_archived, created_at) "
                "VALUES (1, 'dignity', false, '2026-01-01 00:00:00')"
            )
        )
        for user_id, manager_id, department in (
            (1, None, "Stores"),
            (2, 1, "Stores"),
            (3, 2, None),
        ):
            conn.execute(
                text(
                    "INSERT INTO users (id, email, full_name, department, manager_id, is_hr, "
                    "is_active, session_version, created_at, training_rev) VALUES "
                    "(:id, :email, 'Someone', :department, :manager, false, true, 1, "
                    "'2026-01-01 00:00:00', 0)"
                ),
                {
                    "id": user_id,
                    "email": f"p{user_id}@example.com",
                    "manager": manager_id,
                    "department": department,
                },
            )
            conn.execute(
                text(
                    "INSERT INTO assignments (user_id, module_id, assigned_on, due_date, cycle, "
                    "completed_on, expires_on, renewal_opens_on, extra_attempts, created_at) "
                    "VALUES (:user, 1, '2026-01-01', '2026-02-01', 1, :done, :expires, :opens, 0, "
                    "'2026-01-01 00:00:00')"
                ),
                {
                    "user": user_id,
                    "done": date(2026, 1, 20) if user_id != 3 else None,
                    "expires": date(2027, 2, 1) if user_id != 3 else None,
                    "opens": date(2026, 12, 1) if user_id != 3 else None,
                },
            )
    run_migrations("upgrade", "head")
    counts = db.session.execute(
        text(
            "SELECT kind, SUM(n) FROM compliance_counts WHERE scope_id = 0 AND level = 'y' GROUP BY kind"
        )
    ).all()
    assert dict(counts) == {"w": 2, "e": 2, "n": 1}
    scopes = db.session.execute(text("SELECT user_id, scope_id FROM compliance_scopes")).all()
    assert sorted(scopes) == [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
    assert not verify_and_repair().repaired
    db.session.execute(text("UPDATE assignments SET completed_on = '2026-03-01' WHERE user_id = 3"))
    db.session.execute(text("UPDATE users SET department = 'Online' WHERE id = 2"))
    assert not verify_and_repair().repaired
    db.session.rollback()
