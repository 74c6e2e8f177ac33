"""gunicorn.conf.py: the settings gunicorn actually ends up with."""

import os
import subprocess
import sys

from tests.ops.support import PROJECT


def gunicorn_settings(**env) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--print-config", "wsgi:app"],
        cwd=PROJECT,
        # --print-config loads the app too; development settings need no secret.
        env={k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN", "WEB_"))}
        | {"LMS_ENV": "development"}
        | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    settings = {}
    for line in result.stdout.splitlines():
        name, sep, value = line.partition(" = ")
        if sep:
            settings[name.strip()] = value.strip()
    return settings


def test_defaults_are_production_ready():
    settings = gunicorn_settings()
    cores = len(os.sched_getaffinity(0))
    assert settings["workers"] == str(min(2 * cores + 1, 12))
    assert settings["control_socket_disable"] == "True"
    assert settings["timeout"] == "30"
    assert settings["accesslog"] == "-"
    assert settings["bind"] == "['127.0.0.1:8000']"
    assert settings["forwarded_allow_ips"] == "['127.0.0.1', '::1']"
    assert settings["preload_app"] == "True"
    # The access line is the app's JSON request line (tests/ops/test_gunicorn_log.py).
    assert settings["logger_class"] == "lms.ops.gunicorn_log.RequestLogger"


def test_settings_come_from_the_environment():
    # One gunicorn start for all of them: each start loads the app (about a second).
    settings = gunicorn_settings(
        WEB_CONCURRENCY="3",
        GUNICORN_BIND="0.0.0.0:9000",
        GUNICORN_TIMEOUT="60",
        GUNICORN_ACCESS_LOG="off",
        GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.2",
    )
    assert settings["workers"] == "3"
    assert settings["bind"] == "['0.0.0.0:9000']"
    assert settings["timeout"] == "60"
    assert settings["accesslog"] == "None"
    assert settings["forwarded_allow_ips"] == "['10.0.0.2']"


def test_a_forked_worker_starts_with_its_own_connection_pool(app, monkeypatch):
    import runpy
    import types

    from lms.extensions import db

    hooks = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    monkeypatch.setitem(sys.modules, "wsgi", types.SimpleNamespace(app=app))
    with app.app_context():
        db.session.execute(db.select(1))  # a pooled connection, as the master might hold
        db.session.remove()
        inherited = db.engine.pool
    try:
        hooks["post_fork"](None, None)
        with app.app_context():
            assert db.engine.pool is not inherited
    finally:
        inherited.dispose()  # a real worker leaves these to its parent; here, close them


def test_workers_are_recycled_rarely_enough_to_keep_their_caches():
    settings = gunicorn_settings()
    assert settings["max_requests"] == "10000"
    assert settings["max_requests_jitter"] == "1000"


def test_warm_up_compiles_every_template_once_for_all_workers(app):
    from lms.ops.warm import warm_up

    env = app.jinja_env
    assert env.cache is not None and env.cache.capacity >= len(env.list_templates())
    compiled = warm_up(app)
    assert compiled == len(env.list_templates()) > 20
    cached_names = {name for _loader, name in env.cache.keys()}
    assert cached_names == set(env.list_templates())
