"""What the benchmarks share: fresh databases, the machine, `flask` subprocesses, timed requests."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-only-secret-not-for-production-0123456789"  # noqa: S105 - bench only
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Runs the flask CLI and, at exit, reports the process's own peak RSS (VmHWM). wait4's
# ru_maxrss would not do: a child's counts what its parent had in memory when it forked.
PEAK_WRAPPER = """
import atexit, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("peak-rss-kib", line.split()[1])
atexit.register(peak)
from flask.cli import main
sys.argv = ["flask", *sys.argv[1:]]
main()
"""


@contextmanager
def fresh_database(kind: str, sqlite_path: Path, postgres_url: str) -> Iterator[str]:
    """Yield the URL of a new empty database of this kind, removed afterwards."""
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm", "-writers", ".renew-lock"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{sqlite_path}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_available(url: str) -> bool:
    """Return whether the PostgreSQL server at `url` answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.pool import NullPool

    try:
        with create_engine(url, poolclass=NullPool).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False


def rows_per_database(
    kinds: str, postgres_url: str, run: Callable[[str], list[tuple[str, str, str]]]
) -> list[tuple[str, str, str]]:
    """Return the (database, measure, figure) rows of `run(kind)` for each comma-separated kind.

    PostgreSQL without a server answering at `postgres_url` gives one "skipped" row.
    """
    rows: list[tuple[str, str, str]] = []
    for kind in kinds.split(","):
        if kind == "postgresql" and not postgres_available(postgres_url):
            rows.append((kind, "skipped", f"no server at {postgres_url}"))
        else:
            rows.extend(run(kind))
    return rows


@contextmanager
def scratch_database(kind: str, postgres_url: str) -> Iterator[str]:
    """Like `fresh_database`, with the SQLite file in a temporary folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        with fresh_database(kind, Path(folder) / "bench.db", postgres_url) as url:
            yield url


def machine(*, with_load: bool = False) -> str:
    """Describe the machine a table was measured on."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cores = len(os.sched_getaffinity(0))
    load = f", load {os.getloadavg()[0]:.1f} at start" if with_load else ""
    return (
        f"{model}, {cores} cores, {memory:.0f} GiB RAM{load}, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )


def signed_in(app, user) -> tuple[str, str]:
    """Return the session cookie and CSRF token a sign-in from wrk's address would give.

    The bench makes them the way the login view does (`lms.auth.routes.sign_in`: a
    server-side session row and the signed cookie naming it) instead of posting
    thousands of passwords past the login rate limit.
    """
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from lms.auth.signing_in import sign_in

    # A fresh app context: generate_csrf caches its token on `g`, which would hand every
    # session after the first the first one's token.
    with (
        app.app_context(),
        app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}),
    ):
        sign_in(user, remember=False)
        token = generate_csrf()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}", token


def build_demo(app, employees: int, tables: tuple[str, ...]) -> tuple[float, dict[str, int]]:
    """Make the schema, sync content/ and load the demo (in an app context).

    Returns the demo's build time in seconds and the row counts of `tables`.
    """
    import time

    from sqlalchemy import text

    from lms.extensions import db

    db.create_all()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    start = time.perf_counter()
    result = runner.invoke(args=["lms", "demo", "--employees", str(employees)])
    assert result.exit_code == 0, result.output
    built = time.perf_counter() - start
    counts = {
        name: db.session.scalar(text(f"SELECT count(*) FROM {name}"))  # noqa: S608 - fixed names
        for name in tables
    }
    return built, counts


def cli_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a `flask` subprocess on `url`: production settings, no request log."""
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "MAIL_USERNAME")}
    return env | {
        "LMS_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "FLASK_APP": "wsgi.py",
        "LMS_CONTENT_DIR": str(ROOT / "content"),
        "LMS_REQUEST_LOG": "off",
        "REDIS_URL": "",
        **extra,
    }


def compile_app() -> None:
    """Compile lms/ to bytecode, as a server has it from the app's first start on.

    A timed `flask` process then starts as it does on a server on any day after the
    first. Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), Python never
    writes what it compiles, so every process compiled the ~140 modules it had no
    bytecode for: 0.4 s of each renew and import run's start-up (session 10).
    """
    import compileall

    compileall.compile_dir(str(ROOT / "lms"), quiet=1)


def flask_cli(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """Run `flask <args>` in a subprocess; return (seconds, peak RSS MiB, output).

    Wall time, the process's start-up included. A failure ends the benchmark with its output.
    """
    compile_app()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, *args],
        cwd=ROOT,
        env=env,
        text=True,
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout[-3000:]}")
    match = re.search(r"peak-rss-kib (\d+)", result.stdout)
    return seconds, int(match.group(1)) / 1024 if match else 0.0, result.stdout


def median_ms(client, url: str, runs: int) -> float:
    """Return the median milliseconds of `runs` GETs of `url` (body read), after one warm-up."""
    client.get(url).get_data()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


@contextmanager
def statements_counted(app) -> Iterator[list[int]]:
    """Yield a list that gains an item for each SQL statement `app` sends while the block runs.

    Every engine of the app is heard: on PostgreSQL the signed-in read has one of its own
    (`lms.database.add_reads_engine`). Requests are made outside the app context taken
    here, so that each has its own `g`, as in production.
    """
    from sqlalchemy import event

    from lms.extensions import db

    with app.app_context():
        engines = list(db.engines.values())
    statements: list[int] = []

    def heard(*_args) -> None:
        statements.append(1)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", heard)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", heard)
