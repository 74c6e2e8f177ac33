"""gunicorn settings for Attest: `gunicorn -c gunicorn.conf.py wsgi:app` (what `make serve` runs).

Every setting can be changed from the environment without editing this file; gunicorn's
own command-line flags (and GUNICORN_CMD_ARGS) override it too.
"""

import os


def cpu_count() -> int:
    # Cores this process may run on (containers and taskset limit it), not all of the machine's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


bind = env("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's rule of thumb for sync workers, capped: past a dozen the database pool suffers first.
workers = int(env("WEB_CONCURRENCY", str(min(2 * cpu_count() + 1, 12))))
worker_class = "sync"
# A worker that does not answer in this many seconds is killed and replaced.
timeout = int(env("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never takes an instance down; but rarely:
# a recycled worker starts with an empty page cache (lms.web.pagecache) and its SQL still to
# compile, and each recycle stalled the requests around it (under wrk, p99 of a cached
# page 500-650 ms recycling every 2,000 requests, 22 ms never recycling).
max_requests = 10000
max_requests_jitter = 1000
# Load the app once in the master and fork workers from it: a new or recycled worker is
# ready at once instead of spending seconds importing (which, measured under load, cost
# a quarter of the CPU at this recycling rate), and the workers share the loaded code's
# memory. Nothing opens a database connection while the app loads; post_fork below
# makes sure no pooled connection crosses a fork anyway.
preload_app = True
# The worker heartbeat file lives in memory: a slow or full disk must not get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Logs go to stdout/stderr for the process manager (systemd, Docker) to collect. The access
# log is the app's JSON request line (lms.ops.requestlog), written by gunicorn once the
# response is sent, in place of gunicorn's own text line: one line per request. The app
# leaves that line to gunicorn and hands it the request id and the signed-in person.
logger_class = "lms.ops.gunicorn_log.RequestLogger"
os.environ.setdefault("LMS_REQUEST_LOG", "gunicorn")
accesslog = None if env("GUNICORN_ACCESS_LOG", "-") == "off" else env("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = env("GUNICORN_LOG_LEVEL", "info")

# Proxies whose X-Forwarded-Proto gunicorn believes; the app's ProxyFix settings
# (LMS_PROXY_FIX_*) decide the rest. Only the proxy on this machine by default.
forwarded_allow_ips = env("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No runtime control socket: nothing on the machine should resize or reload us but the
# process manager, and several instances would fight over the one default path.
control_socket_disable = True


def attest_app():
    """Return Attest's app as loaded in this process, or None for another app (the bench's bare page)."""
    import sys

    app = getattr(sys.modules.get("wsgi"), "app", None)
    return app if app is not None and "sqlalchemy" in getattr(app, "extensions", {}) else None


def when_ready(server):
    """In the master, before any worker forks: compile what every worker would compile first."""
    app = attest_app()
    if app is not None:
        from lms.ops.warm import warm_up

        warm_up(app)


def post_fork(server, worker):
    """Give each worker its own database connections (SQLAlchemy's advice for forking)."""
    app = attest_app()
    if app is None:
        return
    from lms.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)  # forget the parent's pooled connections; don't close them
