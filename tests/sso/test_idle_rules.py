"""When an idle session ends (lms.idle.rules), table by table."""

from datetime import UTC, datetime, timedelta

import pytest

from lms.idle.rules import (
    countdown_seconds,
    is_idle_expired,
    needs_touch,
    touch_every,
    warning_seconds,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("idle_for", "minutes", "expired"),
    [
        (timedelta(minutes=4, seconds=59), 5, False),
        (timedelta(minutes=5), 5, True),
        (timedelta(hours=9), 5, True),
        (timedelta(hours=9), 0, False),  # off
        (timedelta(0), 1, False),
    ],
)
def test_a_session_idle_for_the_setting_has_expired(idle_for, minutes, expired):
    assert is_idle_expired(NOW - idle_for, NOW, minutes) is expired


@pytest.mark.parametrize(
    ("age", "minutes", "touch"),
    [
        (timedelta(seconds=14), 5, False),
        (timedelta(seconds=15), 5, True),
        (timedelta(seconds=14), 1, False),
        (timedelta(seconds=15), 1, True),
        (timedelta(hours=1), 0, False),  # off: no writes at all
    ],
)
def test_activity_is_written_at_most_every_few_seconds(age, minutes, touch):
    assert needs_touch(NOW - age, NOW, minutes) is touch


@pytest.mark.parametrize(
    ("minutes", "every", "countdown", "warning"),
    [
        (1, 15, 45, 22),
        (5, 15, 285, 60),
        (30, 15, 1785, 60),
    ],
)
def test_the_page_signs_out_before_the_server_would(minutes, every, countdown, warning):
    assert touch_every(minutes) == timedelta(seconds=every)
    assert countdown_seconds(minutes) == countdown
    assert countdown_seconds(minutes) + every == minutes * 60
    assert warning_seconds(minutes) == warning
