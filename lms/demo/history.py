"""Two years of training history, simulated with the training rules and written in bulk."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from lms import models
from lms.analysis.operations import answer_rows, insert_answer_rows
from lms.audience import matches_audience
from lms.database import insert_rows
from lms.demo.bulk import insert_returning
from lms.demo.org import Person
from lms.extensions import db
from lms.grading import draw_questions, grade_attempt
from lms.models import (
    Assignment,
    Attempt,
    Attestation,
    Choice,
    Completion,
    Module,
    ModuleVersion,
    Program,
    ProgramModule,
    Question,
)
from lms.models.content import current_version
from lms.periods import Period, parse_period
from lms.status import due_date_for, expiry_for, renewal_opens_for

EXEMPT_REASONS = [
    "On long-term leave until further notice",
    "Holds an equivalent external certification (checked by HR)",
    "Role has no customer contact",
    "Phased return to work agreed with occupational health",
]
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford, as lms.certificates.codes
# 80 random bits written as 16 Crockford characters: base32 with the alphabet swapped (one
# call per certificate instead of sixteen `rng.choice`: 1.5 million at 100,000 employees).
TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CODE_ALPHABET.encode())


@dataclass
class ModuleInfo:
    id: int
    slug: str
    version_id: int
    version: int
    attestation: str
    renew_every: Period | None
    window: Period | None
    pass_mark: int
    per_attempt: int | None
    pool: dict[int, list[int]]
    correct: dict[str, list[int]]


@dataclass
class Pace:
    does_it: float  # chance of completing each cycle at all
    first: tuple[int, int]  # days after assignment to the first completion
    renew: tuple[int, int]  # days after the renewal window opens


PACES = {
    "prompt": Pace(0.97, (2, 25), (0, 25)),
    "late": Pace(0.9, (15, 60), (10, 50)),
    "laggard": Pace(0.6, (30, 120), (20, 90)),
}


# -- the catalogue ---------------------------------------------------------------------------


def load_modules() -> dict[int, ModuleInfo]:
    """Return each current module version with its question pool and correct choices."""
    modules = {}
    for module, version in db.session.execute(
        select(Module, ModuleVersion)
        .join(ModuleVersion, current_version())
        .where(~Module.is_archived)
    ):
        modules[version.id] = ModuleInfo(
            id=module.id,
            slug=module.slug,
            version_id=version.id,
            version=version.version,
            attestation=version.attestation,
            renew_every=parse_period(version.renew_every) if version.renew_every else None,
            window=parse_period(version.window) if version.window else None,
            pass_mark=version.pass_mark,
            per_attempt=version.questions_per_attempt,
            pool={},
            correct={},
        )
    for version_id, question_id, choice_id, is_correct in db.session.execute(
        select(Question.module_version_id, Question.id, Choice.id, Choice.is_correct)
        .join(Choice, Choice.question_id == Question.id)
        .where(Question.module_version_id.in_(list(modules)))
        .order_by(Question.position, Choice.position)
    ):
        info = modules[version_id]
        info.pool.setdefault(question_id, []).append(choice_id)
        info.correct.setdefault(str(question_id), [])
        if is_correct:
            info.correct[str(question_id)].append(choice_id)
    return {info.id: info for info in modules.values()}


def load_programs() -> list[tuple[int, dict[str, Any], int, list[int]]]:
    """Return (id, audience, due_days, module ids) of every program that is not archived."""
    modules: dict[int, list[int]] = {}
    for program_id, module_id in db.session.execute(
        select(ProgramModule.program_id, ProgramModule.module_id)
        .join(Module, Module.id == ProgramModule.module_id)
        .where(~Module.is_archived)
        .order_by(ProgramModule.program_id, ProgramModule.position)
    ):
        modules.setdefault(program_id, []).append(module_id)
    return [
        (pid, audience, due_days, modules.get(pid, []))
        for pid, audience, due_days in db.session.execute(
            select(Program.id, Program.audience, Program.due_days)
            .where(~Program.is_archived)
            .order_by(Program.id)
        )
    ]


# -- history ---------------------------------------------------------------------------------


def at(day: date, rng: random.Random, hours: tuple[int, int] = (8, 18)) -> datetime:
    return datetime.combine(day, time(rng.randrange(*hours), rng.randrange(60)), tzinfo=UTC)


class History:
    """Simulates training one person at a time and writes it in bulk, batch by batch."""

    def __init__(self, modules, programs, today, rng, hr_id):
        self.modules, self.programs, self.today, self.rng = modules, programs, today, rng
        self.hr_id = hr_id
        self.start = today - timedelta(days=730)
        self.completions = 0
        self._events: list[tuple] = []  # (when, action, user_id, details) of the history
        self.has_certificates = hasattr(models, "Certificate")
        self._reset()

    def _reset(self) -> None:
        self.assignments: list[dict[str, Any]] = []
        self.owners: list[tuple[int, datetime]] = []  # per assignment: user id, created at
        self.attempts: list[tuple[int, dict[str, Any]]] = []  # (assignment index, row)
        # (assignment index, attempt index or None, attestation row, completion row, holder)
        self.cycles: list[tuple[int, int | None, dict[str, Any], dict[str, Any], str]] = []

    def wanted(self, person: Person, assigned_on: date) -> dict[int, tuple[int, date]]:
        """Return {module_id: (program_id, due date)} as `lms.assignments.wanted_assignments`."""
        wanted: dict[int, tuple[int, date]] = {}
        for program_id, audience, due_days, module_ids in self.programs:
            if matches_audience(audience, person.department, person.role):
                due = due_date_for(person.hire_date, assigned_on, due_days)
                for module_id in module_ids:
                    if module_id not in wanted or due < wanted[module_id][1]:
                        wanted[module_id] = (program_id, due)
        return wanted

    def add_person(self, user_id: int, person: Person) -> None:
        rng = self.rng
        # The programs were rolled out to existing staff over four months, then to each new hire.
        assigned_on = max(person.hire_date, self.start + timedelta(days=rng.randrange(0, 120)))
        end = min(self.today, person.left_on or self.today)
        created_at = at(assigned_on, rng, (6, 8))
        for module_id, (program_id, due) in sorted(self.wanted(person, assigned_on).items()):
            row = {
                "user_id": user_id,
                "module_id": module_id,
                "program_id": program_id,
                "assigned_on": assigned_on,
                "due_date": due,
                "cycle": 1,
                "started_on": None,
                "completed_on": None,
                "expires_on": None,
                "renewal_opens_on": None,
                "last_score": None,
                "extra_attempts": 0,
                "exempt_reason": None,
                "exempt_at": None,
                "exempt_by_id": None,
                "closed_on": person.left_on,
                "created_at": created_at,
            }
            self.assignments.append(row)
            self.owners.append((user_id, created_at))
            if not person.history:
                continue
            if rng.random() < 0.01:
                row["exempt_reason"] = rng.choice(EXEMPT_REASONS)
                row["exempt_at"] = at(assigned_on + timedelta(days=rng.randrange(1, 20)), rng)
                row["exempt_by_id"] = self.hr_id
                continue
            self.simulate(len(self.assignments) - 1, person, self.modules[module_id], end)

    def simulate(self, index: int, person: Person, module: ModuleInfo, end: date) -> None:
        """Complete and renew one assignment on plausible days up to `end`, per the person's pace."""
        rng, pace, row = self.rng, PACES[person.pace], self.assignments[index]
        day = row["assigned_on"] + timedelta(days=rng.randint(*pace.first))
        while day < end and rng.random() < pace.does_it:
            self.complete(index, person, module, day)
            if row["renewal_opens_on"] is None:
                return
            day = row["renewal_opens_on"] + timedelta(days=rng.randint(*pace.renew))
        started = row["assigned_on"] if row["completed_on"] is None else row["renewal_opens_on"]
        if day >= end:  # not due to be done yet: some have made a start
            day = started + timedelta(days=rng.randint(0, max(0, (end - started).days)))
            if day >= end or rng.random() < 0.5:
                return
        if module.pool and rng.random() < 0.4:
            # Started this cycle but not finished: an open attempt, or failures.
            fails = 3 if person.pace == "laggard" and rng.random() < 0.3 else rng.randrange(0, 2)
            for _ in range(fails):
                self.attempt(index, module, day, passing=False)
            if fails < 3:
                self.attempt(index, module, day, passing=None)
            row["started_on"] = day

    def attempt(self, index: int, module: ModuleInfo, day: date, passing: bool | None) -> int:
        """Record an attempt: passed (True), failed (False) or left open (None); return its index."""
        row, rng = self.assignments[index], self.rng
        drawn = draw_questions(module.pool, module.per_attempt, rng)
        attempt = {
            "user_id": row["user_id"],
            "module_version_id": module.version_id,
            "cycle": row["cycle"],
            "started_at": at(day, rng, (8, 17)),
            "drawn": drawn,
            "submitted_at": None,
            "answers": None,
            "results": None,
            "score": None,
            "passed": None,
        }
        if passing is not None:
            correct = {str(i["question_id"]): module.correct[str(i["question_id"])] for i in drawn}
            answers = self.answers(drawn, correct, right=lambda: passing or rng.random() < 0.5)
            grade = grade_attempt(answers, correct, module.pass_mark)
            if grade.passed and not passing:
                answers = self.answers(drawn, correct, right=lambda: False)
                grade = grade_attempt(answers, correct, module.pass_mark)
            attempt |= {
                "submitted_at": attempt["started_at"] + timedelta(minutes=rng.randrange(3, 12)),
                "answers": answers,
                "results": grade.results,
                "score": grade.score,
                "passed": grade.passed,
            }
        self.attempts.append((index, attempt))
        return len(self.attempts) - 1

    @staticmethod
    def answers(drawn, correct, right) -> dict[str, list[int]]:
        """Pick the correct choices where `right()` says so, else the first wrong one."""
        answers = {}
        for item in drawn:
            qid = str(item["question_id"])
            wrong = [c for c in item["choice_ids"] if c not in correct[qid]][:1]
            answers[qid] = correct[qid] if right() or not wrong else wrong
        return answers

    def complete(self, index: int, person: Person, module: ModuleInfo, day: date) -> None:
        """Pass the quiz (sometimes after failing) and sign, as `lms.learn.operations` would on `day`."""
        row, rng = self.assignments[index], self.rng
        passed = None
        if module.pool:
            for _ in range(rng.choices([0, 1, 2], weights=[75, 20, 5])[0]):
                self.attempt(index, module, day, passing=False)
            passed = self.attempt(index, module, day, passing=True)
        score = self.attempts[passed][1]["score"] if passed is not None else None
        signed_at = at(day, rng, (17, 19))
        first = row["completed_on"] is None
        expires_on = expiry_for(
            day,
            module.renew_every,
            due_date=row["due_date"] if first else None,
            previous_expiry=None if first else row["expires_on"],
        )
        attestation = {
            "user_id": row["user_id"],
            "module_version_id": module.version_id,
            "version": module.version,
            "cycle": row["cycle"],
            "text": module.attestation,
            "typed_name": person.full_name,
            "signed_at": signed_at,
            "ip_address": "192.0.2.10",
            "user_agent": "Mozilla/5.0 (demo)",
        }
        completion = {
            "user_id": row["user_id"],
            "module_version_id": module.version_id,
            "version": module.version,
            "cycle": row["cycle"],
            "completed_at": signed_at,
            "completed_on": day,
            "expires_on": expires_on,
            "score": score,
            "superseded_at": None,
        }
        if not first:  # the previous completion of this assignment is superseded now
            previous = next(c for c in reversed(self.cycles) if c[0] == index)
            previous[3]["superseded_at"] = signed_at
        self.cycles.append((index, passed, attestation, completion, person.full_name))
        row |= {
            "completed_on": day,
            "expires_on": expires_on,
            "last_score": score,
            "renewal_opens_on": renewal_opens_for(expires_on, module.window),
            "cycle": row["cycle"] + 1,
            "started_on": None,
        }
        self.completions += 1

    def flush(self) -> None:
        """Write this batch's rows (assignments, attempts, attestations, completions, certificates)."""
        assignment_ids = insert_returning(Assignment, self.assignments)
        for index, attempt in self.attempts:
            attempt["assignment_id"] = assignment_ids[index]
        attempt_ids = insert_returning(Attempt, [a for _, a in self.attempts])
        self.insert_answers(attempt_ids)
        for index, _, attestation, completion, _ in self.cycles:
            attestation["assignment_id"] = completion["assignment_id"] = assignment_ids[index]
        attestation_ids = insert_returning(Attestation, [c[2] for c in self.cycles])
        for (_, attempt, _, completion, _), attestation_id in zip(
            self.cycles, attestation_ids, strict=True
        ):
            completion["attempt_id"] = attempt_ids[attempt] if attempt is not None else None
            completion["attestation_id"] = attestation_id
        completion_ids = insert_returning(Completion, [c[3] for c in self.cycles])
        if self.has_certificates:
            self.insert_certificates(completion_ids)
        self.note_events(assignment_ids, completion_ids)
        self._reset()

    def insert_answers(self, attempt_ids: list[int]) -> None:
        """Write the submitted attempts' answers and picks for item analysis, in bulk."""
        answers: list[dict[str, Any]] = []
        picks: list[dict[str, Any]] = []
        for (_, attempt), attempt_id in zip(self.attempts, attempt_ids, strict=True):
            if attempt["results"] is not None:
                rows = answer_rows(
                    attempt_id, attempt["module_version_id"], attempt["answers"], attempt["results"]
                )
                answers.extend(rows[0])
                picks.extend(rows[1])
        insert_answer_rows(answers, picks)

    def insert_certificates(self, completion_ids: list[int]) -> None:
        rows = [
            {
                "completion_id": cid,
                "user_id": completion["user_id"],
                "holder_name": holder,
                "issued_at": completion["completed_at"],
                "code": base64.b32encode(self.rng.randbytes(10)).translate(TO_CROCKFORD).decode(),
            }
            for (_, _, _, completion, holder), cid in zip(self.cycles, completion_ids, strict=True)
        ]
        insert_rows(models.Certificate.__table__, rows)

    def note_events(self, assignment_ids: list[int], completion_ids: list[int]) -> None:
        """Keep this batch's audit events, to be written in time order once all batches are in."""
        created: dict[tuple[int, datetime], list[int]] = {}
        for owner, assignment_id in zip(self.owners, assignment_ids, strict=True):
            created.setdefault(owner, []).append(assignment_id)
        for (user_id, when), ids in created.items():
            self._events.append((when, "assignment.created", None, user_id, (tuple(ids),)))
        for row, assignment_id in zip(self.assignments, assignment_ids, strict=True):
            if row["exempt_at"]:
                self._events.append(
                    (
                        row["exempt_at"],
                        "exemption.granted",
                        self.hr_id,
                        row["user_id"],
                        (assignment_id, row["module_id"], row["exempt_reason"]),
                    )
                )
            if row["closed_on"]:
                when = datetime.combine(row["closed_on"], time(7), tzinfo=UTC)
                self._events.append(
                    (when, "assignment.closed", None, row["user_id"], (assignment_id,))
                )
        for (index, _, _, completion, _), completion_id in zip(
            self.cycles, completion_ids, strict=True
        ):
            self._events.append(
                (
                    completion["completed_at"],
                    "completion.recorded",
                    completion["user_id"],
                    completion["user_id"],
                    (
                        completion_id,
                        assignment_ids[index],
                        self.assignments[index]["module_id"],
                        completion["cycle"],
                        completion["expires_on"],
                    ),
                )
            )

    def events(self) -> Iterator[dict[str, Any]]:
        """Yield the history's audit events in time order, in the shape of `record_event`."""
        slugs = {m.id: m.slug for m in self.modules.values()}
        self._events.sort(key=lambda e: e[0])
        for when, action, actor_id, user_id, data in self._events:
            if action == "assignment.created":
                details = {"assignment_ids": list(data[0]), "count": len(data[0])}
            elif action == "exemption.granted":
                details = {"assignment_id": data[0], "module": slugs[data[1]], "reason": data[2]}
            elif action == "assignment.closed":
                details = {"assignment_id": data[0], "reason": "left the organisation"}
            else:
                cid, aid, mid, cycle, expires_on = data
                details = {
                    "completion_id": cid,
                    "assignment_id": aid,
                    "module": slugs[mid],
                    "cycle": cycle,
                    "expires_on": expires_on,
                }
            yield {
                "created_at": when,
                "action": action,
                "actor_id": actor_id,
                "user_id": user_id,
                "details": details,
            }
