"""HR pages at scale: build the demo organisation, time the pages, the CSV export and the import.

    python bench/hr.py [--employees 10000] [--runs 15] [--databases sqlite,postgresql]

For each database (a temp SQLite file; a fresh schema on the PostgreSQL server
at BENCH_POSTGRES_URL when it is reachable) it builds `flask lms demo
--employees N`, signs in as HR through Flask's test client and prints the
median server time of the dashboard, a filtered report page, the largest
transcript and a manager's dashboard, beside a bare Flask page. Then it streams
the full assignments CSV (rows/s, and peak Python memory under tracemalloc for
a part and for the whole, which should be about the same), and, when the CSV
import exists (`lms.imports`), imports a 10,000-row CSV into an empty database.

Targets (issue 4): pages <= 150 ms median, export >= 50,000 rows/s, import <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["LMS_ENV"] = "testing"  # fast password hashing for the sign-ins; nothing else differs

from flask import Flask  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402
from support import build_demo, rows_per_database, scratch_database  # noqa: E402

from lms import create_app  # noqa: E402
from lms.extensions import db  # noqa: E402

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "attest-demo-password"  # noqa: S105 - the demo's printed password
PAGE_TARGET_MS = 150
EXPORT_TARGET = 50_000
IMPORT_TARGET_S = 10


def make_app(url: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_REQUEST_LOG": "off", "TESTING": False})


def median_ms(client, url: str, runs: int) -> float:
    client.get(url).get_data()  # warm up: templates compiled, statements cached
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def bare_app() -> Flask:
    bare = Flask("bare")

    @bare.route("/")
    def index():
        return "<!doctype html><title>bare</title><p>Hello</p>"

    return bare


def signed_in(app: Flask, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"sign-in as {email} failed"
    return client


def export(client, url: str, trace: bool) -> tuple[int, float, int]:
    """Stream a CSV download; return (rows, seconds, peak traced bytes)."""
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url, buffered=False)
    rows = sum(chunk.count(b"\n") for chunk in response.iter_encoded()) - 1
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    response.close()
    return rows, seconds, peak


def bench_database(kind: str, employees: int, runs: int) -> list[tuple[str, str, str]]:
    from lms.models import Completion, User

    results = []
    with scratch_database(kind, POSTGRES) as url:
        app = make_app(url)
        with app.app_context():
            built, counts = build_demo(
                app, employees, ("users", "assignments", "attempts", "completions", "audit_events")
            )
            busiest = db.session.scalar(
                select(Completion.user_id)
                .group_by(Completion.user_id)
                .order_by(func.count().desc())
                .limit(1)
            )
            assert db.session.get(User, busiest) is not None
            db.session.remove()
        results.append((kind, f"demo --employees {employees}", f"{built:.1f} s"))
        results.append((kind, "rows", ", ".join(f"{k} {v:,}" for k, v in counts.items())))

        bare_ms = median_ms(bare_app().test_client(), "/", runs)
        results.append((kind, "bare Flask page", f"{bare_ms:.2f} ms (baseline)"))
        hr = signed_in(app, "hr@example.com")
        manager = signed_in(app, "manager.stores@example.com")
        pages = [
            ("dashboard (HR)", hr, "/hr/"),
            (
                "report: Stores, overdue, page 2",
                hr,
                "/hr/assignments?department=Stores&status=overdue&page=2",
            ),
            ("report: everything, page 1", hr, "/hr/assignments"),
            ("transcript (busiest person)", hr, f"/hr/people/{busiest}"),
            ("module page", hr, "/hr/modules/dignity-and-respect"),
            ("dashboard (Stores manager)", manager, "/hr/"),
        ]
        for label, client, url in pages:
            ms = median_ms(client, url, runs)
            verdict = "ok" if ms <= PAGE_TARGET_MS else f"OVER {PAGE_TARGET_MS} ms"
            results.append(
                (kind, label, f"{ms:.1f} ms median, {ms / bare_ms:.0f}x bare, {verdict}")
            )

        rows, seconds, _ = export(hr, "/hr/assignments.csv", trace=False)
        rate = rows / seconds
        verdict = "ok" if rate >= EXPORT_TARGET else f"UNDER {EXPORT_TARGET:,}/s"
        results.append(
            (
                kind,
                "CSV export, all assignments",
                f"{rows:,} rows in {seconds:.2f} s = {rate:,.0f} rows/s, {verdict}",
            )
        )
        part_rows, _, part_peak = export(hr, "/hr/assignments.csv?department=Online", trace=True)
        all_rows, _, all_peak = export(hr, "/hr/assignments.csv", trace=True)
        results.append(
            (
                kind,
                "CSV export peak memory",
                f"{part_rows:,} rows: {part_peak / 1e6:.1f} MB; {all_rows:,} rows: {all_peak / 1e6:.1f} MB",
            )
        )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    results.append((kind, *bench_assign(kind)))
    results.append((kind, *bench_import(kind)))
    return results


def hires_csv(rows: int) -> bytes:
    """A 10,000-row export from an HR system: departments, managers named within the file."""
    departments = ["Stores", "Customer Service", "Online", "Operations"]
    lines = ["employee_id,email,full_name,department,role,hire_date,manager_email"]
    start = date(2024, 1, 1)
    for n in range(rows):
        manager = "" if n < 40 else f"h{n % 40:05d}@example.com"
        hired = start + timedelta(days=n % 700)
        lines.append(
            f"H{n:05d},h{n:05d}@example.com,Person Number{n},{departments[n % 4]},Associate,"
            f"{hired.isoformat()},{manager}"
        )
    return ("\n".join(lines) + "\n").encode()


def bench_import(kind: str) -> tuple[str, str]:
    with scratch_database(kind, POSTGRES) as url:
        app = make_app(url)
        with app.app_context(), tempfile.TemporaryDirectory() as folder:
            db.create_all()
            runner = app.test_cli_runner()
            assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
            path = Path(folder) / "hires.csv"
            path.write_bytes(hires_csv(10_000))
            start = time.perf_counter()
            result = runner.invoke(args=["lms", "import-hires", str(path)])
            seconds = time.perf_counter() - start
            assert result.exit_code == 0, result.output
            assignments = db.session.scalar(text("SELECT count(*) FROM assignments"))
            db.session.remove()
            db.engine.dispose()
    verdict = "ok" if seconds <= IMPORT_TARGET_S else f"OVER {IMPORT_TARGET_S} s"
    return (
        "import-hires, 10,000 new rows",
        f"{seconds:.1f} s ({10_000 / seconds:,.0f} rows/s, {assignments:,} assignments), {verdict}",
    )


def bench_assign(kind: str) -> tuple[str, str]:
    """Time `assign_programs` for 10,000 people at once, and the share its audit events take."""
    import lms.assignments as assignments
    from lms.models import AuditEvent, User
    from lms.models.base import utctoday

    spent = []
    original = assignments.record_assignment_events

    def timed(*args):
        start = time.perf_counter()
        original(*args)
        spent.append(time.perf_counter() - start)

    with scratch_database(kind, POSTGRES) as url:
        app = make_app(url)
        with app.app_context():
            db.create_all()
            assert app.test_cli_runner().invoke(args=["lms", "sync-content"]).exit_code == 0
            db.session.execute(
                insert(User),
                [
                    {"email": f"p{n}@example.com", "full_name": f"P {n}", "department": "Stores"}
                    for n in range(10_000)
                ],
            )
            db.session.commit()
            assignments.record_assignment_events = timed
            try:
                start = time.perf_counter()
                result = assignments.assign_programs(utctoday())
                db.session.commit()
                seconds = time.perf_counter() - start
            finally:
                assignments.record_assignment_events = original
            events = db.session.scalar(select(func.count()).select_from(AuditEvent))
            db.session.remove()
            db.engine.dispose()
    return (
        "assign_programs, 10,000 people",
        f"{seconds:.1f} s for {result.created:,} assignments; "
        f"{events:,} audit events (one per person) took {sum(spent):.2f} s of it",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    results = rows_per_database(
        args.databases, POSTGRES, lambda kind: bench_database(kind, args.employees, args.runs)
    )
    width = max(len(r[1]) for r in results)
    print(
        f"\nHR pages at scale (N = {args.employees:,}; medians of {args.runs} runs; test client, server time)"
    )
    print(f"{'database':<11} {'measure':<{width}}  result")
    for kind, measure, value in results:
        print(f"{kind:<11} {measure:<{width}}  {value}")


if __name__ == "__main__":
    main()
