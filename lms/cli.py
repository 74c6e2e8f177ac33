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
    from lms.imports.csvfile import check_date

    day, problem = check_date(value.strip())
    if problem is not None:
        raise click.BadParameter(problem)
    return day


@lms_group.command("sync-content")
@click.option("--dry-run", is_flag=True, help="Validate and report; change nothing.")
@with_appcontext
def sync_content_command(dry_run: bool) -> None:
    """Validate every file in the content folder and load them."""
    from lms.assignments import assign_programs
    from lms.content.loader import load_content
    from lms.content.sync import check_against_database, sync_content
    from lms.renewal.retraining import apply_retraining

    root = Path(current_app.config["LMS_CONTENT_DIR"])
    content = load_content(root)
    errors = content.errors or check_against_database(content)
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(errors)} problem(s) found; nothing was changed.", err=True)
        sys.exit(1)
    echo_warnings(content, err=True)
    report = sync_content(content)
    assigned = assign_programs(utctoday())
    retrained = apply_retraining(report.versions_raised, utctoday())
    for line in report.lines():
        click.echo(line)
    click.echo(
        f"assignments: {assigned.created} created, {assigned.reopened} reopened, {assigned.closed} closed"
    )
    click.echo(f"retraining: {retrained} holder(s) given a new due date")
    if dry_run:
        db.session.rollback()
        click.echo("dry run: nothing was changed")
    else:
        db.session.commit()
        click.echo(f"{len(content.modules)} modules and {len(content.programs)} programs in sync")


def echo_warnings(content, *, err: bool) -> int:
    """Print the item-writing warnings for loaded content; return how many there were."""
    from lms.content.checks import check_modules

    warnings = check_modules(content.modules.values())
    for warning in warnings:
        click.echo(str(warning), err=err)
    return len(warnings)


@lms_group.command("check-content")
@click.option("--strict", is_flag=True, help="Exit 1 when there is any warning.")
@with_appcontext
def check_content_command(strict: bool) -> None:
    """Print item-writing warnings for the content folder (errors as sync-content does)."""
    from lms.content.loader import load_content

    content = load_content(Path(current_app.config["LMS_CONTENT_DIR"]))
    if content.errors:
        for error in content.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(content.errors)} problem(s) found; sync-content would refuse.", err=True)
        sys.exit(1)
    count = echo_warnings(content, err=False)
    click.echo(
        f"{len(content.modules)} modules checked: {count} warning(s)"
        + (" (--strict: failing)" if strict and count else ""),
        err=True,
    )
    if strict and count:
        sys.exit(1)


@lms_group.command("gift-to-yaml")
@click.argument("gift_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--skip-unsupported", is_flag=True, help="Convert what Attest can grade; list the rest."
)
def gift_to_yaml_command(gift_file: str, skip_unsupported: bool) -> None:
    """Convert a Moodle GIFT question bank to quiz YAML on standard output."""
    from lms.content.gift import convert_gift_file

    result = convert_gift_file(Path(gift_file), gift_file)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.errors or (result.unsupported and not skip_unsupported) or not result.questions:
        click.echo(result.summary(skip_unsupported), err=True)
        sys.exit(1)
    click.echo(result.to_yaml(), nl=False)
    if result.unsupported:
        click.echo(result.summary(skip_unsupported), err=True)


def read_password(password_stdin: bool) -> str | None:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return None


