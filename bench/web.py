"""Attest's pages against a bare Flask page, both under gunicorn.conf.py, driven by wrk.

    python bench/web.py [--employees 10000] [--duration 5] [--rounds 5] [--connections 8]
                        [--databases sqlite,postgresql] [--workers N] [--pages quiz,module]

For each database it builds the demo organisation (`flask lms demo --employees N`) in a
fresh SQLite file or PostgreSQL schema, and starts, each under the same gunicorn
settings: Attest in production mode, a bare Flask app that renders a one-line template,
and the same bare app reading one row first (the most any page that consults the
database on every request can do). Each page is driven by wrk in `--rounds` runs of
`--duration` seconds, each run right after one of the bare page (the pages that only
read take their runs in turn, so that each spans the same minutes), and reported as
median requests/s, median p50, median and worst p99, and the median of its per-round
shares of the bare page's requests/s; also the SQL statements each page issues. The
quiz submissions run the same way after them, each run on attempts of its own (each
attempt submits once). CSRF stays on: the submissions carry real tokens.

    python bench/web.py --in-process 2000 [--database-url URL] ...

measures the same pages' CPU instead, without servers or wrk: each page's WSGI app
(Attest as gunicorn.conf.py runs it, the bare page, the bare page + one query) called
in this process, CPU time per request (`time.process_time`, the median of --rounds
runs alternating the pages) and Python calls per request (cProfile; the same on any
machine, however busy). The GET pages only: a quiz submission changes the database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

from support import fresh_database, machine, postgres_available, signed_in, statements_counted

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SECRET = "bench-only-secret-not-for-production-0123456789"  # noqa: S105 - bench servers only
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_SHARE = 0.40  # dashboard and module page vs the bare page, requests/s
TARGET_QUIZ_P99_MS = 100

# wrk script: each thread replays its share of a file of requests, one per line
# (METHOD, path, Cookie header, form body; tab-separated), and reports JSON when done.
WRK_LUA = r"""
local threads, counter = {}, 0
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local nthreads, lines = tonumber(args[2]), {}
  for line in io.lines(args[1]) do table.insert(lines, line) end
  -- Each thread replays every nthreads-th line; with fewer lines than threads, each
  -- replays them all (a thread with no request to send would leave its connections idle).
  local step = #lines >= nthreads and nthreads or 1
  local first = #lines >= nthreads and index + 1 or 1
  requests, position, wrapped = {}, 0, 0
  for i = first, #lines, step do
    local method, path, cookie, body = lines[i]:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {Cookie = cookie}
    if body == "" then body = nil else
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
end
function request()
  position = position + 1
  if position > #requests then position, wrapped = 1, wrapped + 1 end
  return requests[position]
end
function done(summary, latency, requests)
  local wraps = 0
  for _, thread in ipairs(threads) do wraps = wraps + thread:get("wrapped") end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout, wraps))
end
"""


def create_bare_app():
    """The yardstick: the least a Flask app does to answer with a rendered template."""
    from flask import Flask, render_template
    from jinja2 import DictLoader

    app = Flask("bare")
    app.jinja_loader = DictLoader({"page.html": "<p>Hello, {{ name }}!</p>"})

    @app.get("/")
    def page():
        return render_template("page.html", name="world")

    return app


def create_bare_query_app():
    """The yardstick with one SQL statement: the bare page, reading one person's row first.

    Every signed-in Attest page reads the signed-in person, so no such page can go
    faster than this on the same database. The statement is run the way Attest's
    loader runs its own: a SELECT by primary key on a pooled connection, in autocommit
    on a server (one round trip), on the driver's cursor through lms.database.DriverQuery.
    """
    from flask import Flask, render_template
    from jinja2 import DictLoader
    from sqlalchemy import bindparam, column, create_engine, select, table

    from lms.database import DriverQuery

    app = Flask("bare-query")
    app.jinja_loader = DictLoader({"page.html": "<p>Hello, {{ name }}!</p>"})
    url = os.environ["DATABASE_URL"]
    engine = create_engine(url)
    if not url.startswith("sqlite"):
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    users = table("users", column("id"), column("full_name"))
    person = DriverQuery(select(users.c.full_name).where(users.c.id == bindparam("id")))
    user_id = int(os.environ["BENCH_USER_ID"])

    @app.get("/")
    def page():
        with engine.connect() as connection:
            name = person.first(connection, {"id": user_id})["full_name"]
        return render_template("page.html", name=name)

    return app


@dataclass
class Page:
    name: str
    lines: list[str]  # wrk request lines
    expect: int  # status of a correct answer (checked once before the run)
    queries: int | None = None
    result: dict = field(default_factory=dict)
    # Each round's requests/s over those of the bare page's run just before it.
    shares: list[float] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Requests/s as a share of the bare page's: the median over rounds (the bare page: 1)."""
        return statistics.median(self.shares) if self.shares else 1.0


