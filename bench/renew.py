"""`flask lms renew` on the demo organisation: time and peak memory of each kind of run.

    python bench/renew.py [--employees 10000[,2000]] [--databases sqlite,postgresql] [--reuse]

For each database and size it builds the demo (`flask lms demo --employees N`) in a
fresh SQLite file or PostgreSQL schema, starts an SMTP sink (aiosmtpd, its own
process) and runs `flask lms renew` as a subprocess, in production settings:

- dry run on the demo's day: every reminder due, computed and rolled back;
- first run on that day: the catch-up, queueing and sending every reminder due;
- repeat run on the same day: nothing to queue or send;
- a run on each of the following days (--days, 7): a day's new reminders, the
  steady state of a daily cron (weekly overdue reminders spread over the week).

It prints wall time (and the part spent queueing vs sending), emails queued and
sent, and the peak RSS of each `renew` process. Targets (issue 5): a run with work ≤ 10 s, a repeat ≤ 3 s, memory flat
in the number of assignments (compare sizes). `--reuse` keeps each SQLite demo in
bench/out/ and copies it back instead of rebuilding it (the demo takes minutes).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from support import (
    POSTGRES,
    ROOT,
    SECRET,
    cli_env,
    flask_cli,
    fresh_database,
    machine,
    postgres_available,
)

OUT = ROOT / "bench" / "out"
TARGET_WORK_S, TARGET_REPEAT_S = 10.0, 3.0


@dataclass
class Run:
    label: str
    as_of: date
    seconds: float
    peak_mib: float
    queued: float
    sent: float
    failed: float
    queue_s: float
    send_s: float
    output: str


@contextmanager
def database(kind: str, employees: int) -> Iterator[str]:
    """Yield the URL of a new empty database of this kind, removed afterwards."""
    with fresh_database(kind, OUT / f"renew-{employees}.db", POSTGRES) as url:
        yield url


def build_demo(url: str, employees: int, seed: int, reuse: bool) -> tuple[float, int]:
    """Create the schema, sync content and load the demo; return (seconds, assignments)."""
    cached = OUT / f"renew-demo-{employees}-{seed}-{date.today().isoformat()}.db"
    target = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else None
    started = time.perf_counter()
    if reuse and target is not None and cached.exists():
        shutil.copyfile(cached, target)
    else:
        os.environ["LMS_ENV"] = "production"
        from lms import create_app
        from lms.database import dispose_engines
        from lms.extensions import db

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": SECRET,
                "LMS_CONTENT_DIR": str(ROOT / "content"),
            }
        )
        with app.app_context():
            # The models' schema: migrations can trail the models while features land.
            db.create_all()
            runner = app.test_cli_runner()
            for command in (
                ["sync-content"],
                ["demo", "--employees", str(employees), "--seed", str(seed)],
            ):
                result = runner.invoke(args=["lms", *command])
                if result.exit_code != 0:
                    raise SystemExit(f"flask lms {' '.join(command)} failed:\n{result.output}")
            dispose_engines()
        if reuse and target is not None:
            shutil.copyfile(target, cached)
    return time.perf_counter() - started, count_assignments(url)


def count_assignments(url: str) -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM assignments")).scalar_one()
    engine.dispose()
    return count


@contextmanager
def smtp_sink() -> Iterator[int]:
    """Run an SMTP server that accepts and discards everything, in its own process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait()


def run_renew(label: str, as_of: date, env: dict, *extra: str) -> Run:
    """Run `flask lms renew` in a subprocess; time it and read its peak RSS."""
    seconds, peak_mib, output = flask_cli(env, "lms", "renew", "--as-of", as_of.isoformat(), *extra)

    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else 0

    return Run(
        label=label,
        as_of=as_of,
        seconds=seconds,
        peak_mib=peak_mib,
        queued=number(r"emails (?:would be )?queued: (\d+)"),
        sent=number(r"emails sent: (\d+)"),
        failed=number(r"failed: (\d+)"),
        queue_s=number(r"took ([\d.]+) s to queue"),
        send_s=number(r"([\d.]+) s to send"),
        output=output,
    )


def bench(kind: str, employees: int, args) -> list[str]:
    today = date.today()
    with database(kind, employees) as url, smtp_sink() as port:
        build_s, assignments = build_demo(
            url, employees, args.seed, args.reuse and kind == "sqlite"
        )
        env = cli_env(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port), MAIL_USE_TLS="0")
        runs = [
            run_renew("dry run (catch-up day)", today, env, "--dry-run"),
            run_renew("first run: catch-up", today, env),
            run_renew("repeat, nothing to send", today, env),
            *(
                run_renew(f"daily run, day +{n}", today + timedelta(days=n), env)
                for n in range(1, args.days + 1)
            ),
        ]
    head = (
        "run",
        "as of",
        "queued",
        "sent",
        "failed",
        "total s",
        "queue s",
        "send s",
        "sent/s",
        "peak MiB",
    )
    rows = [
        f"{kind}, {employees:,} employees, {assignments:,} assignments "
        f"(demo built in {build_s:.0f} s)",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    for r in runs:
        rate = f"{r.sent / r.send_s:.0f}" if r.sent and r.send_s else ""
        cells = (
            r.label,
            r.as_of.isoformat(),
            f"{r.queued:,.0f}",
            f"{r.sent:,.0f}",
            f"{r.failed:.0f}",
            f"{r.seconds:.2f}",
            f"{r.queue_s:.2f}",
            f"{r.send_s:.2f}",
            rate,
            f"{r.peak_mib:.0f}",
        )
        rows.append("| " + " | ".join(cells) + " |")
    repeat, catch_up, daily = runs[2], runs[1], runs[3:]
    worst = max(daily, key=lambda r: r.seconds, default=None)

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    verdicts = [
        f"repeat ≤ {TARGET_REPEAT_S:.0f} s: {verdict(repeat.seconds <= TARGET_REPEAT_S)} "
        f"({repeat.seconds:.1f} s)",
        f"catch-up ≤ {TARGET_WORK_S:.0f} s: {verdict(catch_up.seconds <= TARGET_WORK_S)} "
        f"({catch_up.seconds:.1f} s for {catch_up.queued:,.0f} emails)",
    ]
    if worst is not None:
        verdicts.append(
            f"each daily run ≤ {TARGET_WORK_S:.0f} s: {verdict(worst.seconds <= TARGET_WORK_S)} "
            f"(worst {worst.seconds:.1f} s, {worst.queued:,.0f} emails)"
        )
    return [*rows, "Targets (wall time, process start-up included): " + "; ".join(verdicts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", default="10000", help="comma-separated sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--reuse", action="store_true", help="reuse a cached SQLite demo")
    parser.add_argument("--days", type=int, default=7, help="daily runs after the catch-up")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    OUT.mkdir(parents=True, exist_ok=True)
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    if "postgresql" in kinds and not postgres_available(POSTGRES):
        print(f"PostgreSQL not reachable at {POSTGRES}: SQLite only")
        kinds.remove("postgresql")
    print(f"Machine: {machine(with_load=True)}")
    for kind in kinds:
        for employees in (int(n) for n in args.employees.split(",")):
            print("", *bench(kind, employees, args), sep="\n", flush=True)


if __name__ == "__main__":
    main()
