"""Mutation testing of the rule modules, each against its own tests (`make mutation`).

For every module in TARGETS this runs mutmut (pinned in requirements-dev.txt) in a
working folder of its own, `.mutmut/<name>/` (kept out of git): a pyproject.toml made
from ours plus a `[tool.mutmut]` section naming that one file and its tests, and
links to lms/, tests/, content/ and config.py. mutmut copies them to
`.mutmut/<name>/mutants/`, writes every mutant of the module into the copy behind a
switch, runs the tests once to learn which of them call which function, then runs,
for each mutant, only the targeted tests that call the mutated function.

It then prints one table: mutants, killed, survived (with "no tests": no targeted
test calls the function), timeouts and suspicious, the share killed, and the share
killed of the mutants that can change behaviour, given the equivalent mutants
listed with their reasons in tools/mutation_equivalents.toml. Every other survivor
is printed with its diff; so is an entry of the list that no longer matches one.

    .venv/bin/python tools/mutation.py                   # every module, 2 workers
    .venv/bin/python tools/mutation.py status reminders  # only these
    .venv/bin/python tools/mutation.py --workers 1 --keep plan

Each run starts from a fresh copy (mutmut keeps a mutant's result until its
function changes, so an edited test would otherwise not re-test a survivor);
`--keep` reuses the last run's results for a quick look, and `--report` only prints
the last run's table again (after editing the list of equivalents, say). Exits 1 when a module
kills less than `--fail-under` (95) % of the mutants that can change behaviour.
docs/mutation.md explains how to read a survivor and records the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutmut"
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
MUTMUT = Path(sys.executable).with_name("mutmut")
LINKED = ("lms", "tests", "content", "config.py")

LOADER_TESTS = ("tests/content/test_loader.py", "tests/content/test_loader_problems.py")
# name -> (the module mutated, the tests that target it)
TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "status": ("lms/status.py", ("tests/domain/test_status.py",)),
    "periods": ("lms/periods.py", ("tests/domain/test_periods.py",)),
    "grading": ("lms/grading.py", ("tests/domain/test_grading.py",)),
    "audience": ("lms/audience.py", ("tests/domain/test_grading.py",)),
    "certificate_rules": (
        "lms/certificates/rules.py",
        ("tests/certificates/test_certificate_rules.py",),
    ),
    "reminders": ("lms/renewal/rules.py", ("tests/renewal/test_reminder_rules.py",)),
    "status_sql": ("lms/reports/status_sql.py", ("tests/hr/test_status_sql.py",)),
    "loader": ("lms/content/loader.py", LOADER_TESTS),
    "yamlfile": ("lms/content/yamlfile.py", LOADER_TESTS),
    "csvfile": ("lms/imports/csvfile.py", ("tests/hr/test_import_csv.py",)),
    "plan": ("lms/imports/plan.py", ("tests/hr/test_import_plan.py",)),
}

DETECTED = {"killed", "timeout"}  # a mutant that hangs the tests is caught by the time limit
UNSURE = {"timeout", "suspicious", "segfault"}


@dataclass
class Result:
    name: str
    path: str
    statuses: dict[str, str] = field(default_factory=dict)  # mutant -> mutmut's status
    equivalent: dict[str, str] = field(default_factory=dict)  # mutant -> why
    unexplained: dict[str, str] = field(default_factory=dict)  # mutant -> its diff
    seconds: float = 0.0

    def count(self, *statuses: str) -> int:
        return sum(1 for s in self.statuses.values() if s in statuses)

    @property
    def detected(self) -> int:
        return self.count(*DETECTED)

    @property
    def share(self) -> float:
        return 100 * self.detected / len(self.statuses) if self.statuses else 100.0

    @property
    def share_of_changing(self) -> float:
        changing = len(self.statuses) - len(self.equivalent)
        return 100 * self.detected / changing if changing else 100.0


def pyproject_for(path: str, tests: tuple[str, ...]) -> str:
    """Return our pyproject.toml plus a [tool.mutmut] section for one module."""
    listed = lambda items: "[" + ", ".join(f'"{i}"' for i in items) + "]"  # noqa: E731
    return (ROOT / "pyproject.toml").read_text() + (
        "\n[tool.mutmut]\n"
        'source_paths = ["lms"]\n'
        f"only_mutate = {listed([path])}\n"
        f'also_copy = ["config.py", "content"]\n'
        f"pytest_add_cli_args_test_selection = {listed(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
        "use_git_change_detection = false\n"
        "use_setproctitle = false\n"
    )


def prepare(name: str, keep: bool) -> Path:
    """Make (or, with keep, reuse) the working folder of one module."""
    path, tests = TARGETS[name]
    folder = WORK / name
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for item in LINKED:
        link = folder / item
        if not link.is_symlink():
            link.symlink_to(os.path.relpath(ROOT / item, folder))
    (folder / "pyproject.toml").write_text(pyproject_for(path, tests))
    return folder


def mutmut(folder: Path, *args: str) -> str:
    env = os.environ | {"LMS_ENV": "testing", "TEST_DATABASE_URL": "", "PYTHONHASHSEED": "0"}
    done = subprocess.run(  # noqa: S603 - our venv's mutmut, fixed arguments
        [str(MUTMUT), *args],
        cwd=folder,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"mutmut {' '.join(args)} failed in {folder}:\n{done.stdout[-4000:]}")
    return done.stdout


# `mutmut show` for many mutants at once: one process instead of a second or so per mutant.
SHOW = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
path, names = sys.argv[1], json.loads(sys.stdin.read())
print(json.dumps({name: get_diff_for_mutant(name, path=path) for name in names}))
"""


