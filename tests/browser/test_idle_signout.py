"""A shared device signs itself out: the countdown shows, then the page signs out (static/idle.js).

Playwright's clock drives the page's timers, so a minute passes at once; the page's own
script, the sign-out form and the server's session are all real.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import UserSession
from tests.browser.test_journeys import sign_in
from tests.factories import make_employee

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def shared_device(app):
    app.config["LMS_IDLE_SIGNOUT_MINUTES"] = 1  # the countdown signs out after 45 s (lms.idle)
    make_employee(email="erin@example.com", full_name="Erin Example")


def test_a_shared_device_counts_down_and_signs_itself_out(browse, shared_device, synced):
    page = browse.page
    page.clock.install()
    sign_in(browse, "erin@example.com")
    expect(page.get_by_role("button", name="Not you? Sign out")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_contain_text("Erin Example")
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    browse.check("shared device")

    # The page's clock paused, and the page loaded again under it, so that the countdown
    # starts from a known moment: left running, the seconds a loaded machine takes
    # between the load and `run_for` counted too (it read 0:14 with both suites running).
    # Resumed before axe runs: axe's own timers need the clock to move.
    page.clock.pause_at(datetime.now(UTC) + timedelta(seconds=1))
    page.reload()
    page.clock.run_for(30_000)  # 15 s left: the countdown shows
    expect(warning).to_be_visible()
    expect(page.locator("#idle-clock")).to_have_text("0:15")
    page.clock.resume()
    browse.check("shared device, counting down")

    page.get_by_role("button", name="Stay signed in").click()  # starts again from 45 s
    expect(warning).to_be_hidden()
    page.clock.run_for(30_000)
    expect(warning).to_be_visible()
    page.clock.run_for(16_000)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You were signed out after 1 minute without activity.")).to_be_visible()
    browse.check("signed out when idle")

    db.session.expire_all()
    (session,) = db.session.scalars(select(UserSession)).all()
    assert session.revoked_at is not None


def test_not_you_sign_out_signs_out_at_once(browse, shared_device, synced):
    page = browse.page
    sign_in(browse, "erin@example.com")
    page.get_by_role("button", name="Not you? Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
