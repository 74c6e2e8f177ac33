"""Attest: staff training and policy compliance."""

import functools
import os

from flask import Flask

from config import CONFIGS, config_name
from lms.extensions import csrf, db, limiter, login_manager, migrate


class MissingSecretKey(RuntimeError):
    """Production settings without a SECRET_KEY: the app refuses to start."""


def create_app(config: dict | None = None) -> Flask:
    """Create the app from the environment's config class, then `config` overrides."""
    app = Flask(__name__, instance_relative_config=True)
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
    from lms import pagecache
    from lms.database import configure_engine, engine_options
    from lms.sessions import SignedCookieSessions

    app.session_interface = SignedCookieSessions()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    check_limits_only_where_they_apply(app)
    login_manager.init_app(app)
    configure_engine(app)
    pagecache.init_app(app)


# Rate limits are on single views (sign-in, passwords: their decorators check them) or on
# the blueprints below (checked before each request); a test holds the code to that. A
# request that reads a page elsewhere cannot meet a limit before its view runs.
LIMITED_BLUEPRINTS = frozenset({"api", "verify"})
UNLIMITED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cannot_be_limited() -> bool:
    from flask import request

    return request.method in UNLIMITED_METHODS and request.blueprint not in LIMITED_BLUEPRINTS


def check_limits_only_where_they_apply(app: Flask) -> None:
    """Skip Flask-Limiter's request hooks on requests no limit applies to.

    Before each request the limiter works out which limits apply; after it, it adds
    the rate-limit headers and settles conditional deductions; on teardown it clears
    its state. For a request that cannot be limited that was a twentieth of a cached
    page. Views with their own limits (decorated) check them in the decorator, and
    only for the methods they name (all of them POST; a test holds that), so only the
    blueprint limits need the hooks, unless default or application-wide limits are
    configured (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION): those apply everywhere,
    and the hooks are left as they are.
    """
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits:
        return

    def is_limiters(hook) -> bool:
        # A bound method of the limiter, or functools.partial(Limiter.method, limiter).
        owner = getattr(hook, "__self__", None)
        if owner is None and isinstance(hook, functools.partial) and hook.args:
            owner = hook.args[0]
        return owner is limiter

    # An after-request hook hands the response on; the others return nothing.
    for hooks, hands_on in (
        (app.before_request_funcs.get(None, []), False),
        (app.after_request_funcs.get(None, []), True),
        (app.teardown_request_funcs.get(None, []), False),
    ):
        # None when RATELIMIT_ENABLED is off: the limiter installed no hooks.
        for index, hook in enumerate(hooks):
            if is_limiters(hook):
                hooks[index] = only_where_limits_apply(hook, hands_on)


def only_where_limits_apply(hook, hands_on: bool):
    @functools.wraps(hook)
    def limiter_hook(*args):
        if cannot_be_limited():
            return args[0] if hands_on else None
        return hook(*args)

    return limiter_hook


def register_blueprints(app: Flask) -> None:
    from lms import errors
    from lms.api import routes as api
    from lms.auth import routes as auth
    from lms.certificates import routes as certificates
    from lms.hr import routes as hr
    from lms.imports import routes as imports
    from lms.learn import routes as learn
    from lms.verify import routes as verify

    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(hr.bp)
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