def request_line(method: str, path: str, cookie: str = "", body: dict | None = None) -> str:
    return "\t".join([method, path, cookie, urlencode(body) if body else ""])


# -- databases ---------------------------------------------------------------------------------


@contextmanager
def database(kind: str) -> Iterator[str]:
    """Yield the URL of a new empty database of this kind, removed afterwards."""
    with fresh_database(kind, OUT / "bench.db", POSTGRES) as url:
        yield url


# -- the data each page is driven with ---------------------------------------------------------


def prepare(url: str, args, build: bool = True) -> tuple[list[Page], dict]:
    """Build the demo organisation (unless `build` is false) and the signed-in requests for each page."""
    os.environ["LMS_ENV"] = "production"
    from lms import create_app
    from lms.database import dispose_engines
    from lms.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET,
            "LMS_CONTENT_DIR": str(ROOT / "content"),
            "LMS_REQUEST_LOG": "off",
        }
    )
    facts = {}
    with app.app_context():
        started = time.perf_counter()
        if build:
            # The models' schema: migrations can trail the models while features land.
            db.create_all()
            runner = app.test_cli_runner()
            for command in (["sync-content"], ["demo", "--employees", str(args.employees)]):
                result = runner.invoke(args=["lms", *command])
                if result.exit_code != 0:
                    raise SystemExit(f"flask lms {' '.join(command)} failed:\n{result.output}")
        facts["build_s"] = time.perf_counter() - started
        pages = signed_in_pages(app, args)
        db.session.remove()
    # Outside the app context above: requests made inside it would share its `g`, and so
    # Flask-Login's cached user. The test client speaks https here (PREFERRED_URL_SCHEME),
    # hence the Referer Flask-WTF checks on https; the cookie is sent by hand, as wrk does.
    client = app.test_client(use_cookies=False)
    with statements_counted(app) as counts:
        for page in pages:
            count_queries(client, page, counts)
    with app.app_context():
        dispose_engines()
    return pages, facts


def count_queries(client, page: Page, counts: list) -> None:
    """Count the SQL statements one request issues (the second time; the first warms caches)."""
    # The second of two requests: the first warms caches. Pages driven with many people
    # count a second person's first view (a page-cache miss), not a repeat of the first.
    if page.name == "quiz submission":
        lines = page.lines[-2:]
    else:
        lines = page.lines[:2] if len(page.lines) > 1 else page.lines * 2
    for line in lines:
        method, path, cookie, body = line.split("\t")
        counts.clear()
        response = client.open(
            path,
            method=method,
            data=body or None,
            headers={"Cookie": cookie, "Referer": "https://localhost/"},
            content_type="application/x-www-form-urlencoded" if body else None,
        )
        if response.status_code != page.expect:
            raise SystemExit(
                f"{page.name}: {path} answered {response.status_code}: {response.get_data(as_text=True)[-800:]}"
            )
    page.queries = len(counts)
    if page.name == "quiz submission":
        page.lines = page.lines[:-2]  # those two are used up


