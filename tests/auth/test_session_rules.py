"""When a session holds: table-driven tests of lms.auth.rules."""

from datetime import UTC, datetime, timedelta

import pytest

from lms.auth.rules import is_session_live, session_expires_at

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
LIVE = {
    "is_active": True,
    "session_version": 3,
    "user_version": 3,
    "expires_at": NOW + timedelta(seconds=1),
    "revoked_at": None,
    "now": NOW,
}


@pytest.mark.parametrize(
    ("change", "live"),
    [
        ({}, True),
        ({"is_active": False}, False),
        ({"revoked_at": NOW - timedelta(minutes=1)}, False),
        ({"session_version": 4}, False),  # raised since: a password or email change, leaving
        ({"expires_at": NOW}, False),
        ({"expires_at": NOW - timedelta(days=1)}, False),
    ],
)
def test_a_session_holds_until_revoked_expired_or_its_person_moves_on(change, live):
    assert is_session_live(**(LIVE | change)) is live


@pytest.mark.parametrize(
    ("remembered", "lasts"),
    [(False, timedelta(hours=12)), (True, timedelta(days=30))],
)
def test_a_session_ends_on_its_own(remembered, lasts):
    ends = session_expires_at(NOW, remembered=remembered, session_hours=12, remember_days=30)
    assert ends == NOW + lasts
