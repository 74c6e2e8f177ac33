"""A raised version with retrain_on_change sends holders back to the module; without it, nothing."""

from datetime import timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.learn.operations import status_of
from lms.models import AuditEvent, OutboxMessage
from lms.models.base import utctoday
from lms.periods import add_months
from tests.factories import make_employee, write_module
from tests.renewal.conftest import TITLE, assignment_of, complete_on, renew_on

TODAY = utctoday()
HIRED = TODAY - timedelta(days=100)  # due 70 days ago


def people():
    make_employee(
        email="mona@example.com", full_name="Mona Manager", department="Management", today=HIRED
    )
    erin = make_employee(hire_date=HIRED, today=HIRED, manager_email="mona@example.com")
    bob = make_employee(
        email="bob@example.com", full_name="Bob Builder", hire_date=HIRED, today=HIRED
    )
    complete_on(erin, HIRED + timedelta(days=20))  # on time: valid until a year after the due date
    return erin, bob


def write_version_2(content_dir, **overrides):
    """Write the module's version 2 (quiz-less, as the fixture's version 1) to the content folder."""
    fields = {"changes": "A section on accessibility.", **overrides}
    write_module(
        content_dir, version=2, quiz=None, questions_per_attempt=None, attempts=None, **fields
    )


def raise_version(runner, content_dir, **overrides):
    write_version_2(content_dir, summary="Now with a section on accessibility.", **overrides)
    result = runner.invoke(args=["lms", "sync-content"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_raised_version_with_retraining_gives_holders_a_new_due_date_and_an_email(
    runner, content_dir, smtp_server, synced
):
    erin, bob = people()
    bob_due = assignment_of(bob).due_date
    output = raise_version(runner, content_dir, retrain_on_change=True)
    assert "versions raised: dignity" in output
    assert "retraining: 1 holder(s) given a new due date" in output

    new_due = TODAY + timedelta(days=30)  # the sync day + the program's due_days
    held = assignment_of(erin)
    assert (held.due_date, held.expires_on, held.renewal_opens_on) == (new_due, new_due, TODAY)
    assert status_of(held, TODAY) == "due_soon"  # "Renewal due by <new due>" on the dashboard
    assert status_of(held, new_due) == "due_soon"  # the certificate stays valid until then
    assert status_of(held, new_due + timedelta(days=1)) == "expired"
    assert assignment_of(bob).due_date == bob_due  # not a holder: unchanged
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assignment.retrain_required")
    )
    assert event.user_id == erin.id and event.details["version"] == 2

    due_text = f"{new_due.day} {new_due:%B %Y}"
    mail, _ = renew_on(runner, smtp_server, TODAY)
    assert ("erin@example.com", f"Updated policy: please retake {TITLE} by {due_text}") in mail
    assert not any(to == "erin@example.com" and "Time to renew" in s for to, s in mail)
    later, _ = renew_on(runner, smtp_server, TODAY + timedelta(days=1))
    assert not any(to == "erin@example.com" for to, _ in later)

    complete_on(erin, TODAY + timedelta(days=5))  # retrained on time: a year from the new due date
    assert assignment_of(erin).expires_on == add_months(new_due, 12)


def test_syncing_the_same_raise_again_changes_nothing(runner, content_dir, smtp_server, synced):
    erin, _ = people()
    raise_version(runner, content_dir, retrain_on_change=True)
    before = assignment_of(erin).due_date
    result = runner.invoke(args=["lms", "sync-content"])
    assert "retraining: 0 holder(s)" in result.output
    assert assignment_of(erin).due_date == before


def test_a_raised_version_without_retraining_changes_nothing(
    runner, content_dir, smtp_server, synced
):
    erin, _ = people()
    before = assignment_of(erin)
    dates = (before.due_date, before.expires_on, before.renewal_opens_on)
    output = raise_version(runner, content_dir, retrain_on_change=False)
    assert "versions raised: dignity" in output and "retraining: 0 holder(s)" in output
    after = assignment_of(erin)
    assert (after.due_date, after.expires_on, after.renewal_opens_on) == dates
    assert (
        db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind == "retrain")).all()
        == []
    )
    mail, _ = renew_on(runner, smtp_server, TODAY)
    assert not any("Updated policy" in subject for _, subject in mail)


def test_a_dry_run_sync_of_a_raised_version_changes_nothing(runner, content_dir, synced):
    erin, _ = people()
    before = assignment_of(erin).expires_on
    write_version_2(content_dir, changes="Reworded.")
    result = runner.invoke(args=["lms", "sync-content", "--dry-run"])
    assert "retraining: 1 holder(s)" in result.output and "nothing was changed" in result.output
    assert assignment_of(erin).expires_on == before
    assert db.session.scalars(select(OutboxMessage.id)).all() == []


def test_only_current_holders_are_retrained_across_batches(content_dir, synced):
    from lms.content.loader import load_content
    from lms.content.sync import sync_content
    from lms.models.base import utcnow
    from lms.renewal.retraining import apply_retraining

    holders = []
    for n in range(3):
        person = make_employee(
            email=f"h{n}@example.com", full_name=f"Holder {n}", hire_date=HIRED, today=HIRED
        )
        complete_on(person, HIRED + timedelta(days=20))
        holders.append(person)
    lapsed = make_employee(
        email="old@example.com",
        full_name="Old Timer",
        hire_date=HIRED - timedelta(days=800),
        today=HIRED - timedelta(days=800),
    )
    complete_on(lapsed, HIRED - timedelta(days=790))  # expired long ago: not a holder
    exempt = assignment_of(holders[1])
    exempt.exempt_reason, exempt.exempt_at = "Certified elsewhere", utcnow()
    db.session.commit()

    write_version_2(content_dir, changes="Reworded.")
    report = sync_content(load_content(content_dir))
    assert apply_retraining(report.versions_raised, TODAY, batch_size=1) == 2
    db.session.commit()
    new_due = TODAY + timedelta(days=30)
    assert [assignment_of(p).due_date == new_due for p in holders] == [True, False, True]
    assert assignment_of(lapsed).due_date != new_due
    kinds = db.session.scalars(
        select(OutboxMessage.about_user_id).where(OutboxMessage.kind == "retrain")
    )
    assert sorted(kinds) == sorted([holders[0].id, holders[2].id])


def test_a_holders_certificate_lapses_on_the_new_due_date(runner, content_dir, smtp_server, synced):
    from lms.certificates.operations import find_certificate
    from lms.models import Certificate

    erin, _ = people()
    code = db.session.scalar(select(Certificate.code).where(Certificate.user_id == erin.id))
    assert find_certificate(code).status(TODAY + timedelta(days=31)) == "valid"
    db.session.execute(db.update(Certificate).values(pdf=b"%PDF-old", rendered_at=db.func.now()))
    db.session.commit()
    raise_version(runner, content_dir, retrain_on_change=True)
    db.session.expire_all()
    new_due = TODAY + timedelta(days=30)
    record = find_certificate(code)
    assert record.status(new_due) == "valid"
    assert record.status(new_due + timedelta(days=1)) == "expired"
    # the stored PDF printed the old expiry: it is rendered again on the next download
    assert db.session.scalar(select(Certificate.pdf).where(Certificate.code == code)) is None
