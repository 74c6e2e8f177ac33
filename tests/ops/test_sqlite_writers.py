"""SQLite writers take turns in a file-lock queue (lms.database.sqlite_writers), threads and processes alike."""

import fcntl
import gc
import multiprocessing
import os
import sqlite3
import threading

import pytest

from lms.database.sqlite_writers import QueuedConnection, lock_path, opens_transaction
from lms.extensions import db
from tests.ops.test_connections import ON_POSTGRES


@pytest.mark.parametrize(
    ("sql", "opens"),
    [
        ("INSERT INTO t VALUES (1)", True),
        ("  \n\tupdate t SET x = 1", True),
        ("DELETE FROM t", True),
        ("replace into t VALUES (1)", True),
        ("/* why */ INSERT INTO t VALUES (1)", True),  # comments skipped, as CPython does
        ("-- why\n  UPDATE t SET x = 1", True),
        ("/* unfinished comment INSERT", False),
        ("SELECT * FROM t", False),
        ("PRAGMA journal_mode=WAL", False),
        ("CREATE TABLE t (x)", False),
        # Python's sqlite3 looks at the first word only: this one runs outside a transaction.
        ("WITH n AS (SELECT 1) INSERT INTO t SELECT * FROM n", False),
        ("inserted", True),  # as Python's sqlite3 decides: by the first letters
    ],
)
def test_which_statements_open_a_transaction(sql, opens):
    assert opens_transaction(sql) is opens


@pytest.mark.parametrize(
    ("database", "path"),
    [
        ("/srv/attest/attest.db", "/srv/attest/attest.db-writers"),
        ("relative.db", "relative.db-writers"),
        (":memory:", None),
        ("", None),
        ("file:shared?mode=memory&cache=shared", None),
    ],
)
def test_the_queue_lives_beside_the_database_file(database, path):
    assert lock_path(database) == path


def queue_is_free(database) -> bool:
    """Whether another open file could take the queue's lock now (taken and let go at once)."""
    fd = os.open(lock_path(str(database)), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "writers.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT NOT NULL)")
    setup.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
    setup.execute("INSERT INTO counter VALUES (0)")
    setup.commit()
    setup.close()
    return path


def connect(database, timeout=5.0) -> QueuedConnection:
    return sqlite3.connect(database, timeout=timeout, factory=QueuedConnection)


def test_the_queue_is_held_from_a_transactions_first_write_to_its_end(database):
    connection = connect(database)
    connection.execute("SELECT * FROM t").fetchall()
    assert queue_is_free(database)  # readers never queue
    connection.execute("INSERT INTO t (who) VALUES ('a')")
    assert not queue_is_free(database) and connection.in_transaction
    connection.execute("UPDATE t SET who = 'b'")
    assert not queue_is_free(database)
    connection.commit()
    assert queue_is_free(database)
    connection.executemany("INSERT INTO t (who) VALUES (?)", [("c",), ("d",)])
    assert not queue_is_free(database)
    connection.rollback()
    assert queue_is_free(database)
    assert connection.execute("SELECT who FROM t").fetchall() == [("b",)]
    connection.execute("DELETE FROM t")
    connection.close()  # an open transaction ends with the connection, and so does its turn
    assert queue_is_free(database)


def test_every_way_a_transaction_ends_gives_up_the_turn(database):
    connection = connect(database)
    with connection:  # commits in C, not through commit()
        connection.execute("INSERT INTO t (who) VALUES ('a')")
        assert not queue_is_free(database)
    assert queue_is_free(database)
    with pytest.raises(ZeroDivisionError), connection:  # rolls back in C
        connection.execute("INSERT INTO t (who) VALUES ('b')")
        1 / 0  # noqa: B018
    assert queue_is_free(database)
    connection.executescript("INSERT INTO t (who) VALUES ('c'); UPDATE counter SET n = 1;")
    assert queue_is_free(database)
    assert connection.execute("SELECT who FROM t ORDER BY id").fetchall() == [("a",), ("c",)]
    connection.close()


def test_a_connection_dropped_without_closing_lets_go(database):
    connection = connect(database)
    connection.execute("INSERT INTO t (who) VALUES ('a')")
    assert not queue_is_free(database)
    del connection
    gc.collect()
    assert queue_is_free(database)


