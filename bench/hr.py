"""HR at scale (issue 18): every target, ok or over, in one run, with the sizes it compares.

    python bench/hr.py --employees 100000 --databases postgresql   # the 100,000-employee run
    python bench/hr.py --employees 10000                            # SQLite and PostgreSQL
    python bench/hr.py --employees 3000 --databases sqlite --skip web,renew,import

For each database it builds the demo (`flask lms demo --employees N`, a subprocess:
wall time and peak RSS) at 2,000 and 10,000 employees and at N, and at each size
signs in through Flask's test client and times (median server time of `--runs`
requests after a warm-up) and counts the SQL statements of: the HR dashboard, a
filtered report page, a module view, a manager's dashboard, HR's people list (its
first page, its 20th reached by following "next", a search) and the API's employee
list (its 20th page of 100, by "next"), with the ratio of each to its own time at
10,000 (target: at most 1.5x, and at most 150 ms; the same SQL at every size). At N
it also times:

- the dashboard "as of" a past and a future date (target: at most 500 ms);
- the CSV export of every assignment (rows/s, target 100,000 above 10,000 employees,
  issue 4's 50,000 at 10,000; peak traced Python memory for a department and for
  everything, which should be about the same);
- the learner pages and quiz submissions under gunicorn and wrk (bench/web.py's
  rounds against the bare page: dashboard and module page at least 40 % of the bare
  page, quiz p99 at most 100 ms), and the HR dashboard under the same load (its
  median latency, target 150 ms);
- `flask lms renew --no-send` on the demo's day (the catch-up: every reminder due,
  ~200,000 at 100,000 people) and again (nothing to do): wall time, process start-up
  included, and peak RSS; delivery is left to `send-mail` (an SMTP relay's pace, one
  recorded outcome per message: not the job's);
- `flask lms import-hires` of N new people into an empty database (peak RSS too).

Databases: a temporary SQLite file, or a fresh schema on BENCH_POSTGRES_URL, per
size; on PostgreSQL a size above 10,000 goes to its own database (`--big-database`,
default `bench100k` on the same server), built once and kept: later runs reuse it
(and print the build time recorded then) unless `--rebuild`. The steps that write
(wrk's quiz submissions, renew) run on a copy of it (CREATE DATABASE ... TEMPLATE),
dropped afterwards.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
os.environ["LMS_ENV"] = "testing"  # fast password hashing for the sign-ins; nothing else differs

from flask import Flask  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from support import (  # noqa: E402
    POSTGRES,
    cli_env,
    flask_cli,
    machine,
    median_ms,
    postgres_available,
    scratch_database,
    statements_counted,
)

from lms import create_app  # noqa: E402
from lms.database import dispose_engines  # noqa: E402
from lms.extensions import db  # noqa: E402

BIG = os.environ.get(
    "BENCH_BIG_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench100k"
)
PASSWORD = "attest-demo-password"  # noqa: S105 - the demo's printed password
BASE_SIZES = (2_000, 10_000)
PAGE_MS, RATIO, AS_OF_MS = 150, 1.5, 500
BUILD_S = {100_000: 600}  # issue 18; other sizes are shown without a target
LEARNER_SHARE, QUIZ_P99_MS = 0.40, 100
# The people list and the API's employees: a page this deep, reached by following "next"
# (keyset: it should cost what the first does); a surname the demo gives 1 person in 24.
DEEP, SEARCH = 20, "Patel"


def import_target(rows: int) -> float:
    return 60 if rows > 10_000 else 10  # issue 18 at 100,000; issue 4 at 10,000


def export_target(employees: int) -> int:
    """Rows per second: issue 18's at 100,000 (PostgreSQL's COPY); issue 4's at 10,000."""
    return 100_000 if employees > 10_000 else 50_000


def renew_targets(employees: int) -> tuple[float, float]:
    return (60, 10) if employees > 10_000 else (10, 3)  # issue 18; issue 5 at 10,000