def signed_in_pages(app, args) -> list[Page]:
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.models import Attempt, User

    # The employee with the most history: the heaviest dashboard, not the lightest.
    busiest = db.session.scalar(
        select(Attempt.user_id)
        .join(User, User.id == Attempt.user_id)
        .where(~User.is_hr, User.is_active)
        .group_by(Attempt.user_id)
        .order_by(func.count().desc(), Attempt.user_id)
        .limit(1)
    )
    employee = db.session.get(User, busiest)
    os.environ["BENCH_USER_ID"] = str(employee.id)  # for the bare page with one query
    cookie, _ = signed_in(app, employee)
    slug = first_module_slug(employee.id)
    # Many people each opening their dashboard: in a run of seconds most of these are
    # the first view of that person by that worker, so they measure the uncached page.
    people = db.session.scalars(
        select(User).where(~User.is_hr, User.is_active).order_by(User.id).limit(args.many)
    ).all()
    pages = [
        Page("health check (no sign-in, no SQL)", [request_line("GET", "/healthz")], 200),
        Page("employee dashboard", [request_line("GET", "/", cookie)], 200),
        Page(
            f"employee dashboard, {len(people):,} people",
            [request_line("GET", "/", signed_in(app, person)[0]) for person in people],
            200,
        ),
        Page("module page", [request_line("GET", f"/modules/{slug}", cookie)], 200),
        Page("quiz submission", quiz_submissions(app, args.quiz_attempts), 302),
    ]
    if any(rule.rule == "/hr/" for rule in app.url_map.iter_rules()):
        hr = db.session.scalar(select(User).where(User.email == "hr@example.com"))
        pages.append(
            Page("HR dashboard", [request_line("GET", "/hr/", signed_in(app, hr)[0])], 200)
        )
    return pages


def first_module_slug(user_id: int) -> str:
    from lms.learn.queries import my_progress
    from lms.models.base import utctoday

    return my_progress(user_id, utctoday())[0].assignment.module.slug


def quiz_submissions(app, count: int) -> list[str]:
    """Open `count` quiz attempts on distinct assignments and return a submission for each."""
    from sqlalchemy import and_, exists, select

    from lms.extensions import db
    from lms.grading import draw_questions
    from lms.models import Assignment, Attempt, Choice, Module, ModuleVersion, Question, User

    rng = random.Random(1)  # noqa: S311 - bench data, not security
    open_attempt = exists().where(
        Attempt.assignment_id == Assignment.id,
        Attempt.cycle == Assignment.cycle,
        Attempt.submitted_at.is_(None),
    )
    rows = db.session.execute(
        select(Assignment, ModuleVersion)
        .join(Module, Module.id == Assignment.module_id)
        .join(ModuleVersion, and_(ModuleVersion.module_id == Module.id, ModuleVersion.is_current))
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.closed_on.is_(None), ~Module.is_archived, User.is_active)
        .where(ModuleVersion.question_count > 0, ~open_attempt)
        .order_by(Assignment.id)
        .limit(count + 2)
    ).all()
    pools: dict[int, dict[int, list[int]]] = {}
    for version_id, question_id, choice_id in db.session.execute(
        select(Question.module_version_id, Question.id, Choice.id)
        .join(Choice, Choice.question_id == Question.id)
        .order_by(Question.position, Choice.position)
    ):
        pools.setdefault(version_id, {}).setdefault(question_id, []).append(choice_id)
    attempts = [
        Attempt(
            assignment_id=assignment.id,
            user_id=assignment.user_id,
            module_version_id=version.id,
            cycle=assignment.cycle,
            drawn=draw_questions(pools[version.id], version.questions_per_attempt, rng),
        )
        for assignment, version in rows
    ]
    db.session.add_all(attempts)
    db.session.commit()
    sessions = {}
    lines = []
    for attempt in attempts:
        if attempt.user_id not in sessions:
            sessions[attempt.user_id] = signed_in(app, db.session.get(User, attempt.user_id))
        cookie, token = sessions[attempt.user_id]
        # First choice shown for every question: right or wrong, grading costs the same.
        answers = {f"q{item['question_id']}": item["choice_ids"][0] for item in attempt.drawn}
        body = {"csrf_token": token, **answers}
        lines.append(request_line("POST", f"/attempts/{attempt.id}", cookie, body))
    return lines


# -- servers and load --------------------------------------------------------------------------


