"""Item analysis at scale: HR's pages and CSV on the 10,000-employee demo, timed and counted.

    python bench/item_analysis.py [--employees 10000] [--runs 15] [--databases sqlite,postgresql]

For each database (a temp SQLite file; a fresh schema on the PostgreSQL server at
BENCH_POSTGRES_URL when it is reachable) it builds `flask lms demo --employees N`
(about 170,000 attempts at 10,000), signs in as HR through Flask's test client and
prints, for the item analysis list, the page of the module revision with the most
attempts and of the one with the fewest, its flagged-only page and its CSV: the
median server time and the SQL statements one request sends. Baselines from the
same run: a bare Flask page and HR's dashboard.

Target (issue 16): at most 200 ms per page, and a query count that does not depend
on the number of attempts (the busiest and the quietest revision send the same).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["LMS_ENV"] = "testing"  # fast password hashing for the sign-in; nothing else differs

from hr import make_app, signed_in  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from support import (  # noqa: E402
    build_demo,
    median_ms,
    rows_per_database,
    scratch_database,
    statements_counted,
)
from web import create_bare_app as bare_app  # noqa: E402

from lms.database import dispose_engines  # noqa: E402
from lms.extensions import db  # noqa: E402

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PAGE_TARGET_MS = 200


def statements(app, client, url: str) -> int:
    """Return how many SQL statements one GET of `url` sends."""
    with statements_counted(app) as statements:
        client.get(url).get_data()
    return len(statements)


def busiest_and_quietest(app) -> tuple[tuple[int, int], tuple[int, int]]:
    """Return (version id, submitted attempts) of the revisions with the most and the fewest."""
    from lms.models import Attempt

    with app.app_context():
        rows = db.session.execute(
            select(Attempt.module_version_id, func.count())
            .where(Attempt.submitted_at.is_not(None))
            .group_by(Attempt.module_version_id)
            .order_by(func.count().desc())
        ).all()
        db.session.remove()
    return tuple(rows[0]), tuple(rows[-1])


def bench_database(kind: str, employees: int, runs: int) -> list[tuple[str, str, str]]:
    results = []
    with scratch_database(kind, POSTGRES) as url:
        app = make_app(url)
        with app.app_context():
            built, counts = build_demo(
                app, employees, ("attempts", "attempt_answers", "attempt_picks")
            )
            db.session.remove()
            if kind == "postgresql":
                # What autovacuum does within a minute of a bulk load this size: statistics,
                # and the visibility map that lets the GROUP BYs read the indexes alone.
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        "VACUUM ANALYZE attempt_answers, attempt_picks"
                    )
        results.append((kind, f"demo --employees {employees}", f"{built:.1f} s"))
        results.append((kind, "rows", ", ".join(f"{k} {v:,}" for k, v in counts.items())))
        (busy, busy_n), (quiet, quiet_n) = busiest_and_quietest(app)

        bare_ms = median_ms(bare_app().test_client(), "/", runs)
        results.append((kind, "bare Flask page", f"{bare_ms:.2f} ms (baseline)"))
        hr = signed_in(app, "hr@example.com")
        pages = [
            ("HR dashboard", "/hr/", False),
            ("item analysis: list of revisions", "/hr/item-analysis", True),
            (
                f"revision with most attempts ({busy_n:,}), page 1",
                f"/hr/item-analysis/{busy}",
                True,
            ),
            (
                f"revision with fewest attempts ({quiet_n:,}), page 1",
                f"/hr/item-analysis/{quiet}",
                True,
            ),
            ("most attempts, flagged only", f"/hr/item-analysis/{busy}?flagged=1", True),
            ("most attempts, CSV", f"/hr/item-analysis/{busy}.csv", True),
        ]
        for label, page_url, judged in pages:
            ms = median_ms(hr, page_url, runs)
            queries = statements(app, hr, page_url)
            verdict = (
                ("ok" if ms <= PAGE_TARGET_MS else f"OVER {PAGE_TARGET_MS} ms")
                if judged
                else "baseline"
            )
            results.append((kind, label, f"{ms:.1f} ms median, {queries} queries, {verdict}"))
        with app.app_context():
            dispose_engines()
    return results


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
        f"\nItem analysis at scale (N = {args.employees:,}; medians of {args.runs} runs; "
        "test client, server time)"
    )
    print(f"{'database':<11} {'measure':<{width}}  result")
    for kind, measure, value in results:
        print(f"{kind:<11} {measure:<{width}}  {value}")


if __name__ == "__main__":
    main()
