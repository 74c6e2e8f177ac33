"""Activation letters for many people: one PDF, time and peak memory.

    python bench/letters.py [--sizes 1,100,1000]

For each size, a child process (so each peak is its own) builds a throwaway SQLite
database with that many active people without email, then runs what
`flask lms activation-letters --out FILE.pdf` runs: select them, make and store a
code each (hashed, earlier ones retired, audited), render the letters and write the
PDF. It reports the seconds, the pages written, the process's peak RSS and how much
of it the run added over the process before the run (Python, the app and
WeasyPrint imported, the people in the database).

The process's CPU seconds are shown beside the wall-clock ones: on a shared machine the
difference is time spent waiting for a core. Baseline, from the same run: one letter. Targets (issue 15): 1,000 letters in at most
15 s; memory flat: the peak RSS at 1,000 letters within 1.5x the peak at 100 (letters
are rendered 50 to a WeasyPrint document, lms.activation.render). The "added" column
shows what does grow: pypdf holds every page's objects until it writes the file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECONDS_FOR_1000 = 15.0
MEMORY_RATIO = 1.5


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(size: int) -> dict:
    """Build `size` people without email, print their letters; return the figures."""
    os.environ["LMS_ENV"] = "testing"
    from lms import create_app
    from lms.activation.operations import issue_letters, letter_people
    from lms.activation.render import render_letters
    from lms.database import insert_rows
    from lms.extensions import db
    from lms.models import User
    from lms.models.base import utcnow

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context():
            db.create_all()
            insert_rows(
                User.__table__,
                [
                    {
                        "email": None,
                        "employee_id": f"E{n:06d}",
                        "full_name": f"Frontline Person {n:05d}",
                        "department": f"Store {n % 40:02d}",
                        "is_active": True,
                        "is_hr": False,
                        "session_version": 1,
                        "training_rev": 0,
                        "created_at": utcnow(),
                    }
                    for n in range(size)
                ],
            )
            db.session.commit()
            before = current_mb()
            started, cpu = time.perf_counter(), time.process_time()
            people = letter_people()
            letters = issue_letters(
                people,
                now=utcnow(),
                base_url="https://attest.example.com",
                actor_id=None,
                filters={"department": None, "new_only": False},
                source="cli",
            )
            out = Path(tmp) / "letters.pdf"
            with out.open("wb") as f:
                pages = render_letters(
                    letters, org_name="Bench Ltd", base_url="https://attest.example.com", out=f
                )
            db.session.commit()
            seconds = time.perf_counter() - started
            return {
                "cpu": time.process_time() - cpu,
                "size": size,
                "seconds": seconds,
                "pages": pages,
                "kb": out.stat().st_size / 1024,
                "peak_mb": peak_mb(),
                "added_mb": peak_mb() - before,
            }


def run_child(size: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(size)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return
    from support import machine

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"Activation letters, one PDF per run ({machine(with_load=True)})\n")
    runs = {size: run_child(size) for size in sizes}
    base = runs[min(sizes)]
    per_letter = base["seconds"] / base["size"]
    hundred = runs.get(100)
    print(
        "| letters | pages | seconds | CPU seconds | per letter | vs baseline | PDF"
        " | peak RSS | added by the run | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in sizes:
        r = runs[size]
        ratio = (r["seconds"] / r["size"]) / per_letter
        verdicts = []
        if size == 1000:
            verdicts.append(
                f"{'ok' if r['seconds'] <= SECONDS_FOR_1000 else 'over'} (≤ {SECONDS_FOR_1000:.0f} s)"
            )
        if hundred and size > 100:
            grown = r["peak_mb"] / hundred["peak_mb"]
            verdicts.append(
                f"memory {'ok' if grown <= MEMORY_RATIO else 'over'} "
                f"(peak {grown:.2f}x the 100 run)"
            )
        label = "baseline" if r is base else ", ".join(verdicts) or "—"
        print(
            f"| {size:,} | {r['pages']:,} | {r['seconds']:.2f} | {r['cpu']:.2f}"
            f" | {r['seconds'] / r['size'] * 1000:.1f} ms"
            f" | {ratio:.2f}x | {r['kb']:,.0f} kB | {r['peak_mb']:.0f} MB | {r['added_mb']:.0f} MB | {label} |"
        )


if __name__ == "__main__":
    main()
