"""`flask lms create-user`, `create-admin` and `demo`."""

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Assignment, User


def test_create_user_with_password_from_stdin_gets_assignments(runner, synced):
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--email",
            "New.Hire@Example.com",
            "--name",
            "Nia  Hire",
            "--employee-id",
            "E42",
            "--department",
            "Stores",
            "--role",
            "Cashier",
            "--hire-date",
            "2026-01-05",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.hire@example.com"))
    assert user.full_name == "Nia Hire" and user.employee_id == "E42" and not user.is_hr
    assert user.password_hash.startswith("$argon2id$")
    assert db.session.scalar(select(func.count()).where(Assignment.user_id == user.id)) == 1


def test_create_admin_makes_an_hr_user(runner, app):
    result = runner.invoke(
        args=[
            "lms",
            "create-admin",
            "--email",
            "hr@example.com",
            "--name",
            "Hana Reyes",
            "--password-stdin",
        ],
        input="another long password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.is_hr).where(User.email == "hr@example.com")) is True


def test_create_user_refuses_bad_input_and_changes_nothing(runner, app):
    cases = [
        (["--email", "not-an-email", "--name", "X"], "is not an email address"),
        (
            ["--email", "a@example.com", "--name", "X", "--hire-date", "05/01/2026"],
            "use YYYY-MM-DD",
        ),
        (
            ["--email", "a@example.com", "--name", "X", "--manager-email", "boss@example.com"],
            "no manager with the email",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(
            args=["lms", "create-user", *args, "--password-stdin"], input="long enough password\n"
        )
        assert result.exit_code != 0 and message in result.output, result.output
    short = runner.invoke(
        args=["lms", "create-user", "--email", "a@example.com", "--name", "X", "--password-stdin"],
        input="short\n",
    )
    assert "password refused" in short.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_duplicate_email_is_refused(runner, app):
    args = ["lms", "create-user", "--email", "a@example.com", "--name", "A", "--password-stdin"]
    assert runner.invoke(args=args, input="long enough password\n").exit_code == 0
    again = runner.invoke(args=args, input="long enough password\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_loads_an_organisation_and_prints_logins(runner, synced):
    result = runner.invoke(args=["lms", "demo"])
    assert result.exit_code == 0, result.output
    for email in ("hr@example.com", "manager.stores@example.com", "employee@example.com"):
        assert email in result.output
    assert "attest-demo-password" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) >= 13
