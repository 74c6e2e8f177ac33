"""When the renewal window opens the module is back on the dashboard, with a fresh cycle."""

from datetime import timedelta

from sqlalchemy import select

from lms.dates import format_date
from lms.extensions import db
from lms.learn.operations import cycle_attempts
from lms.models import Completion
from lms.models.base import utctoday
from tests.factories import make_employee
from tests.renewal.conftest import assignment_of, complete_on

TODAY = utctoday()
DUE = TODAY + timedelta(days=10) - timedelta(days=365)  # expires about 10 days from today


def test_an_open_window_shows_renewal_due_by_the_expiry_with_attempts_reset(client, auth, synced):
    hired = DUE - timedelta(days=30)
    erin = make_employee(hire_date=hired, today=hired)
    complete_on(erin, DUE - timedelta(days=5))  # on time: expires a year after the due date
    assignment = assignment_of(erin)
    assert assignment.renewal_opens_on <= TODAY <= assignment.expires_on
    assert assignment.cycle == 2 and cycle_attempts(assignment) == []

    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert f"Renewal due by {format_date(assignment.expires_on)}" in page
    assert "Renew" in page
    [completion] = db.session.scalars(select(Completion)).all()
    assert completion.cycle == 1 and completion.superseded_at is None