def diffs(folder: Path, path: str, mutants: list[str]) -> dict[str, str]:
    """Return each mutant's diff against the original function, as `mutmut show` prints it."""
    if not mutants:
        return {}
    done = subprocess.run(  # noqa: S603 - our venv's python, fixed arguments
        [sys.executable, "-c", SHOW, path],
        cwd=folder,
        input=json.dumps(mutants),
        text=True,
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def function_of(mutant: str) -> str:
    """`lms.status.x_due_date_for__mutmut_7` -> `due_date_for`; methods as `Period.__str__`."""
    mangled = mutant.partition("__mutmut_")[0].rpartition(".")[2]
    if "ǁ" in mangled:
        _, cls, method = mangled.split("ǁ")
        return f"{cls}.{method}"
    return mangled.removeprefix("x_")


def changed_lines(diff: str) -> tuple[str, str]:
    """Return the (before, after) code of a mutant's diff, each joined on one line."""
    lines = diff.splitlines()
    before = [ln[1:] for ln in lines if ln.startswith("-") and not ln.startswith("---")]
    after = [ln[1:] for ln in lines if ln.startswith("+") and not ln.startswith("+++")]
    squash = lambda parts: re.sub(r"\s+", " ", " ".join(parts)).strip()  # noqa: E731
    return squash(before), squash(after)


def load_equivalents() -> list[dict[str, str]]:
    entries = tomllib.loads(EQUIVALENTS.read_text())["equivalent"]
    for entry in entries:
        for key in ("before", "after"):
            entry[key] = re.sub(r"\s+", " ", entry[key]).strip()
    return entries


def run_module(
    name: str, workers: int, keep: bool, equivalents: list[dict[str, str]], report: bool = False
) -> Result:
    path, _ = TARGETS[name]
    folder = WORK / name if report else prepare(name, keep)
    started = time.monotonic()
    if not report:
        mutmut(folder, "run", "--max-children", str(workers))
    result = Result(name, path, seconds=time.monotonic() - started)
    for line in mutmut(folder, "results", "--all", "true").splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if mutant:
            result.statuses[mutant] = status
    alive = [m for m, status in result.statuses.items() if status not in DETECTED]
    for mutant, diff in diffs(folder, path, alive).items():
        status = result.statuses[mutant]
        before, after = changed_lines(diff)
        match = next(
            (
                e
                for e in equivalents
                if (e["module"], e["function"], e["before"], e["after"])
                == (path, function_of(mutant), before, after)
            ),
            None,
        )
        if match and status == "survived":
            result.equivalent[mutant] = match["why"]
            match["matched"] = mutant
        else:
            result.unexplained[mutant] = f"{status}: {function_of(mutant)}\n{diff.strip()}"
    return result


def table(results: list[Result]) -> str:
    rows = [
        "| module | mutants | killed | survived | timeout/suspicious | % killed "
        "| equivalent | % of behaviour-changing killed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        rows.append(
            f"| {r.path} | {len(r.statuses)} | {r.count('killed')} "
            f"| {r.count('survived', 'no tests', 'not checked', 'skipped')} "
            f"| {r.count(*UNSURE)} | {r.share:.1f} | {len(r.equivalent)} "
            f"| {r.share_of_changing:.1f} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", choices=[[], *TARGETS], metavar="module")
    parser.add_argument("--workers", type=int, default=2, help="mutmut's --max-children (2)")
    parser.add_argument("--keep", action="store_true", help="reuse the last run's results")
    parser.add_argument(
        "--report",
        action="store_true",
        help="only print the last run's table again (no mutmut run)",
    )
    parser.add_argument("--fail-under", type=float, default=95.0)
    args = parser.parse_args()
    names = args.modules or list(TARGETS)
    equivalents = load_equivalents()
    results = []
    started = time.monotonic()
    for name in names:
        print(f"{name}: mutating {TARGETS[name][0]} ...", flush=True)
        results.append(run_module(name, args.workers, args.keep, equivalents, args.report))
        print(f"{name}: {len(results[-1].statuses)} mutants in {results[-1].seconds:.0f} s")
    for r in results:
        for mutant, text in r.unexplained.items():
            print(f"\n== survivor {mutant} ({r.path})\n{text}")
    paths = {TARGETS[n][0] for n in names}
    for entry in equivalents:
        if entry["module"] in paths and "matched" not in entry:
            print(f"\n== listed as equivalent but not a survivor now: {entry}")
    print(f"\n{table(results)}\n\n{time.monotonic() - started:.0f} s with {args.workers} workers")
    low = [r.path for r in results if r.share_of_changing < args.fail_under]
    if low:
        print(f"below {args.fail_under} % of behaviour-changing mutants killed: {', '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
