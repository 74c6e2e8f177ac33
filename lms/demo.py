"""A demo organisation with history, built deterministically from a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.models import Assignment, Attempt, Choice, ModuleVersion, User
from lms.passwords import hash_password
from lms.people import create_user
from lms.training import (
    current_version,
    cycle_attempts,
    progress_of,
    sign_attestation,
    start_attempt,
    submit_attempt,
)

PASSWORD = "attest-demo-password"  # noqa: S105 - printed for the demo logins on purpose
DEPARTMENTS = ["Stores", "Customer Service", "Online", "Operations"]
ROLES = {
    "Stores": ["Sales Associate", "Cashier", "Store Supervisor"],
    "Customer Service": ["Contact Centre Agent", "Complaints Specialist"],
    "Online": ["Chat Agent", "Content Editor"],
    "Operations": ["Warehouse Operative", "Delivery Coordinator"],
}
FIRST = ["Ada", "Ben", "Chloé", "Dev", "Ewa", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
         "Liam", "Mei", "Nadia", "Omar", "Pia", "Quinn", "Rosa", "Sanjay", "Tariq", "Uma",
         "Viktor", "Wen", "Yusuf", "Zofia"]  # fmt: skip
LAST = ["Adeyemi", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad",
        "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Müller", "Nakamura", "O'Neill", "Patel",
        "Rossi", "Sato", "Tanaka", "Underwood", "Vargas", "Wójcik", "Yilmaz", "Zhang"]  # fmt: skip


@dataclass
class DemoResult:
    password: str
    people: int = 0
    completions: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def load_demo(*, employees: int, seed: int, today: date) -> DemoResult:
    """Create HR, two managers and `employees` people with two years of training history."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    result = DemoResult(password=PASSWORD)
    password_hash = hash_password(PASSWORD)  # one hash for everyone: hashing is slow on purpose

    def person(email: str, name: str, **fields) -> User:
        user = create_user(email=email, full_name=name, **fields)
        user.password_hash = password_hash
        result.people += 1
        return user

    start = today - timedelta(days=730)
    hr = person("hr@example.com", "Hana Reyes", is_hr=True, employee_id="E0001", department="People",
                role="HR Partner", hire_date=start, today=start)  # fmt: skip
    managers = [
        person("manager.stores@example.com", "Sam Okafor", employee_id="E0002", department="Stores",
               role="Store Manager", hire_date=start, today=start),
        person("manager.service@example.com", "Priya Nair", employee_id="E0003",
               department="Customer Service", role="Service Manager", hire_date=start, today=start),
    ]  # fmt: skip
    result.logins += [
        ("HR", hr.email),
        ("manager", managers[0].email),
        ("manager", managers[1].email),
    ]
    people = [hr, *managers]
    for n in range(employees):
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        hired = (
            today - timedelta(days=5) if n == 0 else start + timedelta(days=rng.randrange(0, 720))
        )
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = "employee@example.com" if n == 0 else f"employee{n + 1}@example.com"
        people.append(
            person(email, "Erin Example" if n == 0 else name, employee_id=f"E{n + 4:04d}",
                   department=department, role=rng.choice(ROLES[department]), hire_date=hired,
                   manager_email=managers[n % 2].email, today=hired)
        )  # fmt: skip
    result.logins.append(("employee", "employee@example.com"))
    new_hire = people[3]  # left with everything to do, to show the first-day experience
    for user in people:
        if user is not new_hire:
            result.completions += add_history(user, today, rng)
    db.session.flush()
    return result


def add_history(user: User, today: date, rng: random.Random) -> int:
    """Complete (and renew) some of a person's assignments on plausible past days."""
    done = 0
    assignments = db.session.scalars(select(Assignment).where(Assignment.user_id == user.id)).all()
    for assignment in assignments:
        day = assignment.assigned_on + timedelta(days=rng.randrange(1, 45))
        while day < today and rng.random() < 0.85:
            version = current_version(assignment.module_id)
            complete_on_day(assignment, version, user, day, rng)
            done += 1
            if assignment.renewal_opens_on is None:
                break
            day = assignment.renewal_opens_on + timedelta(days=rng.randrange(0, 45))
    return done


def complete_on_day(
    assignment: Assignment, version: ModuleVersion, user: User, day: date, rng: random.Random
) -> None:
    """Take the quiz (sometimes failing first) and sign, as the employee would have that day."""
    now = datetime.combine(day, time(10, rng.randrange(60)), tzinfo=UTC)
    for try_number in range(2):
        progress = progress_of(assignment, version, cycle_attempts(assignment), day)
        if not version.has_quiz or progress.step == "sign":
            break
        attempt = start_attempt(progress, day, rng)
        answers = correct_answers(attempt) if try_number or rng.random() < 0.8 else {}
        submitted = {qid: [str(c) for c in ids] for qid, ids in answers.items()}
        for item in attempt.drawn:  # a wrong guess where no right answer was chosen
            submitted.setdefault(str(item["question_id"]), [str(item["choice_ids"][0])])
        submit_attempt(attempt, submitted, now=now)
    progress = progress_of(assignment, version, cycle_attempts(assignment), day)
    sign_attestation(progress, user, user.full_name, ip_address="192.0.2.10",
                     user_agent="Mozilla/5.0 (demo)", now=now)  # fmt: skip


def correct_answers(attempt: Attempt) -> dict[str, list[int]]:
    ids = [item["question_id"] for item in attempt.drawn]
    answers: dict[str, list[int]] = {}
    for question_id, choice_id in db.session.execute(
        select(Choice.question_id, Choice.id).where(Choice.question_id.in_(ids), Choice.is_correct)
    ):
        answers.setdefault(str(question_id), []).append(choice_id)
    return answers
