"""Attest: staff training and policy compliance."""

import os
from collections.abc import Callable
from types import FunctionType
from typing import Any

from flask import Flask

from config import CONFIGS, config_name
from lms.extensions import csrf, db, limiter, login_manager, migrate

# Plain functions ensure_sync has answered for (views and hooks: a few hundred at most).
SYNC_CHECKED_MAX = 4096


class MissingSecretKey(RuntimeError):
    """Production settings without a SECRET_KEY: the app refuses to start."""


class Attest(Flask):
    """Flask, with its answer to "is this view or hook a coroutine?" remembered per function.

    Flask asks `ensure_sync` before calling every hook and view (12 times on a cached
    learner page: the request-log, bad-input, CSRF and limiter hooks, the view and
    Flask-Login's wrapper, the after-request and teardown hooks), and each answer was
    `inspect.iscoroutinefunction`'s walk (ismethod, partials, isfunction, the code
    flags): about 90 of the page's 1,364 Python calls (cProfile). A plain function
    never changes whether it is a coroutine function, so its answer is kept; anything
    else (bound methods, partials, which may be made afresh per call) is asked every
    time, as Flask does, and the set kept is bounded. Async views still get Flask's
    own wrapper: only the plain-sync answer is remembered.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_functions: set[FunctionType] = set()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if type(func) is FunctionType and func in self._sync_functions:
            return func
        result = super().ensure_sync(func)
        if (
            result is func
            and type(func) is FunctionType
            and len(self._sync_functions) < SYNC_CHECKED_MAX
        ):
            self._sync_functions.add(func)
        return result


def create_app(config: dict | None = None) -> Flask:
    """Create the app from the environment's config class, then `config` overrides."""
    app = Attest(__name__, instance_relative_config=True)
    app.config.from_object(CONFIGS[config_name()])
    app.config.from_mapping(config or {})
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/attest.db"
    if not app.config.get("SECRET_KEY"):
        raise MissingSecretKey(
            "SECRET_KEY must be set in production; for local use set LMS_ENV=development"
            " (see README, Deployment)"
        )
    register_ops(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_templates(app)
    return app


def register_ops(app: Flask) -> None:
    # First, so request ids and timings cover the other extensions' before_request hooks too.
    from lms import ops

    ops.register(app)


def register_extensions(app: Flask) -> None:
    from lms.database import configure_engine, engine_options, init_database
    from lms.ops.limiter_hooks import check_limits_only_where_they_apply
    from lms.web import pagecache
    from lms.web.csrf import check_methods_first
    from lms.web.sessions import SignedCookieSessions, remember_session_identifiers

    app.session_interface = SignedCookieSessions()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app)
    init_database(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    check_methods_first(app)
    limiter.init_app(app)
    check_limits_only_where_they_apply(app)
    login_manager.init_app(app)
    remember_session_identifiers(login_manager)
    configure_engine(app)
    pagecache.init_app(app)


def register_blueprints(app: Flask) -> None:
    from lms import errors
    from lms.activation import routes as activation
    from lms.api import routes as api
    from lms.auth import routes as auth
    from lms.certificates import routes as certificates
    from lms.hr import routes as hr
    from lms.idle import routes as idle
    from lms.imports import routes as imports
    from lms.learn import routes as learn
    from lms.sso import routes as sso
    from lms.verify import routes as verify

    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(hr.bp)
    app.register_blueprint(idle.bp)
    app.register_blueprint(sso.bp)
    app.register_blueprint(activation.bp)
    csrf.exempt(api.bp)  # bearer tokens, not cookies: no cross-site request can carry one
    app.register_blueprint(api.bp)
    errors.register(app)


def register_commands(app: Flask) -> None:
    from lms.cli import lms_group

    app.cli.add_command(lms_group)


def register_templates(app: Flask) -> None:
    """Jinja filters (one date format), and /favicon.ico, which browsers ask for on every page."""
    from flask import send_from_directory

    from lms import dates

    dates.register(app)

    def favicon():
        return send_from_directory(app.static_folder, "favicon.ico", max_age=86400)

    app.add_url_rule("/favicon.ico", "favicon", favicon)