@contextmanager
def gunicorn(target: str, env: dict, name: str, args) -> Iterator[str]:
    """Run `target` under gunicorn.conf.py on a free port; yield its base URL."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--pythonpath",
        str(ROOT / "bench"),
        target,
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    with open(OUT / f"{name}.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(port, process, name)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_for(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} did not start; see {OUT / name}.log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not answer within 60 s")


def check(base: str, page: Page) -> None:
    """Make one request as wrk will, and fail loudly if it is not answered as expected."""
    method, path, cookie, body = page.lines[0].split("\t")
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != page.expect:
        raise SystemExit(f"{page.name}: {path} answered {response.status}, not {page.expect}")
    if response.getheader("Set-Cookie"):
        raise SystemExit(f"{page.name}: the session changed on every request; figures would be off")
    if page.name == "quiz submission":
        page.lines = page.lines[1:]


def load(base: str, page: Page, args, duration: int | None = None) -> dict:
    """Drive one page with wrk; return requests/s, p50/p99 in ms, errors and wraps."""
    requests = OUT / "requests.txt"
    requests.write_text("\n".join(page.lines) + "\n", encoding="utf-8")
    script = OUT / "bench.lua"
    script.write_text(WRK_LUA, encoding="utf-8")
    command = [
        "wrk",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{duration or args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base,
        "--",
        str(requests),
        str(args.threads),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50": figures["p50_us"] / 1000,
        "p99": figures["p99_us"] / 1000,
        "errors": figures["errors"],
        "wrapped": figures["wrapped"],
    }


def batches(page: Page, count: int) -> list[Page]:
    """The page as driven in each of `count` runs: the same requests every time, except
    the quiz submissions, where each run gets its own share of the attempts (each
    attempt submits once)."""
    if page.name != "quiz submission":
        return [page] * count
    share = len(page.lines) // count
    return [replace(page, lines=page.lines[i * share : (i + 1) * share]) for i in range(count)]


def combined(results: list[dict]) -> dict:
    """One figure for several runs: medians of requests/s, p50 and p99; the worst p99; all errors.

    The median p99 is the page's own tail; the worst also holds the moments this shared
    machine stalls (the bare page's p99 jumps from ~10 ms to 200+ ms in such a run).
    """
    return {
        "rps": statistics.median(r["rps"] for r in results),
        "p50": statistics.median(r["p50"] for r in results),
        "p99": statistics.median(r["p99"] for r in results),
        "worst_p99": max(r["p99"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "wrapped": max(r["wrapped"] for r in results),
    }


def bench_database(kind: str, args) -> list[str]:
    """Run every page on one database; return the Markdown table's lines."""
    if args.database_url:
        bare, pages, facts = bench_url(kind, args.database_url, args, build=False)
        built = "already built (--database-url)"
    else:
        with database(kind) as url:
            bare, pages, facts = bench_url(kind, url, args)
        built = f"built in {facts['build_s']:.0f} s"
    print(
        f"\n{kind}: demo with {args.employees} employees {built}; "
        f"CPU {facts['busy']:.0%} busy with other work just before the runs"
    )
    return table(kind, bare, pages)


def bench_url(kind: str, url: str, args, build: bool = True) -> tuple[Page, list[Page], dict]:
    """Drive the pages on the database at `url` (the demo built first unless `build` is false).

    Returns the bare page, the pages (the bare page + one query first) and facts
    (`build_s`, `busy`). The quiz submissions open attempts: the database is changed.
    """
    pages, facts = prepare(url, args, build)
    if args.pages:
        wanted = [name.strip().lower() for name in args.pages.split(",") if name.strip()]
        pages = [page for page in pages if any(w in page.name.lower() for w in wanted)]
    env = {k: v for k, v in os.environ.items() if k != "FLASK_DEBUG"}
    env |= {
        "LMS_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "LMS_CONTENT_DIR": str(ROOT / "content"),
        "REDIS_URL": "",
    }
    bare = Page("bare page", [request_line("GET", "/")], 200)
    query = Page("bare page + one query (a person's row)", [request_line("GET", "/")], 200)
    query.queries = 1
    facts["busy"] = cpu_busy()  # other work on the machine skews every figure
    # All three servers up at once, each page's run right after one of the bare page: this
    # machine's speed drifts by a third over minutes (other tenants), which a bare page
    # measured once, minutes before the page, would put in the ratio. The pages that only
    # read take their rounds in turn (round 1 of every page, then round 2, ...), so each
    # page's median spans the same minutes: run one after another, the same module page's
    # share went 52 %, 40 %, 47 % at three places in one run (bench/README.md, session 13).
    # The quiz submissions write, so they come after the reads.
    reads = [page for page in [query, *pages] if page.name != "quiz submission"]
    writes = [page for page in pages if page.name == "quiz submission"]
    with (
        gunicorn("web:create_bare_app()", env, f"bare-{kind}", args) as bare_base,
        gunicorn("web:create_bare_query_app()", env, f"bare-query-{kind}", args) as query_base,
        gunicorn("wsgi:app", env, f"attest-{kind}", args) as attest_base,
    ):
        load(bare_base, bare, args, duration=2)  # warm up
        for group in (reads, writes):
            bases, runs, rounds = {}, {}, {}
            for page in group:
                bases[page.name] = base = query_base if page is query else attest_base
                if page is not query:
                    check(base, page)
                warm_up, *runs[page.name] = batches(page, args.rounds + 1)
                load(base, warm_up, args, duration=2)
                rounds[page.name] = []
            for i in range(args.rounds):
                for page in group:
                    bare_result = load(bare_base, bare, args)
                    page_result = load(bases[page.name], runs[page.name][i], args)
                    rounds[page.name].append((bare_result, page_result))
            for page in group:
                bare.rounds += [bare_result for bare_result, _ in rounds[page.name]]
                page.result = combined([result for _, result in rounds[page.name]])
                page.shares = [r["rps"] / b["rps"] for b, r in rounds[page.name]]
    bare.result = combined(bare.rounds)
    return bare, [query, *pages], facts


def in_process(kind: str, url: str, args, build: bool = True) -> list[str]:
    """CPU and Python calls per request of the GET pages, their WSGI apps called in this process."""
    import cProfile
    import io
    import pstats

    from werkzeug.test import EnvironBuilder

    pages, _ = prepare(url, args, build)
    from lms import create_app

    # As the servers run it: production settings, the request log left to gunicorn.
    attest = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET,
            "LMS_CONTENT_DIR": str(ROOT / "content"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "LMS_REQUEST_LOG": "gunicorn",
        }
    )
    os.environ["DATABASE_URL"] = url  # the bare page + one query reads it
    apps = {"bare page": create_bare_app(), "bare page + one query": create_bare_query_app()}
    targets = [(name, app, "/", "") for name, app in apps.items()]
    for page in [page for page in pages if page.lines]:  # the quiz's two are used up
        method, path, cookie, _body = page.lines[0].split("\t")
        if method == "GET" and not page.name.startswith("HR") and "people" not in page.name:
            targets.append((page.name, attest, path, cookie))

    def call(app, environ) -> None:
        environ = dict(environ, **{"wsgi.input": io.BytesIO(b"")})
        status = []
        body = app(environ, lambda s, h, e=None: status.append(s))
        for _chunk in body:
            pass
        getattr(body, "close", lambda: None)()
        if not status[0].startswith("200"):
            raise SystemExit(f"{environ['PATH_INFO']} answered {status[0]}")

    environs = {}
    for name, app, path, cookie in targets:
        environs[name] = EnvironBuilder(
            path=path,
            base_url="http://127.0.0.1:8000",
            headers={"Cookie": cookie} if cookie else {},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # where the bench's cookies were signed
        ).get_environ()
        for _ in range(200):  # warm: caches filled, statements prepared
            call(app, environs[name])
    calls = {}
    for name, app, _path, _cookie in targets:
        profile = cProfile.Profile()
        profile.runcall(lambda a=app, e=environs[name]: [call(a, e) for _ in range(100)])
        calls[name] = pstats.Stats(profile).total_calls / 100
    cpu = {name: [] for name, *_ in targets}
    for round_ in range(args.rounds):
        for name, app, _path, _cookie in targets[:: 1 if round_ % 2 == 0 else -1]:
            started = time.process_time()
            for _ in range(args.in_process):
                call(app, environs[name])
            cpu[name].append((time.process_time() - started) / args.in_process * 1e6)
    rows = [
        f"| {kind} | page | CPU us per request (median) | min | Python calls per request |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for name, *_ in targets:
        rows.append(
            f"| | {name} | {statistics.median(cpu[name]):.0f} | {min(cpu[name]):.0f} | "
            f"{calls[name]:.0f} |"
        )
    return rows


def table_header(kind: str) -> list[str]:
    return [
        f"| {kind} | page | req/s | p50 ms | p99 ms | worst p99 ms | vs bare (rounds' range) | SQL per request | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]


def table(kind: str, bare: Page, pages: list[Page]) -> list[str]:
    rows = table_header(kind)
    for page in [bare, *pages]:
        r = page.result
        note = ""
        if r["wrapped"] and len(page.lines) > 1:
            repeated = "attempts reused" if page.name == "quiz submission" else "everyone again"
            note = f" ({repeated} {r['wrapped']}x)"
        rows.append(
            f"| | {page.name}{note} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['worst_p99']:.1f} | "
            f"{page.ratio:.0%}{spread(page)} | {'-' if page.queries is None else page.queries} | "
            f"{r['errors']} |"
        )
    verdicts = []
    for page in pages:
        r = page.result
        if page.name in ("employee dashboard", "module page"):
            ok = page.ratio >= TARGET_SHARE
            verdicts.append(
                f"{page.name} ≥ {TARGET_SHARE:.0%} of bare: {'met' if ok else 'MISSED'}"
            )
        if page.name == "quiz submission":
            ok = r["p99"] <= TARGET_QUIZ_P99_MS and not r["wrapped"]
            verdicts.append(
                f"quiz p99 ≤ {TARGET_QUIZ_P99_MS} ms (median of the runs' p99s): "
                f"{'met' if ok else 'MISSED'}"
            )
    return [*rows, "", "Targets: " + "; ".join(verdicts)]


def spread(page: Page) -> str:
    """The page's lowest and highest share of a round, when it had several: the noise in its median."""
    if len(page.shares) < 2:
        return ""
    return f" ({min(page.shares):.0%}-{max(page.shares):.0%})"


def cpu_busy(seconds: float = 2.0) -> float:
    """Return the share of CPU time spent busy over the next `seconds` (Linux /proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per run")
    parser.add_argument(
        "--rounds", type=int, default=5, help="runs of each page, each after one of the bare page"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--many", type=int, default=2000, help="people for the many-dashboards page"
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument(
        "--quiz-attempts",
        type=int,
        default=18000,
        help="open attempts to submit, shared out between the warm-up and the rounds",
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--pages", help="only the pages whose names contain one of these (comma-separated)"
    )
    parser.add_argument(
        "--database-url",
        help="drive an existing database with the demo already loaded (e.g. the 100,000-employee "
        "one bench/hr.py builds) instead of building one; one kind in --databases, its kind. "
        "The quiz submissions change it (18,000 attempts opened and submitted)",
    )
    parser.add_argument(
        "--in-process",
        type=int,
        metavar="N",
        help="measure CPU and Python calls per request in this process (N requests a round) "
        "instead of driving servers with wrk",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    OUT.mkdir(parents=True, exist_ok=True)
    if args.in_process:
        args.quiz_attempts, args.many = 0, 1
        for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
            if args.database_url:
                print("\n".join(["", *in_process(kind, args.database_url, args, build=False)]))
            else:
                with database(kind) as url:
                    print("\n".join(["", *in_process(kind, url, args)]))
        print(f"\nMachine: {machine()}")
        return
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    if "postgresql" in kinds and not postgres_available(POSTGRES):
        print(f"PostgreSQL not reachable at {POSTGRES}: SQLite only")
        kinds.remove("postgresql")
    lines = []
    for kind in kinds:
        lines += ["", *bench_database(kind, args)]
    print(f"\nMachine: {machine()}")
    print(
        f"Load: wrk -t{args.threads} -c{args.connections}; each page {args.rounds} x {args.duration} s "
        f"after a 2 s warm-up, each run after one of the bare page, the reading pages' "
        f"rounds in turn; gunicorn.conf.py "
        f"({args.workers or 'default'} workers); wrk on the same machine"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
