"""The libraries' private behaviour the speed-ups rely on, held exactly, so an upgrade that
changes it fails here (the libraries are pinned in requirements.txt).

Each seam is named in its module's docstring: lms.database.driver_query (SQLAlchemy's
`Connection._handle_dbapi_exception` and compiled-statement attributes),
lms.mail.outbox (Jinja's `Template.root_render_func` with a shared context),
lms.web.pagecache (Flask's "_flashes" session key), lms.web.csrf (where Flask-WTF
keeps the token), lms.ops.requestlog (Flask-Login's `g._login_user`). Flask-Limiter's
hooks, which lms.ops.limiter_hooks wraps, are held by tests/ops/test_rate_limit_scope.py.
"""

import re
from pathlib import Path

import flask
import flask_limiter
import flask_login
import flask_wtf
import jinja2
import pytest
import sqlalchemy
from flask import flash, g, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, event, select
from sqlalchemy.exc import DBAPIError

from lms.extensions import db
from lms.models import User
from lms.web.signed_in import SignedInPerson

ROOT = Path(__file__).resolve().parents[2]


def pinned() -> dict[str, str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    found = (re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", line) for line in lines)
    return {m.group(1).lower(): m.group(2) for m in found if m}


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("sqlalchemy", sqlalchemy),
        ("jinja2", jinja2),
        ("flask", flask),
        ("flask-login", flask_login),
        ("flask-wtf", flask_wtf),
        ("flask-limiter", flask_limiter),
    ],
)
def test_the_libraries_whose_internals_are_relied_on_are_pinned_and_installed_as_pinned(
    name, module
):
    from importlib.metadata import version

    assert name in pinned(), f"{name} is relied on below: pin it in requirements.txt"
    assert version(name) == pinned()[name]


def test_sqlalchemy_handle_dbapi_exception_wraps_fires_handle_error_and_raises(app):
    """DriverQuery hands a driver error to SQLAlchemy as its own execution would."""
    engine = db.engine
    seen = []

    @event.listens_for(engine, "handle_error")
    def note(context):
        seen.append((context.statement, type(context.original_exception)))

    try:
        with engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            error = engine.dialect.loaded_dbapi.OperationalError("boom")
            with pytest.raises(DBAPIError) as raised:
                connection._handle_dbapi_exception(error, "SELECT boom", (), cursor, None)
            assert raised.value.orig is error and raised.value.statement == "SELECT boom"
            assert isinstance(raised.value, sqlalchemy.exc.OperationalError)
            cursor.close()
    finally:
        event.remove(engine, "handle_error", note)
    assert seen == [("SELECT boom", type(error))]


def test_sqlalchemy_compiled_statements_have_what_driver_query_reads(app):
    users = User.__table__
    compiled = select(users.c.id).where(users.c.email == bindparam("email"))
    compiled = compiled.compile(dialect=db.engine.dialect)
    (bind,) = compiled.binds.values()
    assert (bind.key, bind.value, bind.callable, bind.expanding) == ("email", None, None, False)
    assert not compiled.escaped_bind_names  # a mapping, empty for plain names
    positional = db.engine.dialect.paramstyle in ("qmark", "numeric", "format")
    assert (compiled.positiontup is not None) == positional


def test_jinja_root_render_func_with_a_shared_context_renders_without_the_globals():
    """lms.mail.outbox renders each email this way: no copy of the app's globals per render."""
    env = jinja2.Environment(autoescape=True)
    env.globals["secret_global"] = "from the app"
    template = env.from_string("Hi {{ name }}{{ secret_global }}")
    values = {"name": "<Erin>"}
    shared = "".join(template.root_render_func(template.new_context(values, shared=True)))
    assert shared == "Hi &lt;Erin&gt;"  # escaped as render() would, globals left out
    assert template.render(values) == "Hi &lt;Erin&gt;from the app"


def test_flask_keeps_flashed_messages_in_the_session_under_flashes(app):
    from lms.web.pagecache import FLASHES

    with app.test_request_context("/"):
        assert FLASHES not in session
        flash("Saved.")
        assert session[FLASHES] == [("message", "Saved.")]


def test_flask_login_keeps_the_request_user_on_g(app):
    person = SignedInPerson(
        id=1,
        email="e@example.com",
        full_name="E",
        is_hr=False,
        has_reports=False,
        training_rev=0,
        session_id=1,
        session_token="t",
    )
    with app.test_request_context("/"):
        login_user(person)
        assert g._login_user is person


def test_flask_wtf_keeps_the_token_on_g_and_the_secret_in_the_session(app):
    from lms.web.csrf import csrf_field

    with app.test_request_context("/"):
        field = csrf_field()
        token = generate_csrf()
        assert getattr(g, field) == token and isinstance(session[field], str)
        setattr(g, field, "placeholder")  # what lms.web.csrf.placeholder_token does
        assert generate_csrf() == "placeholder"
