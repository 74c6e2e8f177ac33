"""Database connections: the signed-in person in one statement, idle connections checked before use."""

import os

import pytest
from flask_sqlalchemy.record_queries import get_recorded_queries
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from lms.auth.operations import hash_session_token, start_session
from lms.auth.signing_in import SIGNED_IN_FIELDS, SIGNED_IN_ROW, load_user
from lms.database import READS, DriverQuery, autocommit_connection
from lms.extensions import db
from lms.models import User
from lms.models.base import utcnow
from lms.web.signed_in import SignedInPerson
from tests.engines import listening
from tests.factories import make_employee

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="only a database server drops connections; SQLite files never do"
)


def signed_in(user: User) -> str:
    """Start a session for `user`, as signing in does; return the token its cookie holds."""
    token = start_session(user, remembered=False, now=utcnow(), session_hours=1, remember_days=1)
    db.session.commit()
    return token


def test_the_signed_in_person_is_read_in_one_statement_outside_the_session(app, count_queries):
    boss = make_employee(email="boss@example.com", full_name="Bo Boss")
    make_employee(email="erin@example.com", full_name="Erin Example", manager_email=boss.email)
    db.session.commit()
    cookie_id = signed_in(boss)
    expected = {name: getattr(boss, name) for name in SIGNED_IN_FIELDS}
    db.session.expunge_all()
    counter, person = count_queries(lambda: load_user(cookie_id))
    assert counter.count == 1, counter.statements
    assert isinstance(person, SignedInPerson)
    assert {name: getattr(person, name) for name in SIGNED_IN_FIELDS} == expected
    assert person.has_reports is True and person.is_hr is False  # booleans, not SQLite's 1 and 0
    assert person.get_id() == cookie_id and person.session_token == cookie_id
    assert isinstance(person.session_id, int)
    with pytest.raises(AttributeError):  # never read on every request: load the person
        person.password_hash  # noqa: B018


def test_a_person_signed_out_everywhere_or_deactivated_is_not_loaded(app):
    erin = make_employee()
    cookie_id = signed_in(erin)
    erin.session_version += 1
    db.session.commit()
    assert load_user(cookie_id) is None
    cookie_id = signed_in(erin)
    assert load_user(cookie_id) is not None
    erin.is_active = False
    db.session.commit()
    assert load_user(cookie_id) is None
    assert load_user(f"{erin.id}:{erin.session_version}") is None  # the old cookie's id
    assert load_user("not-a-token") is None and load_user(cookie_id[:-1] + "!") is None


def test_a_driver_query_fails_as_sqlalchemy_would_and_the_connection_goes_on(app):
    missing = Table("no_such_table", MetaData(), Column("id", Integer))
    query = DriverQuery(select(missing.c.id).where(missing.c.id == bindparam("id")))
    with autocommit_connection() as connection:
        with pytest.raises(DBAPIError, match="no_such_table"):
            query.first(connection, {"id": 1})
        assert connection.execute(text("SELECT 1")).scalar() == 1
    erin = make_employee()
    token = signed_in(erin)
    with autocommit_connection() as connection:
        found = SIGNED_IN_ROW.first(connection, {"token_hash": hash_session_token(token)})
        assert found["email"] == erin.email
        assert SIGNED_IN_ROW.first(connection, {"token_hash": hash_session_token("x")}) is None


@pytest.mark.parametrize(
    "where",
    [
        lambda users: users.c.id == 5,  # a value fixed in the statement
        lambda users: users.c.id.in_(bindparam("ids", expanding=True)),
        lambda users: users.c.created_at > bindparam("since", type_=users.c.created_at.type),
    ],
    ids=["fixed value", "expanding", "converted on the way in"],
)
def test_a_driver_query_takes_only_plain_parameters_given_at_run_time(app, where):
    users = User.__table__
    query = DriverQuery(select(users.c.id).where(where(users)))
    with autocommit_connection() as connection:
        with pytest.raises(ValueError, match="DriverQuery: parameter"):
            query.first(connection, {"ids": [1], "since": None})


def test_flask_sqlalchemy_records_the_signed_in_persons_query(app_with):
    recording = app_with(SQLALCHEMY_RECORD_QUERIES=True)
    with recording.app_context():
        cookie_id = signed_in(make_employee())
    with recording.test_request_context("/"):
        assert load_user(cookie_id) is not None
        statements = [query.statement for query in get_recorded_queries()]
    assert len(statements) == 1 and "JOIN users" in statements[0]