@lms_group.command("create-user")
@click.option("--email", help="Their work email; leave out for someone without one.")
@click.option("--name", "full_name", required=True)
@click.option("--employee-id", help="Required without --email: they sign in with it.")
@click.option("--department")
@click.option("--role")
@click.option("--hire-date", callback=parse_day, help="YYYY-MM-DD")
@click.option("--manager-email")
@click.option("--hr", "is_hr", is_flag=True, help="Give HR rights.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(password_stdin: bool, **fields) -> None:
    """Create one person; without a password they are sent an invitation (or need a letter)."""
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


@lms_group.command("activation-letters")
@click.option("--department", help="Only this department.")
@click.option(
    "--new-only",
    is_flag=True,
    help="Only people who never had a letter and never set a password.",
)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def activation_letters_command(department: str | None, new_only: bool, out_path: str) -> None:
    """Print one activation letter per active person without email to a PDF."""
    from lms.activation.operations import LetterError, issue_letters, letter_people
    from lms.activation.render import render_letters
    from lms.models.base import utcnow

    people = letter_people(department=department, new_only=new_only)
    if not people:
        click.echo("no one without email matches: no letters printed")
        return
    config = current_app.config
    try:
        letters = issue_letters(
            people,
            now=utcnow(),
            base_url=config["LMS_BASE_URL"],
            actor_id=None,
            filters={"department": department, "new_only": new_only},
            source="cli",
        )
    except LetterError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    partial = Path(out_path + ".part")
    try:
        with partial.open("wb") as out:
            pages = render_letters(
                letters, org_name=config["LMS_ORG_NAME"], base_url=config["LMS_BASE_URL"], out=out
            )
        partial.replace(out_path)
    except BaseException:
        db.session.rollback()  # no PDF, no new codes: the old letters still work
        partial.unlink(missing_ok=True)
        raise
    db.session.commit()
    click.echo(f"{pages} activation letter(s) written to {out_path}; earlier codes retired")


@lms_group.command("set-employee-id")
@click.argument("email")
@click.argument("employee_id")
@with_appcontext
def set_employee_id_command(email: str, employee_id: str) -> None:
    """Link someone added by hand to their employee id, so imports and the API update them."""
    from lms.people.operations import PeopleError, set_employee_id

    try:
        user = set_employee_id(email, employee_id)
    except PeopleError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{user.email} now has the employee id {user.employee_id}")


def create_person(**fields) -> None:
    from lms.people.operations import PeopleError, create_user

    try:
        user = create_user(today=utctoday(), **fields)
    except PeopleError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.login_name}{' (HR)' if user.is_hr else ''}")
    if user.password_hash is None and user.email is None:
        click.echo(
            "no password set and no email: print their activation letter with "
            "`flask lms activation-letters`"
        )
    elif user.password_hash is None:
        from lms.people.invitations import send_invitation

        send_invitation(user)
        db.session.commit()
        click.echo(f"no password set: invitation {delivery_note()}")


def delivery_note() -> str:
    """Send queued email now; say whether it went, or stays queued for `flask lms send-mail`."""
    from lms.mail.sender import send_queued

    report = send_queued()
    if report.failed_for_good:
        return f"not delivered: {report.refused}"
    if report.failed:
        return "queued; sending failed for now and will be retried (see `flask lms send-mail`)"
    return "sent"


@lms_group.command("import-hires")
@click.argument("csv_file", type=click.File("rb"))
@click.option("--partial", is_flag=True, help="Import the good rows even if others have problems.")
@click.option("--invite", is_flag=True, help="Email each new hire a link to set a password.")
@with_appcontext
def import_hires_command(csv_file, partial: bool, invite: bool) -> None:
    """Add, update and terminate employees from the HR system's CSV export (`-` reads stdin)."""
    from lms.imports.apply import import_csv_bytes

    result = import_csv_bytes(
        csv_file.read(),
        today=utctoday(),
        partial=partial,
        invite=invite,
        source="cli",
        filename=Path(getattr(csv_file, "name", "<stdin>")).name,
    )
    for error in result.plan.errors:
        click.echo(str(error), err=True)
    bad = result.counts["errors"]
    if not result.is_applied:
        db.session.rollback()
        why = (
            "the file cannot be read as an employee export"
            if result.plan.is_fatal
            else f"{bad} row(s) with problems (--partial imports the good rows)"
        )
        click.echo(f"{why}: nothing was imported", err=True)
        sys.exit(1)
    db.session.commit()
    counts = result.counts
    click.echo(
        f"imported: {counts['new']} new, {counts['updated']} updated, "
        f"{counts['terminated']} terminated, {counts['unchanged']} unchanged"
    )
    if result.invited:
        click.echo(f"invitations: {result.invited} {delivery_note()}")
    if result.emails_changed:
        click.echo(
            f"email changes: {result.emails_changed}, each signed out everywhere; "
            f"notice to the old address {delivery_note()}"
        )
    if bad:
        click.echo(f"{bad} row(s) with problems were not imported", err=True)
        sys.exit(1)


