"""The audit trail: training events are written, HR views and exports it, `verify-audit` checks the chain."""

import csv
import io

from sqlalchemy import select, text

from lms.assignments import assign_programs
from lms.audit import first_broken_link, record_events
from lms.extensions import db
from lms.models import AuditEvent
from tests.hr.test_transcript import take


def actions_for(user_id):
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.user_id == user_id).order_by(AuditEvent.id)
    ).all()


def test_new_assignments_are_audited_once_per_person(org):
    [created] = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.user_id == org.emp_a1.id, AuditEvent.action == "assignment.created"
        )
    ).all()
    assert set(created.details["modules"]) == {"dignity", "honesty"}


def test_leaving_and_rejoining_an_audience_closes_and_reopens_with_events(org):
    org.emp_a1.department = "Online"
    db.session.commit()
    assign_programs(org.today, [org.emp_a1.id])
    db.session.commit()
    org.emp_a1.department = "Stores"
    db.session.commit()
    assign_programs(org.today, [org.emp_a1.id])
    db.session.commit()
    closed, reopened = (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.user_id == org.emp_a1.id, AuditEvent.action == a)
        )
        for a in ("assignment.closed", "assignment.reopened")
    )
    assert list(closed.details["modules"]) == ["honesty"]
    assert list(reopened.details["modules"]) == ["honesty"]


def test_taking_a_module_writes_attempt_signature_and_completion_events(org):
    a = org.assignment(org.emp_a1, "honesty")
    take(a, org.emp_a1, org.today, fail_first=True)
    training = {"attempt.started", "attempt.submitted", "attestation.signed", "completion.recorded"}
    actions = [a for a in actions_for(org.emp_a1.id) if a in training]
    assert actions == [
        "attempt.started",
        "attempt.submitted",
        "attempt.started",
        "attempt.submitted",
        "attestation.signed",
        "completion.recorded",
    ]
    submitted = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attempt.submitted")
    ).all()
    assert [e.details["passed"] for e in submitted] == [False, True]
    assert all(e.actor_id == org.emp_a1.id for e in submitted)
    assert first_broken_link() is None


def test_audit_page_filters_by_action_and_person(org, login):
    client = login(org.hr)
    page = client.get("/hr/audit?action=assignment.created").get_data(as_text=True)
    assert "assignment.created" in page and "of 8 events" in page
    page = client.get("/hr/audit?person=cleo@example.com").get_data(as_text=True)
    assert "Cleo Castillo" in page and "of 1 events" in page
    page = client.get("/hr/audit?person=Castillo&action=exemption.granted").get_data(as_text=True)
    assert "No events match" in page


def test_audit_csv_exports_the_chain_oldest_first(org, login):
    response = login(org.hr).get("/hr/audit.csv")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 8
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
    assert rows[0]["prev_hash"] == "0" * 64


def test_verify_audit_says_ok_for_an_intact_chain(org, runner):
    result = runner.invoke(args=["lms", "verify-audit"])
    assert result.exit_code == 0
    assert "OK: 8 audit events" in result.output


def test_verify_audit_reports_the_first_edited_row_and_fails(org, runner):
    third = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[2]
    db.session.execute(
        text("UPDATE audit_events SET details = :d WHERE id = :id"),
        {"d": '{"modules": {"dignity": "2099-01-01"}}', "id": third.id},
    )
    db.session.commit()
    result = runner.invoke(args=["lms", "verify-audit"])
    assert result.exit_code == 1
    assert f"BROKEN at event {third.id} (assignment.created," in result.output


def test_verify_audit_reports_a_deleted_row(org, runner):
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[4]})
    db.session.commit()
    result = runner.invoke(args=["lms", "verify-audit"])
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[5]}" in result.output


def test_bulk_events_continue_the_chain(org):
    count = record_events(
        {"action": "test.bulk", "user_id": org.emp_a1.id, "details": {"n": n}} for n in range(7)
    )
    db.session.commit()
    assert count == 7
    assert first_broken_link(batch_size=3) is None