def test_a_write_that_fails_gives_up_its_turn_with_its_transaction(database):
    connection = connect(database)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        connection.execute("INSERT INTO missing (x) VALUES (1)")  # fails before BEGIN
    assert not connection.in_transaction and queue_is_free(database)
    connection.execute("INSERT INTO t (who) VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute("INSERT INTO t (who) VALUES (NULL)")  # fails inside it
    assert connection.in_transaction and not queue_is_free(database)
    connection.rollback()
    assert queue_is_free(database)
    connection.close()


def test_a_writer_waits_in_the_queue_not_in_sqlites_busy_handler(database):
    first = connect(database)
    first.execute("INSERT INTO t (who) VALUES ('first')")
    finished = threading.Event()
    failures = []

    def write_second():
        second = connect(database)
        # SQLite itself would refuse this writer at once: only the queue makes it wait.
        second.execute("PRAGMA busy_timeout = 0")
        try:
            second.execute("INSERT INTO t (who) VALUES ('second')")
            second.commit()
        except sqlite3.Error as exc:
            failures.append(exc)
        second.close()
        finished.set()

    thread = threading.Thread(target=write_second)
    thread.start()
    assert not finished.wait(0.3)  # waiting its turn
    first.commit()
    assert finished.wait(10)
    thread.join()
    assert failures == []
    assert first.execute("SELECT who FROM t ORDER BY id").fetchall() == [("first",), ("second",)]
    first.close()


def test_a_writer_waits_no_longer_than_its_timeout_then_fails_as_sqlite_would(database):
    holder = os.open(lock_path(str(database)), os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # a writer elsewhere that never finishes
    connection = connect(database, timeout=0.2)
    with pytest.raises(sqlite3.OperationalError, match="database is locked: waited 0.2 s"):
        connection.execute("INSERT INTO t (who) VALUES ('late')")
    assert not connection.in_transaction
    os.close(holder)
    connection.execute("INSERT INTO t (who) VALUES ('later')")  # its turn comes once free
    connection.commit()
    assert connection.execute("SELECT who FROM t").fetchall() == [("later",)]
    connection.close()
    assert queue_is_free(database)


def test_a_writer_that_gave_up_waiting_never_holds_the_turn_later(database):
    holder = os.open(lock_path(str(database)), os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    connection = connect(database, timeout=0.2)
    with pytest.raises(sqlite3.OperationalError, match="waited 0.2 s"):
        connection.execute("INSERT INTO t (who) VALUES ('late')")
    # Its waiter is still queued: the connection does not queue a second one.
    with pytest.raises(sqlite3.OperationalError, match="earlier wait .* has not ended"):
        connection.execute("INSERT INTO t (who) VALUES ('later')")
    os.close(holder)  # the abandoned waiter is granted the lock, and lets it go at once
    for thread in threading.enumerate():
        if thread.name == "sqlite-writers-queue":
            thread.join(10)
            assert not thread.is_alive()
    assert queue_is_free(database)
    assert not connection.writers_queue.held
    connection.close()


def add_many(database, times, ready):
    connection = connect(database)
    connection.execute("PRAGMA busy_timeout = 0")  # no second chance from SQLite
    ready.wait()
    for n in range(times):
        connection.execute("INSERT INTO t (who) VALUES (?)", (f"{os.getpid()}-{n}",))
        connection.execute("UPDATE counter SET n = n + 1")
        connection.commit()
    connection.close()


def test_writers_in_several_processes_take_turns_without_a_busy_error(database):
    # Held open throughout, so no writer is ever the file's last connection: the last one
    # to close checkpoints and removes the WAL under an exclusive lock, which with no
    # busy timeout would fail a process still starting up (not what is tested here).
    keeper = sqlite3.connect(database)
    keeper.execute("SELECT n FROM counter").fetchone()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    processes = [
        context.Process(target=add_many, args=(str(database), 150, ready)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    ready.set()
    for process in processes:
        process.join(60)
    assert [process.exitcode for process in processes] == [0, 0, 0, 0]
    assert keeper.execute("SELECT n FROM counter").fetchone() == (600,)
    assert keeper.execute("SELECT count(*) FROM t").fetchone() == (600,)
    keeper.close()


def test_busy_errors_would_happen_without_the_queue(database):
    # The test above can fail: plain connections under the same load meet a busy error.
    def add_plain(errors):
        connection = sqlite3.connect(database, timeout=0)
        try:
            for n in range(300):
                connection.execute("INSERT INTO t (who) VALUES (?)", (str(n),))
                connection.execute("UPDATE counter SET n = n + 1")
                connection.commit()
        except sqlite3.OperationalError as exc:
            errors.append(exc)
        connection.close()

    errors = []
    threads = [threading.Thread(target=add_plain, args=(errors,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors and "locked" in str(errors[0])


@pytest.mark.skipif(ON_POSTGRES, reason="the queue is for SQLite files")
def test_the_app_opens_its_sqlite_file_with_the_queue_unless_turned_off(app, app_with):
    with app.app_context(), db.engine.connect() as connection:
        assert isinstance(connection.connection.driver_connection, QueuedConnection)
    plain = app_with(LMS_SQLITE_WRITERS_QUEUE=False, SQLALCHEMY_ENGINE_OPTIONS={})
    with plain.app_context(), db.engine.connect() as connection:
        assert type(connection.connection.driver_connection) is sqlite3.Connection