@lms_group.command("demo")
@click.option("--employees", default=12, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing if anyone exists already.")
@with_appcontext
def demo_command(employees: int, seed: int, if_empty: bool) -> None:
    """Load a demo organisation with two years of history."""
    from sqlalchemy import select

    from lms.demo.operations import load_demo
    from lms.models import User

    if db.session.scalar(select(User.id).limit(1)) is not None:
        if if_empty:
            click.echo("demo skipped: the database already has people in it")
            return
        raise click.ClickException("the database already has people in it; use an empty one")
    result = load_demo(employees=employees, seed=seed, today=utctoday())
    db.session.commit()
    click.echo(f"demo loaded: {result.people} people, {result.completions} completions")
    click.echo(
        f"sign in at {current_app.config['LMS_BASE_URL']}/login with password {result.password!r}:"
    )
    for label, email in result.logins:
        click.echo(f"  {label:<10} {email}")


@lms_group.command("create-token")
@click.option("--name", required=True, help="Who will use it, e.g. the HR system's name.")
@with_appcontext
def create_token_command(name: str) -> None:
    """Create an API token for an HR system and print it, once; only its hash is kept."""
    from lms.api.tokens import TokenError, create_token

    try:
        token, secret = create_token(name)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(secret)
    click.echo(
        f"API token {token.name!r} created ({token.prefix}...). Copy it now: it is not shown "
        "again. Send it as `Authorization: Bearer <token>`.",
        err=True,
    )


@lms_group.command("revoke-token")
@click.option("--name", required=True)
@with_appcontext
def revoke_token_command(name: str) -> None:
    """Revoke the API token in use under a name; it stops working at once."""
    from lms.api.tokens import TokenError, revoke_token

    try:
        token = revoke_token(name)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"API token {token.name!r} ({token.prefix}...) revoked")


@lms_group.command("verify-audit")
@with_appcontext
def verify_audit_command() -> None:
    """Check the audit trail's hash chain; print OK or the first broken link and exit 1."""
    from sqlalchemy import func, select

    from lms.audit import first_broken_link
    from lms.models import AuditEvent

    broken = first_broken_link()
    if broken is None:
        count = db.session.scalar(select(func.count()).select_from(AuditEvent))
        click.echo(f"OK: {count} audit events, chain intact")
        return
    click.echo(
        f"BROKEN at event {broken.id} ({broken.action}, {broken.created_at.isoformat()}): "
        "its hash or its link to the event before does not match; "
        "this row or an earlier one was changed, removed or inserted",
        err=True,
    )
    sys.exit(1)


@lms_group.command("verify-summary")
@with_appcontext
def verify_summary_command() -> None:
    """Recount the compliance summary HR's pages read; print what differed and exit 1 if repaired."""
    from lms.compliance.operations import verify_and_repair

    result = verify_and_repair()
    db.session.commit()
    for line in result.lines():
        click.echo(line, err=result.repaired)
    if result.repaired:
        sys.exit(1)


@lms_group.command("renew")
@click.option("--as-of", "as_of", callback=parse_day, help="Run as on this day (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Report what would be done; change nothing.")
@click.option("--no-send", is_flag=True, help="Queue the reminders; leave sending to send-mail.")
@with_appcontext
def renew_command(as_of: date | None, dry_run: bool, no_send: bool) -> None:
    """Update assignments, queue the reminders due today and send queued email."""
    from lms.renewal.job import renew

    report = renew(as_of or utctoday(), dry_run=dry_run, send=not no_send)
    for line in report.lines():
        click.echo(line)
    exit_on_mail_problem(report.mail)


def exit_on_mail_problem(report) -> None:
    """Exit 1 with a one-line summary when mail failed for good or none went (cron must notice)."""
    if report.problem:
        click.echo(f"error: {report.problem}", err=True)
        sys.exit(1)
    if report.failed:
        click.echo(f"warning: {report.failed} email(s) failed and will be retried", err=True)


@lms_group.command("send-mail")
@click.option("--limit", type=click.IntRange(1), help="Send at most this many.")
@with_appcontext
def send_mail_command(limit: int | None) -> None:
    """Deliver queued email; retry temporary failures later, mark refusals (5xx) failed for good.

    Exits 1 when any message failed for good or none could be delivered.
    """
    from lms.mail.sender import send_queued

    report = send_queued(limit)
    click.echo(report.summary())
    exit_on_mail_problem(report)
