"""One measure, two or more commits, one database: HR's CSV export of every assignment, A/B.

    python bench/export_ab.py --trees /work/wt/before,/work/wt/after --employees 10000

bench/hr.py times the export once per run, in a process that has just built a demo,
so a single figure carries the machine's drift (a third, on some machines). This
script builds one SQLite demo with this checkout's code, then runs the export in a
fresh process from each tree in turn (a git worktree at each commit), rounds in
A B B A order so a slow spell falls on both, and prints each tree's rates, their
medians and the ratio to the first tree. Each process also reports the SQL the
export ran and a digest of the CSV it produced, so "the same work" is checked, not
assumed. `--profile` adds a cProfile of one export per tree (the top functions by
own time), for when the medians differ.

Only SQLite: PostgreSQL's export goes through COPY and was within noise (issue 14).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
os.environ["LMS_ENV"] = "testing"

# Run inside each tree's own interpreter and import path: that commit's code only.
CHILD = r"""
import cProfile, hashlib, io, json, os, pstats, sys, time
sys.path.insert(0, os.getcwd())
from sqlalchemy import event
from lms import create_app
from lms.extensions import db

url, runs, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_REQUEST_LOG": "off", "TESTING": False})
client = app.test_client()
answer = client.post("/login", data={"email": "hr@example.com", "password": "attest-demo-password"})
assert answer.status_code == 302, answer.status_code
statements = []

def export():
    digest = hashlib.sha256()
    start = time.perf_counter()
    response = client.get("/hr/assignments.csv", buffered=False)
    rows = -1
    for chunk in response.iter_encoded():
        rows += chunk.count(b"\r\n")
        digest.update(chunk)
    seconds = time.perf_counter() - start
    response.close()
    return rows, seconds, digest.hexdigest()

export()  # warm-up: templates, statement cache, the file in the OS cache
with app.app_context():
    for engine in db.engines.values():
        event.listen(engine, "before_cursor_execute",
                     lambda c, cur, sql, p, ctx, many: statements.append(sql))
results = [export() for _ in range(runs)]
top = ""
if profile:
    profiler = cProfile.Profile()
    profiler.enable()
    export()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    top = out.getvalue()
sql = hashlib.sha256("\n".join(statements[: len(statements) // runs]).encode()).hexdigest()
print(json.dumps({"rates": [r / s for r, s, _ in results], "rows": results[0][0],
                  "csv": results[0][2][:12], "sql": sql[:12],
                  "statements": len(statements) // runs, "profile": top}))
"""


def child(tree: Path, url: str, runs: int, profile: bool) -> dict:
    python = tree / ".venv" / "bin" / "python"
    env = {**os.environ, "LMS_ENV": "testing", "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [str(python), "-c", CHILD, url, str(runs), "1" if profile else "0"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{tree}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", required=True, help="comma-separated checkouts; the first is A")
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=4, help="A B B A rounds (each tree twice)")
    parser.add_argument("--runs", type=int, default=3, help="exports per process")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from hr import build  # this checkout's demo builder
    from support import machine

    trees = [Path(t).resolve() for t in args.trees.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/export.db"
        seconds, _ = build(url, args.employees)
        print(
            f"Machine: {machine(with_load=True)}; demo of {args.employees:,} built in {seconds:.0f} s"
        )
        rates: dict[Path, list[float]] = {t: [] for t in trees}
        seen: dict[Path, dict] = {}
        for round_ in range(args.rounds):
            order = trees if round_ % 2 == 0 else trees[::-1]
            for tree in order:
                answer = child(tree, url, args.runs, profile=False)
                rates[tree] += answer["rates"]
                seen[tree] = answer
                print(
                    f"round {round_ + 1} {tree.name}: "
                    + ", ".join(f"{r:,.0f}" for r in answer["rates"]),
                    flush=True,
                )
        if args.profile:
            for tree in trees:
                print(f"\n## {tree.name}\n{child(tree, url, 1, profile=True)['profile']}")
    first = statistics.median(rates[trees[0]])
    print(
        "\n| tree | commit | rows | SQL per export | SQL digest | CSV digest | median rows/s | min – max | vs first |"
    )
    print("| --- | --- | ---: | ---: | --- | --- | ---: | --- | ---: |")
    for tree in trees:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        mid = statistics.median(rates[tree])
        info = seen[tree]
        print(
            f"| {tree.name} | {commit} | {info['rows']:,} | {info['statements']} | {info['sql']} | "
            f"{info['csv']} | {mid:,.0f} | {min(rates[tree]):,.0f} – {max(rates[tree]):,.0f} | "
            f"{mid / first:.2f} |"
        )


if __name__ == "__main__":
    main()
