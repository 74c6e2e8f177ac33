"""HR's day (issue 17, "HR and managers"): where sign-in lands, charts that agree with their
figures, reading a message in the outbox, and the development mail capture."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.hr.charts import stacked_bars
from lms.mail.rules import blank_one_time_links
from lms.mail.sender import send_queued
from lms.models import OutboxMessage
from lms.models.base import utcnow
from lms.people.invitations import send_invitation
from lms.reports.dashboard import Bar
from lms.status import STATUSES
from tests import smtp
from tests.factories import make_employee

smtp_server = smtp.smtp_server
ROOT = Path(__file__).resolve().parents[2]


# -- Where signing in lands -------------------------------------------------------------


def test_hr_lands_on_the_dashboard_after_signing_in(org, auth):
    response = auth.login(org.hr.email)
    assert response.status_code == 302 and response.headers["Location"] == "/hr/"


def test_hr_with_a_safe_next_goes_there_and_an_unsafe_one_lands_on_the_dashboard(org, auth):
    assert auth.login(org.hr.email, next_url="/modules/dignity").headers["Location"] == (
        "/modules/dignity"
    )
    auth.logout()
    assert auth.login(org.hr.email, next_url="//evil.example/").headers["Location"] == "/hr/"


def test_a_learner_still_lands_on_their_training(org, auth):
    assert auth.login(org.emp_a1.email).headers["Location"] == "/"


def test_hr_already_signed_in_visiting_login_goes_to_the_dashboard(org, login):
    assert login(org.hr).get("/login").headers["Location"] == "/hr/"


# -- Charts: the bar shows what its number says ------------------------------------------


def bar(**counts: int) -> Bar:
    return Bar("k", "Label", {**dict.fromkeys(STATUSES, 0), **counts})


def widths(b: Bar) -> dict[str, float]:
    chart = stacked_bars("c", "C", [b], lambda _b: "/row", lambda _b, key: f"/{key}")
    (row,) = chart.rows
    return {s.key: s.width for s in row.segments} | {"pending": row.pending.count}


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # 7 counted, 5 not yet due: the bar is the 7; green = 5/7 = the 71.4 % shown
        (
            {
                "complete": 3,
                "due_soon": 1,
                "exempt": 1,
                "overdue": 1,
                "expired": 1,
                "not_started": 5,
            },
            {"compliant": 71.429, "overdue": 14.286, "expired": 14.286, "pending": 5},
        ),
        # all compliant among those due, plenty not yet due: a full green bar, as "100 %"
        (
            {"complete": 7, "not_started": 3},
            {"compliant": 100.0, "overdue": 0.0, "expired": 0.0, "pending": 3},
        ),
        # nothing due yet: an empty bar, no percentage
        ({"not_started": 4}, {"compliant": 0.0, "overdue": 0.0, "expired": 0.0, "pending": 4}),
        ({}, {"compliant": 0.0, "overdue": 0.0, "expired": 0.0, "pending": 0}),
    ],
)
def test_the_green_share_of_a_bar_is_its_compliance_rate(counts, expected):
    b = bar(**counts)
    assert widths(b) == expected
    if b.rate is not None:
        assert widths(b)["compliant"] == pytest.approx(100 * b.rate, abs=0.001)
        assert sum(v for k, v in widths(b).items() if k != "pending") == pytest.approx(
            100, abs=0.01
        )


def test_dashboard_bars_are_html_text_with_the_bar_matching_the_percentage(org, login):
    page = login(org.hr).get("/hr/").get_data(as_text=True)
    assert "<text" not in page  # no SVG text to shrink on a phone
    # The "People" department: Hana's one assignment, not yet due: no percentage, 1 apart.
    people = re.search(r'<li class="bar-row">(?:(?!</li>).)*?>People</a>(.*?)</li>', page, re.S)
    assert people and "1 not yet due</a>, not counted" in people.group(1)
    # Stores: 6 counted (5 compliant, 1 overdue) plus 2 not yet due (Sam's).
    stores = re.search(r'<li class="bar-row">(?:(?!</li>).)*?>Stores</a>(.*?)</li>', page, re.S)
    assert stores, page
    assert "83.3%</strong> compliant" in stores.group(1)
    assert re.search(
        r'class="seg-compliant" data-group="compliant" x="0.0" y="0" width="83.333"',
        stores.group(1),
    )
    assert "2 not yet due</a>, not counted" in stores.group(1)


def test_chart_css_never_sets_a_font_size_below_the_pages(app):
    css = (ROOT / "lms/static/css/hr.css").read_text()
    assert ".chart text" not in css
    assert "font-size: .9rem" in css or "font-size" in css  # the legend; everything else inherits


# -- The outbox: open a message ------------------------------------------------------------


def test_blanking_replaces_every_one_time_link_and_keeps_other_links():
    text = (
        "Choose your password here:\n\nhttp://attest.test/invite/abc_DEF-123\n"
        "Or reset: https://x.example/reset/Zz9-_\nYour training: http://attest.test/modules/x\n"
        '<a href="http://attest.test/invite/tok">set</a>'
    )
    assert blank_one_time_links(text) == (
        "Choose your password here:\n\n[link removed]\nOr reset: [link removed]\n"
        "Your training: http://attest.test/modules/x\n"
        '<a href="[link removed]">set</a>'
    )


def invite_nia(org):
    nia = make_employee(email="nia@example.com", full_name="Nia Hire", department="Stores")
    nia.password_hash = None
    db.session.flush()
    send_invitation(nia, now=utcnow(), actor_id=org.hr.id)
    db.session.commit()
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))


def test_hr_opens_a_queued_invitation_with_its_link_blanked(org, login):
    message = invite_nia(org)
    token = re.search(r"/invite/([\w-]+)", message.text_body).group(1)
    client = login(org.hr)
    listing = client.get("/hr/outbox").get_data(as_text=True)
    assert f'href="/hr/outbox/{message.id}"' in listing
    page = client.get(f"/hr/outbox/{message.id}").get_data(as_text=True)
    assert "nia@example.com" in page and "Choose your password here" in page
    assert "[link removed]" in page and token not in page
    assert "Queued: waiting to be sent" in page


def test_a_sent_message_keeps_its_text_with_the_link_blanked(org, login, smtp_server):
    message = invite_nia(org)
    send_queued()
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, message.id)
    assert stored.sent_at is not None and "/invite/" not in stored.text_body
    page = login(org.hr).get(f"/hr/outbox/{message.id}").get_data(as_text=True)
    assert "Choose your password here" in page and "[link removed]" in page and "Sent " in page


def test_a_failed_message_says_why_in_words(org, login, app):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.free_port(), MAIL_USE_TLS=False, MAIL_USERNAME=None
    )
    message = invite_nia(org)
    send_queued()
    page = login(org.hr).get(f"/hr/outbox/{message.id}").get_data(as_text=True)
    assert "Could not reach the mail server (connection refused)" in page
    assert "ConnectionRefusedError" not in page


@pytest.mark.parametrize("who", ["mgr_a", "emp_a1"])
def test_only_hr_may_open_a_message(org, login, who):
    message = invite_nia(org)
    assert login(getattr(org, who)).get(f"/hr/outbox/{message.id}").status_code == 403


def test_an_unknown_message_is_404(org, login):
    assert login(org.hr).get("/hr/outbox/999999").status_code == 404


# -- Development: mail is captured, not sent -------------------------------------------------


def test_development_captures_mail_instead_of_sending(org, login, app):
    # No SMTP server listens on this port: capture must not try it.
    app.config.update(MAIL_BACKEND="capture", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.free_port())
    message = invite_nia(org)
    report = send_queued()
    assert report.sent == 1 and report.failed == 0 and report.problem is None
    client = login(org.hr)
    outbox = client.get("/hr/outbox").get_data(as_text=True)
    assert "Attest sends no email" in outbox and "Sent: 1" in outbox and "Retrying: 0" in outbox
    page = client.get(f"/hr/outbox/{message.id}").get_data(as_text=True)
    assert "Captured (not sent: development)" in page and "[link removed]" in page


def test_development_config_captures_by_default():
    from config import DevelopmentConfig, ProductionConfig, TestingConfig

    assert DevelopmentConfig.MAIL_BACKEND == "capture" or os.environ.get("MAIL_BACKEND")
    assert ProductionConfig.MAIL_BACKEND == TestingConfig.MAIL_BACKEND == "smtp" or os.environ.get(
        "MAIL_BACKEND"
    )


# -- `flask lms ...` in a plain shell ----------------------------------------------------------


def test_flask_lms_without_settings_prints_one_line_not_a_traceback(tmp_path):
    flask = Path(sys.executable).with_name("flask")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(flask), "lms", "send-mail"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0] and "LMS_ENV=development" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


# -- Drill-down lists name the employee number; the transcript starts with a summary --------


def test_drill_down_lists_show_the_employee_number(org, login):
    client = login(org.hr)
    number = '<span class="visually-hidden">Employee number </span>A1</div>'
    overdue = client.get("/hr/").get_data(as_text=True).split('id="overdue-heading"')[1]
    assert "Ada Adeyemi</a>" in overdue and number in overdue
    assert number in client.get("/hr/modules/honesty").get_data(as_text=True)
    assert number in client.get("/hr/assignments?status=overdue").get_data(as_text=True)


def test_the_transcript_starts_with_counts_by_status_and_compliance(org, login):
    page = login(org.hr).get(f"/hr/people/{org.emp_a1.id}").get_data(as_text=True)
    summary = page.split('id="summary-heading"')[1].split('id="training"')[0]
    assert '<span class="value">50.0%</span><span class="name">compliant: 1 of 2 due</span>' in (
        summary
    )
    assert re.search(r'href="#a\d+">Overdue: 1</a>', summary)
    assert re.search(r'href="#a\d+">Complete: 1</a>', summary)
    assert page.index('id="summary-heading"') < page.index('id="training"')


def test_a_transcript_with_nothing_due_yet_says_so_without_a_rate(org, login):
    page = login(org.hr).get(f"/hr/people/{org.loner.id}").get_data(as_text=True)
    summary = page.split('id="summary-heading"')[1].split('id="training"')[0]
    assert '<span class="value">—</span>' in summary and "Not started: 1" in summary
