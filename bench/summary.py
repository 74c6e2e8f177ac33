"""HR's figures from the compliance summary against counting every assignment (issue 18).

Builds the demo (or opens `--url`, a database that has one), then prints, in process,
the median time of each way of answering the same question, with the ratio:

- the dashboard (HR, and the Stores head) as of today, a year ago and a year ahead:
  `lms.reports.dashboard` (counts every assignment) against `lms.compliance.queries.dashboard`;
- a module's status counts;
- the Stores overdue report, pages 1 and 20: OFFSET against the keyset.

Both ways must give the same answer (asserted). Run it at two sizes to see the
summary's time stay put while the count's grows.

    .venv/bin/python bench/summary.py --employees 10000 --databases postgresql
    .venv/bin/python bench/summary.py --url 'postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dsumm10k'
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import build_demo, machine, scratch_database  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def median_ms(fn, runs: int) -> float:
    from lms.extensions import db

    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return statistics.median(times)


def measure(url: str, employees: int | None, runs: int) -> list[tuple[str, float, float]]:
    from sqlalchemy import select, text

    from lms import create_app, reports
    from lms.compliance import queries
    from lms.extensions import db
    from lms.models import User
    from lms.models.base import utctoday

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_REQUEST_LOG": "off", "TESTING": False})
    rows: list[tuple[str, float, float]] = []
    with app.app_context():
        if employees is not None:
            built, _ = build_demo(app, employees, ())
            db.session.commit()
            rows.append(("demo built (s)", built, built))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
        people = db.session.scalar(select(db.func.count()).select_from(User))
        assignments = db.session.scalar(text("SELECT count(*) FROM assignments"))
        rows.append((f"rows: {people:,} people, {assignments:,} assignments", 0, 0))
        head = db.session.scalar(select(User.id).where(User.email == "manager.stores@example.com"))
        today = utctoday()
        for who, scope in (
            ("HR", reports.Scope()),
            ("Stores head", reports.Scope(manager_id=head)),
        ):
            for label, day in (
                ("today", today),
                ("a year ago", today - timedelta(days=365)),
                ("a year ahead", today + timedelta(days=365)),
            ):
                f = reports.Filters(as_of=day)
                assert reports.dashboard(scope, f) == queries.dashboard(scope, f)
                rows.append(
                    (
                        f"dashboard, {who}, as of {label}",
                        median_ms(lambda scope=scope, f=f: reports.dashboard(scope, f), runs),
                        median_ms(lambda scope=scope, f=f: queries.dashboard(scope, f), runs),
                    )
                )
        module = reports.Filters(as_of=today, module="dignity-and-respect")
        assert reports.status_counts(reports.Scope(), module) == queries.status_counts(
            reports.Scope(), module
        )
        rows.append(
            (
                "module status counts, HR",
                median_ms(lambda: reports.status_counts(reports.Scope(), module), runs),
                median_ms(lambda: queries.status_counts(reports.Scope(), module), runs),
            )
        )
        f = reports.Filters(as_of=today, department="Stores", status="overdue")
        page = queries.report_page(reports.Scope(), f)
        cursors = [None]
        for _ in range(19):
            cursors.append(page.after)
            page = queries.report_page(reports.Scope(), f, after=page.after)
        assert [r.assignment_id for r in page.rows] == [
            r.assignment_id for r in reports.report_page(reports.Scope(), f, 20).rows
        ]
        for number in (1, 20):
            rows.append(
                (
                    f"report Stores overdue, page {number} (OFFSET / keyset)",
                    median_ms(lambda n=number: reports.report_page(reports.Scope(), f, n), runs),
                    median_ms(
                        lambda c=cursors[number - 1]: queries.report_page(
                            reports.Scope(), f, after=c
                        ),
                        runs,
                    ),
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--databases", default="postgresql")
    parser.add_argument("--url", help="a database with the demo already loaded")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print(machine(with_load=True))
    targets = [("given", args.url)] if args.url else args.databases.split(",")
    for target in targets:
        if isinstance(target, tuple):
            results, name = measure(target[1], None, args.runs), "given database"
        else:
            with scratch_database(target, POSTGRES) as url:
                results, name = measure(url, args.employees, args.runs), target
        print(f"\n{name}\n")
        print("| measure | counted | summary | summary / counted |")
        print("| --- | --- | --- | --- |")
        for label, counted, summary in results:
            if label.startswith("rows") or label.startswith("demo"):
                print(f"| {label} | {counted:.0f} | | |" if counted else f"| {label} | | | |")
                continue
            print(f"| {label} | {counted:.1f} ms | {summary:.1f} ms | {summary / counted:.2f} |")


if __name__ == "__main__":
    main()
