"""The audit trail in words (lms.hr.audit_text): one sentence per kind of event, and a
graceful fallback for kinds it does not know or details it cannot read."""

import pytest

from lms.hr.audit_text import SENTENCES, describe


@pytest.mark.parametrize(
    ("action", "details", "sentence"),
    [
        (
            "certificate.issued",
            {"code": "ABCD-1234", "cycle": 2, "certificate_id": 5},
            "Certificate ABCD-1234 issued (cycle 2).",
        ),
        (
            "certificate.revoked",
            {"code": "ABCD-1234", "reason": "Issued in error"},
            "Certificate ABCD-1234 revoked: “Issued in error”.",
        ),
        (
            "assignment.due_again",
            {"due_on": "2026-03-16", "cycle": 3},
            "Due again by 16 Mar 2026 (cycle 3) after its certificate was revoked.",
        ),
        (
            "assignment.created",
            {"modules": {"dignity": "2026-03-02", "honesty": "2026-03-16"}},
            "Assigned 2 modules: dignity (due 02 Mar 2026), honesty (due 16 Mar 2026).",
        ),
        (
            "assignment.created",
            {"modules": {"dignity": "2026-03-02"}},
            "Assigned 1 module: dignity (due 02 Mar 2026).",
        ),
        ("assignment.created", {"assignment_ids": [52, 53], "count": 2}, "Assigned 2 modules."),
        (
            "assignment.reopened",
            {"modules": {"honesty": "2026-04-01"}},
            "Assigned again: honesty (due 01 Apr 2026).",
        ),
        (
            "assignment.closed",
            {"modules": {"honesty": None}},
            "No longer assigned (left the program): honesty.",
        ),
        (
            "assignment.retrain_required",
            {"module": "dignity", "version": 3, "due_on": "2026-05-01"},
            "dignity changed (version 3): to be taken again by 01 May 2026.",
        ),
        (
            "exemption.granted",
            {"module": "dignity", "reason": "On leave", "assignment_id": 1},
            "Exempted from dignity: “On leave”.",
        ),
        (
            "exemption.removed",
            {"module": "dignity", "reason": "Back", "previous_reason": "On leave"},
            "Exemption from dignity removed: “Back” (it had been: “On leave”).",
        ),
        (
            "attempts.granted",
            {"module": "honesty", "number": 2, "reason": "Fire drill", "cycle": 1},
            "2 more attempts at honesty granted for cycle 1: “Fire drill”.",
        ),
        (
            "attempts.granted",
            {"module": "honesty", "number": 1, "reason": "x", "cycle": 1},
            "1 more attempt at honesty granted for cycle 1: “x”.",
        ),
        ("attempt.started", {"cycle": 1}, "Started a quiz attempt (cycle 1)."),
        (
            "attempt.submitted",
            {"score": 60, "passed": False},
            "Submitted a quiz attempt: 60%, not passed.",
        ),
        (
            "attestation.signed",
            {"version": 2, "cycle": 1},
            "Signed the attestation for version 2 (cycle 1).",
        ),
        (
            "completion.recorded",
            {"cycle": 1, "score": 90, "expires_on": "2027-03-02"},
            "Completed (cycle 1, score 90%); valid until 02 Mar 2027.",
        ),
        (
            "completion.recorded",
            {"cycle": 1, "score": None, "expires_on": None},
            "Completed (cycle 1, no quiz); does not expire.",
        ),
        (
            "import.applied",
            {
                "source": "web",
                "filename": "hires.csv",
                "rows": 3,
                "new": 2,
                "updated": 0,
                "terminated": 0,
                "unchanged": 0,
                "errors": 1,
                "skipped_lines": [4],
                "invited": 2,
            },
            "Imported “hires.csv” from the web page: 3 rows; 2 new, 0 updated, 0 terminated,"
            " 0 unchanged, 1 row with problems; lines not imported: 4; 2 invitations sent.",
        ),
        (
            "person.created",
            {
                "employee_id": "E1",
                "email": "ana@example.com",
                "full_name": "Ana Lima",
                "department": "Stores",
                "role": None,
                "source": "web",
                "line": 2,
            },
            "Added by the web import (line 2): Ana Lima <ana@example.com>, Stores, employee number E1.",
        ),
        (
            "person.updated",
            {"changes": {"department": ["Stores", "Online"]}, "source": "cli", "line": 5},
            "Updated by the cli import (line 5): department Stores → Online.",
        ),
        (
            "person.terminated",
            {"changes": {"status": ["active", "terminated"]}, "source": "web", "line": 3},
            "Terminated by the web import (line 3).",
        ),
        (
            "person.email_changed",
            {
                "old_email": "a@x.com",
                "new_email": "b@x.com",
                "source": "web",
                "notice_to": "a@x.com",
            },
            "Email changed from a@x.com to b@x.com (web); signed out everywhere and any one-time"
            " links retired; a notice went to a@x.com.",
        ),
        (
            "invitation.sent",
            {"expires_at": "2026-03-09T10:00:00+00:00"},
            "Invitation to set a password sent; the link works until 09 Mar 2026 10:00 UTC.",
        ),
        ("invitation.accepted", {}, "Accepted the invitation and chose a password."),
        ("password.changed", None, "Changed their password."),
        (
            "renew.completed",
            {
                "as_of": "2026-03-02",
                "queued": {"due_reminder": 4},
                "created": 1,
                "reopened": 0,
                "closed": 2,
            },
            "Daily renewal run for 02 Mar 2026: 1 assignments created, 0 reopened, 2 closed;"
            " emails queued: 4 due reminder.",
        ),
        (
            "sso.signed_in",
            {"claim": "email", "value": "ada@example.com", "subject": "x1"},
            "Signed in through single sign-on (email ada@example.com).",
        ),
        (
            "sso.refused",
            {"claim": "email", "value": "zed@example.com", "subject": "x2", "reason": "unknown"},
            "Single sign-on refused for email zed@example.com: nobody in Attest has it.",
        ),
        (
            "sso.refused",
            {"claim": "employee_id", "value": None, "subject": "x3", "reason": "missing_claim"},
            "Single sign-on refused for employee_id: the provider did not send the claim Attest"
            " matches on.",
        ),
        # Unknown kinds, and details an old version wrote: a sentence all the same.
        ("test.bulk", {"n": 3}, "Test bulk (n: 3)."),
        ("something_new.happened", {}, "Something new happened."),
        ("certificate.revoked", {"code": "ABCD"}, "Certificate revoked (code: ABCD)."),
        ("assignment.created", {"modules": "oops"}, "Assignment created (modules: oops)."),
        ("exemption.granted", ["not", "a", "mapping"], "Exemption granted."),
    ],
)
def test_each_event_reads_as_a_sentence(action, details, sentence):
    assert describe(action, details) == sentence


def test_every_action_the_app_records_has_a_sentence():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "lms"
    recorded = set()
    for path in root.rglob("*.py"):
        text = path.read_text()
        recorded |= set(re.findall(r'record_events?\(\s*"([a-z_]+\.[a-z_]+)"', text))
        recorded |= set(re.findall(r'"action": "([a-z_]+\.[a-z_]+)"', text))
        recorded |= set(
            re.findall(r'"(person\.[a-z_]+|invitation\.accepted|password\.reset)"', text)
        )
    assert recorded and recorded - set(SENTENCES) == set()


def test_the_audit_page_shows_sentences_with_the_json_behind_a_toggle(org, login):
    page = login(org.hr).get("/hr/audit?action=assignment.created").get_data(as_text=True)
    assert "Assigned 2 modules: dignity (due" in page
    assert '<summary class="small">Details as recorded (JSON)</summary>' in page
    assert "&#34;modules&#34;" in page or '"modules"' in page