@postgres_only
def test_on_postgresql_the_signed_in_person_is_read_in_autocommit(app):
    # One round trip: no BEGIN before the SELECT and no ROLLBACK after it.
    cookie_id = signed_in(make_employee())
    autocommit = []

    def note(conn, _cursor, _statement, *_):
        autocommit.append(conn.connection.driver_connection.autocommit)

    with listening("before_cursor_execute", note):
        assert load_user(cookie_id) is not None
    assert autocommit == [True]
    with db.engine.connect() as connection:  # the pool's connection is back to normal
        assert connection.connection.driver_connection.autocommit is False


@postgres_only
def test_on_postgresql_the_signed_in_read_switches_nothing_and_rolls_nothing_back(app, monkeypatch):
    # Setting autocommit on a pooled connection and back, and the pool's rollback when
    # it returned, were 35 us of every signed-in request (lms.database.add_reads_engine).
    cookie_id = signed_in(make_employee())
    load_user(cookie_id)  # the pool's first connection, set up once (and rolled back then)
    engine = reads_engine()
    rollbacks, switches = [], []
    rollback = engine.dialect.do_rollback
    monkeypatch.setattr(engine.dialect, "do_rollback", lambda c: rollbacks.append(1) or rollback(c))
    with listening("set_connection_execution_options", lambda *_: switches.append(1)):
        assert load_user(cookie_id) is not None
        assert load_user(cookie_id) is not None
    assert rollbacks == [] and switches == []
    with autocommit_connection() as connection:
        assert connection.connection.driver_connection.autocommit is True
        assert connection.engine is not db.engine  # the session's engine keeps transactions


def kill_pooled_connection(engine: Engine | None = None) -> None:
    """End, on the server, the backend of the connection the pool will hand out next.

    The session's pool by default, or `engine`'s (the signed-in read's, say). Waits
    (up to 5 s) until that backend has exited, so the next statement meets a closed
    connection every time.
    """
    if engine is None:
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.commit()  # back to the pool, still open
    else:
        with engine.connect() as connection:  # back to the pool (last in, first out)
            pid = connection.scalar(text("SELECT pg_backend_pid()"))
    admin = create_engine(os.environ["TEST_DATABASE_URL"], poolclass=NullPool)
    with admin.begin() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    admin.dispose()


def reads_engine() -> Engine:
    """The engine the signed-in person is read on (lms.database.add_reads_engine)."""
    return db.engines.get(READS, db.engine)


@postgres_only
def test_a_connection_that_died_while_idle_is_replaced_before_use(app_with):
    app = app_with(LMS_DB_PING_AFTER_IDLE_S=0)
    with app.app_context():
        kill_pooled_connection()
        assert db.session.scalar(text("SELECT 1")) == 1


@postgres_only
def test_a_connection_used_within_the_window_is_not_checked(app_with):
    # No round trip to check it: the cost is that a server gone in the window fails the
    # next request, after which the pool is replaced and the one after succeeds.
    app = app_with(LMS_DB_PING_AFTER_IDLE_S=3600)
    with app.app_context():
        kill_pooled_connection()
        with pytest.raises(OperationalError):
            db.session.scalar(text("SELECT 1"))
        db.session.rollback()
        assert db.session.scalar(text("SELECT 1")) == 1


@postgres_only
def test_the_signed_in_person_read_on_a_lost_connection_fails_once_then_reconnects(app_with):
    app = app_with(LMS_DB_PING_AFTER_IDLE_S=3600)
    with app.app_context():
        cookie_id = signed_in(make_employee())
        kill_pooled_connection(reads_engine())
        with pytest.raises(OperationalError) as lost:
            load_user(cookie_id)
        assert lost.value.connection_invalidated  # that connection is dropped, not pooled again
        assert load_user(cookie_id) is not None


@postgres_only
def test_a_lost_connection_in_the_sign_in_read_renews_the_whole_pool(app_with):
    # As for any statement SQLAlchemy runs: a server that dropped one connection has
    # likely dropped its peers, so the pool's other connections are not handed out again.
    app = app_with(LMS_DB_PING_AFTER_IDLE_S=3600)
    with app.app_context():
        cookie_id = signed_in(make_employee())
        pid = text("SELECT pg_backend_pid()")
        engine = reads_engine()
        with engine.connect() as first, engine.connect() as second:
            old = {first.scalar(pid), second.scalar(pid)}
        kill_pooled_connection(engine)
        with pytest.raises(OperationalError):
            load_user(cookie_id)
        with engine.connect() as connection:
            assert connection.scalar(pid) not in old


@postgres_only
def test_configured_pre_ping_is_used_as_configured(app, app_with):
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] | {"pool_pre_ping": True}
    pinged = app_with(LMS_DB_PING_AFTER_IDLE_S=3600, SQLALCHEMY_ENGINE_OPTIONS=options)
    with pinged.app_context():
        kill_pooled_connection()
        assert db.session.scalar(text("SELECT 1")) == 1
