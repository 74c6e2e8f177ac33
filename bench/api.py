"""The HTTP API at scale: build the demo organisation, time each call, print a table.

    python bench/api.py [--employees 10000] [--runs 15] [--databases sqlite,postgresql]

For each database (a temp SQLite file; a fresh schema on the PostgreSQL server
at BENCH_POSTGRES_URL when it answers) it builds `flask lms demo --employees N`,
creates a token and, through Flask's test client (server time, no network),
prints the median time and the SQL statements of each read call, of a PUT that
changes one person, and of batch upserts of 1,000 new people and of 1,000
unchanged ones.

Target: reads <= 150 ms median (as the HR pages); a 1,000-person batch <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["LMS_ENV"] = "testing"

from sqlalchemy import func, select  # noqa: E402
from support import rows_per_database, scratch_database, statements_counted  # noqa: E402

from lms import create_app  # noqa: E402
from lms.database import dispose_engines  # noqa: E402
from lms.extensions import db  # noqa: E402

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
READ_TARGET_MS = 150
BATCH_TARGET_S = 5


def timed(app, client, method: str, url: str, headers: dict, **kwargs) -> tuple[float, int, object]:
    """Return (ms, statements, response) of one request."""
    with statements_counted(app) as statements:
        start = time.perf_counter()
        response = client.open(url, method=method, headers=headers, **kwargs)
        ms = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 201), (url, response.status_code, response.json)
    return ms, len(statements), response


def batch(prefix: str, count: int) -> dict:
    return {
        "employees": [
            {
                "employee_id": f"{prefix}{n:05d}",
                "email": f"{prefix.lower()}{n}@example.com",
                "full_name": f"Api Person {n}",
                "department": "Stores",
                "role": "Associate",
                "hire_date": "2025-06-02",
                "manager_email": "manager.stores@example.com",
            }
            for n in range(count)
        ]
    }


def bench_database(kind: str, employees: int, runs: int) -> list[tuple[str, str, str]]:
    from lms.api.tokens import create_token
    from lms.models import Certificate, Completion, User

    results = []
    with scratch_database(kind, POSTGRES) as url:
        config = {"SQLALCHEMY_DATABASE_URI": url, "LMS_REQUEST_LOG": "off", "TESTING": False}
        app = create_app(config)
        with app.app_context():
            db.create_all()
            runner = app.test_cli_runner()
            assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
            result = runner.invoke(args=["lms", "demo", "--employees", str(employees)])
            assert result.exit_code == 0, result.output
            _, secret = create_token("bench")
            busiest = db.session.scalar(
                select(User.employee_id)
                .join(Completion, Completion.user_id == User.id)
                .where(User.employee_id.is_not(None))
                .group_by(User.id, User.employee_id)
                .order_by(func.count().desc())
                .limit(1)
            )
            code = db.session.scalar(select(Certificate.code).limit(1))
            db.session.commit()
            db.session.remove()
        headers = {"Authorization": f"Bearer {secret}"}
        client = app.test_client()
        reads = [
            ("employees, page 1 (100)", "/api/v1/employees"),
            ("employees, 1,000 a page, page 3", "/api/v1/employees?per_page=1000&page=3"),
            (
                "employees, 1,000 a page, after a cursor (keyset)",
                "/api/v1/employees?per_page=1000&after=2000",
            ),
            ("employees, Stores, active", "/api/v1/employees?department=Stores&status=active"),
            ("one employee", f"/api/v1/employees/{busiest}"),
            ("transcript (busiest person)", f"/api/v1/employees/{busiest}/transcript"),
            ("compliance, everyone", "/api/v1/compliance"),
            (
                "compliance, Stores, a year on",
                "/api/v1/compliance?department=Stores&as_of=2027-12-31",
            ),
            ("modules", "/api/v1/modules"),
            ("certificate", f"/api/v1/certificates/{code}"),
        ]
        for label, url in reads:
            timed(app, client, "GET", url, headers)  # warm up
            samples = [timed(app, client, "GET", url, headers) for _ in range(runs)]
            ms = statistics.median(s[0] for s in samples)
            verdict = "ok" if ms <= READ_TARGET_MS else f"OVER {READ_TARGET_MS} ms"
            results.append(
                (kind, label, f"{ms:.1f} ms median, {samples[0][1]} statements, {verdict}")
            )
        shown = client.get(f"/api/v1/employees/{busiest}", headers=headers).json
        ms, statements, _ = timed(
            app,
            client,
            "PUT",
            f"/api/v1/employees/{busiest}",
            headers,
            json=shown | {"role": "Trainer"},
        )
        results.append(
            (kind, "PUT one employee (a transfer)", f"{ms:.1f} ms, {statements} statements")
        )
        for label, body in (
            ("POST 1,000 new employees", batch("B", 1000)),
            ("POST the same 1,000, unchanged", batch("B", 1000)),
        ):
            ms, statements, _ = timed(app, client, "POST", "/api/v1/employees", headers, json=body)
            verdict = "ok" if ms <= BATCH_TARGET_S * 1000 else f"OVER {BATCH_TARGET_S} s"
            results.append((kind, label, f"{ms / 1000:.2f} s, {statements} statements, {verdict}"))
        with app.app_context():
            dispose_engines()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = rows_per_database(
        args.databases, POSTGRES, lambda kind: bench_database(kind, args.employees, args.runs)
    )
    width = max(len(r[1]) for r in rows)
    print(f"API, demo organisation of {args.employees:,} employees (server time, test client)")
    print(f"{'database':<11} {'call':<{width}}  result")
    for kind, label, figure in rows:
        print(f"{kind:<11} {label:<{width}}  {figure}")


if __name__ == "__main__":
    main()
