"""SQLite writers under contention: SQLite's busy handler against lms.database.sqlite_writers' queue.

Several processes each run short transactions against one WAL database file, the
shape of a quiz submission: read a row, then write a few, with some CPU work inside each
transaction (--hold-ms) and between them (--think-ms), as a request does. Each
transaction's time is measured from its start to its commit. Run:

    .venv/bin/python bench/sqlite_writers.py [--processes 5] [--seconds 5]

and it prints, for each way of waiting, transactions per second and the p50, p99
and slowest transaction times.
"""

import argparse
import multiprocessing
import os
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lms.database.sqlite_writers import QueuedConnection  # noqa: E402

WAYS = {"busy handler": sqlite3.Connection, "writers' queue": QueuedConnection}


def setup(path: str) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, done INTEGER)")
    connection.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, person INTEGER, body TEXT)")
    connection.executemany(
        "INSERT INTO people (id, name, done) VALUES (?, ?, 0)",
        [(n, f"person {n}") for n in range(1, 10_001)],
    )
    connection.commit()
    connection.close()


def busy(seconds: float) -> None:
    """Spend `seconds` of CPU, as a request does outside its write transaction."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def work(
    path: str, factory: type, seconds: float, think: float, hold: float, seed: int, out
) -> None:
    connection = sqlite3.connect(path, timeout=5.0, factory=factory)
    connection.execute("PRAGMA synchronous=NORMAL")
    times = []
    person = seed
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        busy(think)
        person = person * 7919 % 10_000 + 1
        started = time.perf_counter()
        connection.execute("SELECT name, done FROM people WHERE id = ?", (person,)).fetchone()
        for n in range(4):
            connection.execute(
                "INSERT INTO answers (person, body) VALUES (?, ?)", (person, f"answer {n}")
            )
        busy(hold)  # the work a request does inside its transaction (ORM flush, grading)
        connection.execute("UPDATE people SET done = done + 1 WHERE id = ?", (person,))
        connection.commit()
        times.append(time.perf_counter() - started)
    connection.close()
    out.put(times)


def run(factory: type, processes: int, seconds: float, think: float, hold: float) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "bench.db")
        setup(path)
        out = multiprocessing.Queue()
        workers = [
            multiprocessing.Process(
                target=work, args=(path, factory, seconds, think, hold, n + 1, out)
            )
            for n in range(processes)
        ]
        for worker in workers:
            worker.start()
        times = [t for _ in workers for t in out.get()]
        for worker in workers:
            worker.join()
    times.sort()
    return {
        "tx/s": len(times) / seconds,
        "p50": statistics.median(times),
        "p99": times[int(len(times) * 0.99)],
        "slowest": times[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think-ms", type=float, default=1.0, help="CPU work between transactions")
    parser.add_argument(
        "--hold-ms", type=float, default=1.0, help="CPU work inside each transaction"
    )
    args = parser.parse_args()
    print(
        f"{args.processes} processes, {args.think_ms:g} ms of CPU between transactions"
        f" and {args.hold_ms:g} ms inside each,"
        f" {args.seconds:g} s a round, {args.rounds} rounds each"
    )
    print(f"{'way of waiting':<16}{'tx/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'slowest ms':>12}")
    for _ in range(args.rounds):
        for name, factory in WAYS.items():
            r = run(
                factory, args.processes, args.seconds, args.think_ms / 1000, args.hold_ms / 1000
            )
            print(
                f"{name:<16}{r['tx/s']:>8,.0f}{r['p50'] * 1000:>9.1f}"
                f"{r['p99'] * 1000:>9.1f}{r['slowest'] * 1000:>12.1f}"
            )


if __name__ == "__main__":
    main()
