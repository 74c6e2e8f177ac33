"""Health checks for load balancers and orchestrators: liveness and readiness."""

import logging
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms.extensions import db

bp = Blueprint("ops", __name__)
logger = logging.getLogger(__name__)


@cache
def script_heads(directory: str) -> frozenset[str]:
    """Return the head revisions of the migration scripts shipped with this code."""
    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def migrations_directory() -> str:
    directory = Path(current_app.extensions["migrate"].directory)
    if not directory.is_absolute():
        # Relative to the project, not to wherever the server happened to be started.
        directory = Path(current_app.root_path).parent / directory
    return str(directory)


def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """Report that the process is up and serving requests (no database check)."""
    return no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    """Report whether the database is reachable and its schema is at the code's migration head."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            applied = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        # Logged, not returned: the error may name hosts and users, and this page is public.
        logger.exception("readiness check: database unreachable")
        return no_store(jsonify(status="unavailable", database="unreachable")), 503
    expected = script_heads(migrations_directory())
    body = {
        "database": "ok",
        "migrations": {"database": sorted(applied), "code": sorted(expected)},
    }
    if applied != expected:
        return no_store(jsonify(status="unavailable", **body, detail="migrations not current")), 503
    return no_store(jsonify(status="ok", **body))
