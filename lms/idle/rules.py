"""When an idle session ends: plain functions of times and the setting (no Flask).

A session's last activity is `user_sessions.last_seen_at`: the last request it made
(or its start). Writing it on every request would cost a write per page, so it is
moved on only once it is `touch_every` old; it may therefore lag the last request by
up to that much, and the server may end a session that much early. The page's
countdown allows for it: it signs out `touch_every` before the server would.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# The most `last_seen_at` may lag behind the last request.
TOUCH_EVERY = timedelta(seconds=15)


def touch_every(minutes: int) -> timedelta:
    """How old `last_seen_at` may get before a request moves it on: TOUCH_EVERY, or less
    for a very short setting (a quarter of it)."""
    return min(TOUCH_EVERY, timedelta(minutes=minutes) / 4)


def is_idle_expired(last_seen_at: datetime, now: datetime, minutes: int) -> bool:
    """Whether a session has gone `minutes` without activity (0: never, the feature is off)."""
    return minutes > 0 and now - last_seen_at >= timedelta(minutes=minutes)


def needs_touch(last_seen_at: datetime, now: datetime, minutes: int) -> bool:
    """Whether this request should record itself as the session's last activity."""
    return minutes > 0 and now - last_seen_at >= touch_every(minutes)


def countdown_seconds(minutes: int) -> int:
    """How long after a page loads its countdown signs the person out.

    `touch_every` short of the setting, so the page always acts before the server
    refuses: the page's own sign-out says why, the server's is only the backstop for
    a page that cannot (the script blocked, the device asleep, the tab closed).
    """
    return int((timedelta(minutes=minutes) - touch_every(minutes)).total_seconds())


def warning_seconds(minutes: int) -> int:
    """How long before signing out the countdown shows: a minute, or half a shorter setting."""
    return min(60, countdown_seconds(minutes) // 2)
