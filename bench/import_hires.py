"""Time `flask lms import-hires` on a 10,000-row CSV, in process, on SQLite and PostgreSQL.

    python bench/import_hires.py [--rows 10000] [--databases sqlite,postgresql]

For each database: a fresh schema with the real `content/` synced, then four imports
of a generated HR export (departments, roles, a two-level management chain, names in
several scripts), each committed as the CLI does:

  new hires      every row new: people, managers, ~9 assignments each, audit events
  same again     the same file: every row unchanged
  changes        10% transfers to another department, 1% terminated, 5% new
  with invites   a fresh database, every row new, and an invitation queued for each
                 (shown for information: the target is for the import itself)

It prints seconds and rows/s per phase (parse and check, apply, commit). Target
(issue 4): a 10,000-row import in at most 10 s. `make_csv(rows, seed)` and
`lms.imports.apply.import_csv_bytes` are what bench/hr.py can call too.

    python bench/import_hires.py --web [--rows 62000] [--databases sqlite,postgresql]

times HR's web import instead, through the app (test client, signed in as HR): the
upload and its preview, then the confirm, both ways on a fresh database each:

  in the request   the confirm imports the file before answering (the only way
                   before issue 13; what a file up to LMS_IMPORT_INLINE_ROWS does)
  background job   the confirm records a job and answers; a thread imports it

It prints how long the confirm request took (what gunicorn's 30 s timeout sees),
how long until the result was stored, and the confirm's before/after ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_SECONDS = 10.0
HEADER = "employee_id,email,full_name,department,role,hire_date,manager_email,status"
DEPARTMENTS = {
    "Stores": ["Sales Associate", "Cashier", "Store Supervisor"],
    "Customer Service": ["Contact Centre Agent", "Complaints Specialist"],
    "Online": ["Chat Agent", "Content Editor"],
    "Operations": ["Warehouse Operative", "Delivery Coordinator"],
}
NAMES = [
    "Ana Lima",
    "Ben Okafor",
    "Chloé Dubois",
    "Dev Patel",
    "Ewa Kowalska",
    "Lev Tolstoy",
    "山田 太郎",
    "محمد علي",
    "Nguyễn Minh",
    "Siobhán Ní Bhriain",
    "O'Neill, Pat",
    "Zoë Ødegård",
]


def make_csv(rows: int, seed: int = 1, *, today: date, changes: bool = False) -> bytes:
    """An HR export of `rows` people: E1 runs the company, E2..E101 manage the rest.

    With `changes`, 10% move department, 1% are terminated and 5% more are new.
    """
    rng = random.Random(seed)
    lines = [HEADER]
    departments = list(DEPARTMENTS)
    total = rows + (rows // 20 if changes else 0)
    for n in range(1, total + 1):
        # The same draws whatever `changes` is, so unchanged people come out the same.
        hired = today - timedelta(days=rng.randrange(0, 1500))
        moves, leaves = rng.random() < 0.10, rng.random() < 0.01
        department = departments[(n + (changes and moves and n <= rows)) % len(departments)]
        role = DEPARTMENTS[department][n % len(DEPARTMENTS[department])]
        manager = "" if n == 1 else "p1@example.com" if n <= 101 else f"p{2 + n % 100}@example.com"
        status = "terminated" if changes and leaves and 101 < n <= rows else "active"
        name = NAMES[n % len(NAMES)]
        name = f'"{name}"' if "," in name else name
        lines.append(
            f"E{n:06d},p{n}@example.com,{name},{department},{role},{hired},{manager},{status}"
        )
    return ("\n".join(lines) + "\n").encode()


def make_app(url: str):
    os.environ["LMS_ENV"] = "development"
    from lms import create_app

    config = {"SQLALCHEMY_DATABASE_URI": url, "LMS_CONTENT_DIR": str(ROOT / "content")}
    schema = None
    if url.startswith("postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with create_engine(url).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-csearch_path={schema}"}
        }
    return create_app(config), schema


def drop_schema(schema: str | None) -> None:
    """Drop the PostgreSQL schema `make_app` made, if it made one."""
    if schema:
        engine = create_engine(POSTGRES)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def fresh_database(app) -> None:
    from lms.content.loader import load_content
    from lms.content.sync import sync_content
    from lms.extensions import db

    db.drop_all()
    db.create_all()
    sync_content(load_content(ROOT / "content"))
    db.session.commit()


def timed_import(data: bytes, today: date, *, invite: bool = False) -> dict:
    from lms.extensions import db
    from lms.imports.apply import apply_plan, preview_csv

    started = time.perf_counter()
    plan = preview_csv(data)
    checked = time.perf_counter()
    result = apply_plan(plan, today=today, invite=invite, source="bench")
    applied = time.perf_counter()
    db.session.commit()
    done = time.perf_counter()
    db.session.expunge_all()
    assert result.is_applied, [str(e) for e in plan.errors[:5]]
    return {
        "check": checked - started,
        "apply": applied - checked,
        "commit": done - applied,
        "total": done - started,
        "counts": result.counts,
        "assigned": result.assigned,
    }


def run(database: str, rows: int) -> list[tuple[str, str, dict]]:
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db" if database == "sqlite" else POSTGRES
    app, schema = make_app(url)
    today = date(2026, 6, 1)
    results = []
    try:
        with app.app_context():
            fresh_database(app)
            first = make_csv(rows, today=today)
            results.append((database, "new hires", timed_import(first, today)))
            results.append((database, "same again", timed_import(first, today)))
            results.append(
                (
                    database,
                    "changes",
                    timed_import(make_csv(rows, today=today, changes=True), today),
                )
            )
            fresh_database(app)
            results.append((database, "with invites", timed_import(first, today, invite=True)))
            from lms.database import dispose_engines

            dispose_engines()
    finally:
        drop_schema(schema)
    return results


WEB_PASSWORD = "bench-hr-password-123"  # noqa: S105 - a throwaway account in a bench database


def web_import(database: str, rows: int, *, inline_limit: int) -> dict:
    """Upload and confirm a generated file as HR on a fresh database; return the timings."""
    import io
    import re

    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db" if database == "sqlite" else POSTGRES
    app, schema = make_app(url)
    # This generator's 62,000 rows are 6.3 MB (names in several scripts, a status column),
    # over the 5 MiB default; the reported file was 3.7 MB. The limit is not what is timed.
    app.config.update(
        WTF_CSRF_ENABLED=False,
        LMS_IMPORT_INLINE_ROWS=inline_limit,
        RATELIMIT_ENABLED=False,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    today = date.today()
    try:
        with app.app_context():
            from lms.extensions import db
            from lms.imports import jobs
            from lms.models import ImportJob
            from lms.people.operations import create_user

            fresh_database(app)
            create_user(
                today=today,
                email="hr@example.org",
                full_name="Bench HR",
                is_hr=True,
                password=WEB_PASSWORD,
            )
            db.session.commit()
            db.session.remove()
            client = app.test_client()
            client.post("/login", data={"email": "hr@example.org", "password": WEB_PASSWORD})
            data = make_csv(rows, today=today)
            started = time.perf_counter()
            page = client.post(
                "/hr/import/",
                data={"file": (io.BytesIO(data), "hires.csv")},
                content_type="multipart/form-data",
            ).get_data(as_text=True)
            previewed = time.perf_counter()
            fields = dict(
                re.findall(r'name="(staged_id|digest|partial)" type="hidden" value="([^"]*)"', page)
            )
            response = client.post("/hr/import/confirm", data=fields)
            answered = time.perf_counter()
            jobs.join_jobs()
            ready = time.perf_counter()
            job = db.session.scalar(select(ImportJob))
            if job is not None:
                assert job.state == "done", (job.state, job.result)
            else:
                assert response.status_code == 200, response.status_code
            from lms.database import dispose_engines

            dispose_engines()
    finally:
        drop_schema(schema)
    return {
        "upload": previewed - started,
        "confirm": answered - previewed,
        "ready": ready - previewed,
        "status": response.status_code,
    }


def main_web(rows: int, databases: list[str]) -> None:
    results = []
    for database in databases:
        before = web_import(database, rows, inline_limit=10**9)
        after = web_import(database, rows, inline_limit=2000)
        results.append((database, before, after))
    print(
        f"\nweb import, {rows:,} rows: the confirm request (gunicorn replaces a worker after 30 s)\n"
    )
    print(
        f"{'database':<11}{'path':<17}{'upload s':>9}{'confirm s':>10}{'status':>7}"
        f"{'result s':>9}{'confirm before/after':>22}"
    )
    for database, before, after in results:
        for name, r in (("in the request", before), ("background job", after)):
            ratio = f"{before['confirm'] / after['confirm']:,.0f}x" if r is after else "1x"
            print(
                f"{database:<11}{name:<17}{r['upload']:>9.2f}{r['confirm']:>10.2f}"
                f"{r['status']:>7}{r['ready']:>9.2f}{ratio:>22}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--web", action="store_true", help="time HR's web import (see above)")
    args = parser.parse_args()
    if args.web:
        main_web(args.rows, [d.strip() for d in args.databases.split(",")])
        return
    rows = []
    for database in args.databases.split(","):
        rows += run(database.strip(), args.rows)
    print(f"\nimport-hires, {args.rows:,} rows (target: at most {TARGET_SECONDS:.0f} s)\n")
    print(
        f"{'database':<11}{'import':<14}{'check s':>9}{'apply s':>9}{'commit s':>9}{'total s':>9}"
        f"{'rows/s':>9}  {'new/upd/term/same':<20}{'assignments':>12}  ok"
    )
    failed = False
    for database, name, r in rows:
        c, a = r["counts"], r["assigned"]
        ok = r["total"] <= TARGET_SECONDS
        if name != "with invites":  # the target is the import; queueing 10,000 emails is extra
            failed |= not ok
        print(
            f"{database:<11}{name:<14}{r['check']:>9.2f}{r['apply']:>9.2f}{r['commit']:>9.2f}"
            f"{r['total']:>9.2f}{args.rows / r['total']:>9,.0f}  "
            f"{c['new']}/{c['updated']}/{c['terminated']}/{c['unchanged']:<8}"
            f"{f'+{a.created} -{a.closed}':>12}  {'yes' if ok else 'no'}"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
