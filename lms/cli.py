"""The `flask lms ...` commands (DESIGN.md, "CLI")."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.extensions import db
from lms.models.base import utctoday


@click.group("lms")
def lms_group() -> None:
    """Attest administration commands."""


def parse_day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


@lms_group.command("sync-content")
@click.option("--dry-run", is_flag=True, help="Validate and report; change nothing.")
@with_appcontext
def sync_content_command(dry_run: bool) -> None:
    """Validate every file in the content folder and load them."""
    from lms.assignments import assign_programs
    from lms.content.loader import load_content
    from lms.content.sync import check_against_database, sync_content

    root = Path(current_app.config["LMS_CONTENT_DIR"])
    content = load_content(root)
    errors = content.errors or check_against_database(content)
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(errors)} problem(s) found; nothing was changed.", err=True)
        sys.exit(1)
    report = sync_content(content)
    assigned = assign_programs(utctoday())
    for line in report.lines():
        click.echo(line)
    click.echo(
        f"assignments: {assigned.created} created, {assigned.reopened} reopened, {assigned.closed} closed"
    )
    if dry_run:
        db.session.rollback()
        click.echo("dry run: nothing was changed")
    else:
        db.session.commit()
        click.echo(f"{len(content.modules)} modules and {len(content.programs)} programs in sync")


def read_password(password_stdin: bool) -> str | None:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return None


@lms_group.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--employee-id")
@click.option("--department")
@click.option("--role")
@click.option("--hire-date", callback=parse_day, help="YYYY-MM-DD")
@click.option("--manager-email")
@click.option("--hr", "is_hr", is_flag=True, help="Give HR rights.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(password_stdin: bool, **fields) -> None:
    """Create one person; without a password they are sent an invitation."""
    create_person(password=read_password(password_stdin), **fields)


@lms_group.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_admin_command(email: str, full_name: str, password_stdin: bool) -> None:
    """Create an HR user."""
    create_person(
        email=email, full_name=full_name, is_hr=True, password=read_password(password_stdin)
    )


def create_person(**fields) -> None:
    from lms.people import PeopleError, create_user

    try:
        user = create_user(today=utctoday(), **fields)
    except PeopleError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.email}{' (HR)' if user.is_hr else ''}")
    if user.password_hash is None:
        click.echo("no password set: the person can be sent an invitation to choose one")


@lms_group.command("demo")
@click.option("--employees", default=12, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=1, show_default=True, type=int)
@with_appcontext
def demo_command(employees: int, seed: int) -> None:
    """Load a demo organisation with two years of history."""
    from lms.demo import load_demo

    result = load_demo(employees=employees, seed=seed, today=utctoday())
    db.session.commit()
    click.echo(f"demo loaded: {result.people} people, {result.completions} completions")
    click.echo(
        f"sign in at {current_app.config['LMS_BASE_URL']}/login with password {result.password!r}:"
    )
    for label, email in result.logins:
        click.echo(f"  {label:<10} {email}")