@dataclass
class Result:
    database: str
    measure: str
    figure: str
    target: str = ""
    ok: bool | None = None  # None: for information

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("ok" if self.ok else "OVER")


# -- processes ----------------------------------------------------------------------------


def run_flask(url: str, *args: str) -> tuple[float, float, str]:
    """Run `flask <args>` on `url` in a subprocess; return (seconds, peak RSS MiB, output)."""
    return flask_cli(cli_env(url), *args)


def make_app(url: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_REQUEST_LOG": "off", "TESTING": False})


def prepare_schema(url: str) -> None:
    """The models' schema and content/ synced (migrations can trail the models mid-session)."""
    app = make_app(url)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["lms", "sync-content"])
        assert result.exit_code == 0, result.output
        dispose_engines()


def build(url: str, employees: int) -> tuple[float, float]:
    """Schema, content and `flask lms demo`; return the demo's (seconds, peak RSS MiB)."""
    prepare_schema(url)
    seconds, peak, _ = run_flask(url, "lms", "demo", "--employees", str(employees))
    return seconds, peak


# -- databases ----------------------------------------------------------------------------


def admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def database_name(url: str) -> str:
    return make_url(url).database


def run_admin(url: str, statement: str) -> None:
    engine = create_engine(admin_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def vacuum(url: str) -> float:
    """VACUUM (ANALYZE) the database, as autovacuum would soon after a bulk load; return seconds.

    This machine's server runs with autovacuum off. Right after `flask lms demo` no page
    of the 1.9 million attempts or 1 million assignments is marked all-visible, so every
    first read also writes hint bits and no index-only scan applies: the first run on a
    fresh build measured a bulk load's leftovers, not the pages (session 11: the report
    page at 1.70x its 10,000 time, the people search 2.04x). A deployment's autovacuum
    does this in the background; the bench does it once, timed apart from the build, for
    every size it compares (the fresh schemas at 2,000 and 10,000 too).
    """
    started = time.perf_counter()
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        tables = conn.scalars(
            text("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
        conn.execute(text(f"VACUUM (ANALYZE) {', '.join(tables)}"))  # this schema's only
    engine.dispose()
    return time.perf_counter() - started


def record_path(url: str) -> Path:
    return OUT / f"{database_name(url)}.json"


def big_database(employees: int, rebuild: bool) -> tuple[str, dict]:
    """Return the kept PostgreSQL database with the N-employee demo, building it if needed."""
    record = record_path(BIG)
    known = json.loads(record.read_text()) if record.exists() else {}
    name = database_name(BIG)
    if rebuild or known.get("employees") != employees:
        run_admin(BIG, f'DROP DATABASE IF EXISTS "{name}"')
        run_admin(BIG, f'CREATE DATABASE "{name}"')
        seconds, peak = build(BIG, employees)
        vacuum_s = vacuum(BIG)
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        known = {
            "employees": employees,
            "build_s": seconds,
            "peak_mib": peak,
            "vacuum_s": vacuum_s,
            "built_at": datetime.now(UTC).isoformat(timespec="minutes"),
            "commit": commit,
            "reused": False,
        }
        OUT.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(known))
        return BIG, known
    return BIG, known | {"reused": True}


@contextmanager
def copy_of(url: str) -> Iterator[str]:
    """Yield a throwaway copy of the PostgreSQL database at `url` (for the steps that write)."""
    name = f"{database_name(url)}_run"
    run_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    run_admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{database_name(url)}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        run_admin(url, f'DROP DATABASE IF EXISTS "{name}"')


# -- pages in process ---------------------------------------------------------------------


def signed_in(app: Flask, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"sign-in as {email} failed"
    return client


def page_list(today: date) -> list[tuple[str, str, object]]:
    """(name, who, URL or a function of the client giving it) of each page timed at every size."""
    return [
        ("HR dashboard", "hr", "/hr/"),
        (
            "report: Stores, overdue, page 2",
            "hr",
            following("/hr/assignments?department=Stores&status=overdue", 1),
        ),
        ("module view", "hr", "/hr/modules/dignity-and-respect"),
        ("manager dashboard (Stores head)", "manager", "/hr/"),
        ("people: first page", "hr", "/hr/people"),
        (f"people: page {DEEP}, by its next links", "hr", following("/hr/people", DEEP - 1)),
        (f'people: search "{SEARCH}"', "hr", f"/hr/people?q={SEARCH}"),
        (f'people: search "{SEARCH}" (Stores head)', "manager", f"/hr/people?q={SEARCH}"),
        (
            f"API employees: page {DEEP} of 100, by next",
            "api",
            following("/api/v1/employees", DEEP - 1),
        ),
    ]


def following(first: str, steps: int):
    """Return a function giving the URL `steps` "next" links on from `first`.

    A page's next link: the pager's `rel="next"` on HR's pages, `next` in the API's JSON.
    A list too short for that many gives its last full page (the one before the last), so
    every size times a page of the same length.
    """

    def find(client) -> str:
        full, url = first, first
        for _ in range(steps):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if response.is_json:
                after = response.json["next"]
            else:
                links = re.findall(r'href="([^"]*)" rel="next"', response.get_data(as_text=True))
                after = html.unescape(links[0]) if links else None
            if after is None:
                return full
            full, url = url, after
        return url

    return find


class TokenClient:
    """A test client that sends an API token with every request."""

    def __init__(self, app: Flask):
        from lms.api.tokens import create_token

        with app.app_context():
            _, secret = create_token(f"bench-{time.time_ns()}")
            db.session.commit()
        self.client, self.headers = app.test_client(), {"Authorization": f"Bearer {secret}"}

    def get(self, url: str):
        return self.client.get(url, headers=self.headers)


def as_of_pages(today: date) -> list[tuple[str, str, str]]:
    past, future = today - timedelta(days=180), today + timedelta(days=90)
    return [
        (f"dashboard as of {past} (past)", "hr", f"/hr/?as_of={past}"),
        (f"dashboard as of {future} (future)", "hr", f"/hr/?as_of={future}"),
    ]


def time_pages(app: Flask, pages, runs: int) -> dict[str, tuple[float, int]]:
    """Return {name: (median ms, SQL statements of one request)} for each page."""
    clients = {
        "hr": signed_in(app, "hr@example.com"),
        "manager": signed_in(app, "manager.stores@example.com"),
        "api": TokenClient(app),
    }
    figures = {}
    with statements_counted(app) as statements:
        for name, who, url in pages:
            client = clients[who]
            url = url if isinstance(url, str) else url(client)
            response = client.get(url)  # warm up: templates compiled, statements cached
            assert response.status_code == 200, (url, response.status_code)
            statements.clear()
            client.get(url).get_data()
            count = len(statements)
            figures[name] = (median_ms(client, url, runs), count)
    return figures


def export(client, url: str, trace: bool) -> tuple[int, float, int]:
    """Stream a CSV download; return (rows, seconds, peak traced bytes)."""
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url, buffered=False)
    rows = sum(chunk.count(b"\r\n") for chunk in response.iter_encoded()) - 1
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    response.close()
    return rows, seconds, peak


def bench_exports(kind: str, app: Flask, employees: int) -> list[Result]:
    hr = signed_in(app, "hr@example.com")
    runs = [export(hr, "/hr/assignments.csv", trace=False) for _ in range(3)]
    rows, seconds, _ = sorted(runs, key=lambda r: r[1])[1]  # the median run
    rate, target = rows / seconds, export_target(employees)
    part_rows, _, part_peak = export(hr, "/hr/assignments.csv?department=Online", trace=True)
    all_rows, _, all_peak = export(hr, "/hr/assignments.csv", trace=True)
    return [
        Result(
            kind,
            "CSV export of every assignment (median of 3)",
            f"{rows:,} rows in {seconds:.2f} s = {rate:,.0f} rows/s",
            f">= {target:,} rows/s",
            rate >= target,
        ),
        Result(
            kind,
            "CSV export, peak traced Python memory",
            f"{part_rows:,} rows: {part_peak / 2**20:.1f} MiB; {all_rows:,} rows: "
            f"{all_peak / 2**20:.1f} MiB",
            "flat",
            all_peak <= 2 * part_peak + 2**20,
        ),
    ]


# -- the learner pages and the HR dashboard under load ---------------------------------------


def bench_web(kind: str, url: str, employees: int, rounds: int) -> list[Result]:
    import web

    args = SimpleNamespace(
        employees=employees,
        duration=5,
        rounds=rounds,
        threads=2,
        connections=8,
        workers=None,
        many=1,
        quiz_attempts=3000 * (rounds + 1),
        pages="employee dashboard,module page,quiz submission,hr dashboard",
        database_url=url,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        bare, pages, facts = web.bench_url(kind, url, args, build=False)
    finally:
        os.environ["LMS_ENV"] = "testing"  # web.py's servers run in production settings
    pages = [p for p in pages if ", 1 people" not in p.name]
    results = []
    for line in web.table(kind, bare, pages):
        if line.startswith("| |"):
            results.append(Result(kind, "wrk: " + line.strip("| ").split(" | ")[0], line))
    for page in pages:
        r = page.result
        if page.name in ("employee dashboard", "module page"):
            results.append(
                Result(
                    kind,
                    f"{page.name} under wrk, share of the bare page",
                    f"{page.ratio:.0%}{web.spread(page)}; {r['rps']:.0f} req/s, p99 {r['p99']:.1f} ms",
                    f">= {LEARNER_SHARE:.0%}",
                    page.ratio >= LEARNER_SHARE,
                )
            )
        elif page.name == "quiz submission":
            results.append(
                Result(
                    kind,
                    "quiz submission under wrk, p99 (median of the rounds)",
                    f"{r['p99']:.1f} ms (worst {r['worst_p99']:.1f}; {r['rps']:.0f}/s)",
                    f"<= {QUIZ_P99_MS} ms",
                    r["p99"] <= QUIZ_P99_MS and not r["wrapped"],
                )
            )
        elif page.name == "HR dashboard":
            results.append(
                Result(
                    kind,
                    "HR dashboard under wrk -c8, median latency",
                    f"{r['p50']:.1f} ms (p99 {r['p99']:.1f}; {r['rps']:.0f} req/s)",
                    f"<= {PAGE_MS} ms",
                    r["p50"] <= PAGE_MS,
                )
            )
    results.append(
        Result(kind, "CPU busy with other work before the wrk runs", f"{facts['busy']:.0%}")
    )
    return results


# -- renew and import-hires -------------------------------------------------------------------


def bench_renew(kind: str, url: str, employees: int) -> list[Result]:
    work, repeat = renew_targets(employees)
    today = date.today().isoformat()
    results = []
    for label, target in (("catch-up on the demo's day", work), ("repeat, nothing to do", repeat)):
        checkpoint(kind, url)
        seconds, peak, output = run_flask(url, "lms", "renew", "--as-of", today, "--no-send")
        queued = re.search(r"emails queued: (\d+)", output)
        took = re.search(r"took ([\d.]+) s to queue", output)
        results.append(
            Result(
                kind,
                f"renew --no-send, {label}",
                f"{seconds:.1f} s ({took.group(1)} s in the job; "
                f"{int(queued.group(1)) if queued else 0:,} emails queued), "
                f"peak RSS {peak:.0f} MiB",
                f"<= {target:.0f} s",
                seconds <= target,
            )
        )
    return results


def checkpoint(kind: str, url: str) -> None:
    """On PostgreSQL, write out every dirty page before a timed step that writes.

    The steps before (a database copied by TEMPLATE and dropped, renew's writes) leave
    the server with their pages to flush, which it then writes during the next step
    (session 11: import-hires took 68 s at the end of a full run, 57-58 s alone; the
    pending checkpoint is the difference the bench can remove). Each timed write step
    starts from a clean checkpoint instead.
    """
    if kind == "postgresql":
        run_admin(url, "CHECKPOINT")


def bench_import(kind: str, rows: int) -> list[Result]:
    from import_hires import make_csv

    with scratch_database(kind, POSTGRES) as url, tempfile.TemporaryDirectory() as folder:
        prepare_schema(url)
        path = Path(folder) / "hires.csv"
        path.write_bytes(make_csv(rows, today=date.today()))
        checkpoint(kind, url)
        seconds, peak, output = run_flask(url, "lms", "import-hires", str(path))
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as conn:
            people = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
            assigned = conn.execute(text("SELECT count(*) FROM assignments")).scalar_one()
        engine.dispose()
    target = import_target(rows)
    return [
        Result(
            kind,
            f"import-hires, {rows:,} new people",
            f"{seconds:.1f} s ({rows / seconds:,.0f} rows/s; {people:,} people, {assigned:,} "
            f"assignments), peak RSS {peak:.0f} MiB",
            f"<= {target:.0f} s",
            seconds <= target and people == rows,
        )
    ]


# -- one database -----------------------------------------------------------------------------


@contextmanager
def sized_database(
    kind: str, employees: int, rebuild: bool, largest_base: int
) -> Iterator[tuple[str, dict]]:
    """Yield (URL, build facts) of a database with the demo at `employees`."""
    if kind == "postgresql" and employees > max(largest_base, 10_000):
        yield big_database(employees, rebuild)
        return
    with scratch_database(kind, POSTGRES) as url:
        seconds, peak = build(url, employees)
        facts = {"build_s": seconds, "peak_mib": peak, "reused": False}
        if kind == "postgresql":  # as the kept database is (see vacuum)
            facts["vacuum_s"] = vacuum(url)
        yield url, facts


def demo_result(kind: str, employees: int, facts: dict) -> Result:
    target = BUILD_S.get(employees)
    how = (
        f"recorded when built at {facts['built_at']} (commit {facts['commit']}); reused"
        if facts["reused"]
        else "built in this run"
    )
    return Result(
        kind,
        f"demo --employees {employees:,}",
        f"{facts['build_s']:.0f} s, peak RSS {facts['peak_mib']:.0f} MiB ({how})"
        + (f"; then VACUUM (ANALYZE) {facts['vacuum_s']:.0f} s" if "vacuum_s" in facts else ""),
        f"<= {target} s" if target else "",
        facts["build_s"] <= target if target else None,
    )


def counts_of(url: str) -> str:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        counts = {
            name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608
            for name in ("users", "assignments", "completions", "attempts", "audit_events")
        }
    engine.dispose()
    return ", ".join(f"{k} {v:,}" for k, v in counts.items())


def bench_database(kind: str, args) -> list[Result]:
    results: list[Result] = []
    skip = set(args.skip.split(",")) if args.skip else set()
    base_sizes = [int(n) for n in args.base_sizes.split(",")]
    sizes = sorted({*base_sizes, args.employees})
    today = date.today()
    timed: dict[int, dict[str, tuple[float, int]]] = {}
    for size in sizes:
        with sized_database(kind, size, args.rebuild, max(base_sizes)) as (url, facts):
            results.append(demo_result(kind, size, facts))
            results.append(Result(kind, f"rows at {size:,}", counts_of(url)))
            app = make_app(url)
            pages = page_list(today) + (as_of_pages(today) if size == args.employees else [])
            timed[size] = time_pages(app, pages, args.runs)
            if size == args.employees:
                if "export" not in skip:
                    results += bench_exports(kind, app, size)
            with app.app_context():
                dispose_engines()
            if size == args.employees and not {"web", "renew"} <= skip:
                writable = copy_of(url) if url == BIG else nullcontext(url)
                with writable as work_url:
                    if "web" not in skip:
                        results += bench_web(kind, work_url, size, args.rounds)
                    if "renew" not in skip:
                        results += bench_renew(kind, work_url, size)
    # Each page against its own time at the largest smaller size (10,000 for N = 100,000;
    # the ratio is a target above 10,000 only, issue 18's, and shown for information below).
    reference = max((n for n in base_sizes if n < args.employees), default=args.employees)
    base = timed[reference]
    top = timed[args.employees]
    for name, (ms, count) in top.items():
        if name.startswith("dashboard as of"):
            results.append(
                Result(
                    kind,
                    f"{name}, median",
                    f"{ms:.1f} ms ({count} SQL)",
                    f"<= {AS_OF_MS} ms",
                    ms <= AS_OF_MS,
                )
            )
            continue
        ten = base[name][0]
        ratio = ms / ten
        ok = ms <= PAGE_MS and (ratio <= RATIO or args.employees <= 10_000)
        results.append(
            Result(
                kind,
                f"{name}, median at {args.employees:,}",
                f"{ms:.1f} ms; {ratio:.2f}x its {ten:.1f} ms at {reference:,}",
                f"<= {PAGE_MS} ms" + (f", <= {RATIO}x" if args.employees > 10_000 else ""),
                ok,
            )
        )
    for name in top:
        if name.startswith("dashboard as of"):
            continue
        counts = {size: timed[size][name][1] for size in sizes}
        same = len(set(counts.values())) == 1
        results.append(
            Result(
                kind,
                f"SQL per request: {name}",
                ", ".join(f"{n} at {size:,}" for size, n in counts.items()),
                "the same at every size",
                same,
            )
        )
    if "import" not in skip:
        results += bench_import(kind, args.employees)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15, help="requests per page, for the median")
    parser.add_argument("--rounds", type=int, default=5, help="wrk rounds per page (bench/web.py)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the kept big database")
    parser.add_argument("--skip", default="", help="any of: export,web,renew,import")
    parser.add_argument(
        "--base-sizes",
        default=",".join(str(n) for n in BASE_SIZES),
        help="the smaller sizes built beside N (query counts at each; ratios to the last)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    header = f"Machine: {machine(with_load=True)}; started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    results: list[Result] = []
    for kind in args.databases.split(","):
        if kind == "postgresql" and not postgres_available(POSTGRES):
            results.append(Result(kind, "skipped", f"no server at {POSTGRES}"))
            continue
        results += bench_database(kind, args)
    print(f"\n{header}; took {(time.perf_counter() - started) / 60:.0f} min")
    print(
        f"HR at scale, N = {args.employees:,} (page medians of {args.runs} requests, test client)\n"
    )
    print("| database | measure | figure | target | |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        if r.measure.startswith("wrk: "):
            continue
        print(f"| {r.database} | {r.measure} | {r.figure} | {r.target} | {r.verdict} |")
    wrk_lines = [r for r in results if r.measure.startswith("wrk: ")]
    if wrk_lines:
        import web  # as bench_web does: only a run with the wrk step needs it

        print("\nUnder wrk (bench/web.py's rounds):\n")
        for kind in dict.fromkeys(r.database for r in wrk_lines):
            print("\n".join(web.table_header(kind)))
            for r in wrk_lines:
                if r.database == kind:
                    print(r.figure)
    over = [r for r in results if r.ok is False]
    print(
        f"\n{len(over)} target(s) over"
        + (": " + "; ".join(r.measure for r in over) if over else "")
    )


if __name__ == "__main__":
    main()
