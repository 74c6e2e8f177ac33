"""One `renew` at a time, on one machine (SQLite) or on many (PostgreSQL)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from lms.extensions import db

# pg_advisory_lock takes a bigint; this one is "Attest" in ASCII followed by 0x0001.
RENEW_LOCK_KEY = 0x4174_7465_7374_0001


@contextmanager
def renew_lock() -> Iterator[None]:
    """Hold the renew lock for the duration, waiting for another holder to finish.

    PostgreSQL: a session advisory lock on a connection of its own, so it
    survives the batch commits and is released when this process ends, even
    by a crash. SQLite: an exclusive lock on a file beside the database.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        try:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": RENEW_LOCK_KEY})
            connection.commit()
            yield
        finally:
            # Closing the connection for good releases the lock even if the unlock failed.
            connection.invalidate()
            connection.close()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # one connection, one process: nothing to share
        return
    with open(Path(database).with_name(Path(database).name + ".renew-lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
