"""The demo organisation: HR, four department heads, and employees under a management tree."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from lms.demo.bulk import insert_returning
from lms.models import User

ROLES = {
    "Stores": ["Sales Associate", "Cashier", "Store Supervisor"],
    "Customer Service": ["Contact Centre Agent", "Complaints Specialist"],
    "Online": ["Chat Agent", "Content Editor"],
    "Operations": ["Warehouse Operative", "Delivery Coordinator"],
}
# (department, email, name, role) of each department's head, in the order they are created.
HEADS = [
    ("Stores", "manager.stores@example.com", "Sam Okafor", "Store Manager"),
    ("Customer Service", "manager.service@example.com", "Priya Nair", "Service Manager"),
    ("Online", "manager.online@example.com", "Leila Haddad", "Online Manager"),
    ("Operations", "manager.operations@example.com", "Tom Brennan", "Operations Manager"),
]
# Employee n joins DEPARTMENT_CYCLE[n % 20]: 45% Stores, 25% Service, 15% Online, 15% Operations.
DEPARTMENT_CYCLE = [HEADS["SCOP".index(c)][0] for c in "SCOPSCSOPSCSSCSOPSCS"]
FIRST = [
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Ewa",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Mei",
    "Nadia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sanjay",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zofia",
]
LAST = [
    "Adeyemi",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Müller",
    "Nakamura",
    "O'Neill",
    "Patel",
    "Rossi",
    "Sato",
    "Tanaka",
    "Underwood",
    "Vargas",
    "Wójcik",
    "Yilmaz",
    "Zhang",
]
TEAM_SIZE = 12  # people per team leader
AREA_SIZE = 8  # teams per area manager
DIRECT_LIMIT = 15  # a department this small reports straight to its head


@dataclass
class Person:
    email: str
    full_name: str
    department: str
    role: str
    hire_date: date
    manager: int | None = None  # index in the people list
    is_hr: bool = False
    left_on: date | None = None
    pace: str = "prompt"  # prompt, late or laggard: how they tend to do their training
    history: bool = True
    depth: int = 0


def plan_people(employees: int, rng: random.Random, today: date) -> list[Person]:
    """Return HR, the four heads and the employees, each manager listed before their reports."""
    start = today - timedelta(days=730)
    people = [Person("hr@example.com", "Hana Reyes", "People", "HR Partner", start, is_hr=True)]
    heads = {}
    for department, email, name, role in HEADS:
        heads[department] = len(people)
        people.append(Person(email, name, department, role, start - timedelta(days=400)))
    members: dict[str, list[int]] = {department: [] for department, *_ in HEADS}
    for n in range(employees):
        department = DEPARTMENT_CYCLE[n % len(DEPARTMENT_CYCLE)]
        members[department].append(len(people))
        people.append(new_employee(n, department, rng, today))
    for department, indexes in members.items():
        arrange_team(people, heads[department], indexes)
    for person in people:
        person.depth = depth_of(people, person)
    order = sorted(range(len(people)), key=lambda i: (people[i].depth, i))
    position = {old: new for new, old in enumerate(order)}
    ordered = [people[i] for i in order]
    for person in ordered:
        if person.manager is not None:
            person.manager = position[person.manager]
    return ordered


def new_employee(n: int, department: str, rng: random.Random, today: date) -> Person:
    """Return employee `n`; the first is employee@example.com, hired five days ago, nothing done."""
    start = today - timedelta(days=730)
    if n == 0:
        return Person(
            "employee@example.com",
            "Erin Example",
            department,
            ROLES[department][0],
            today - timedelta(days=5),
            history=False,
        )
    if rng.random() < 0.6:  # here before the programs started
        hired = start - timedelta(days=rng.randrange(30, 3000))
    else:
        hired = start + timedelta(days=rng.randrange(0, 725))
    pace = rng.choices(["prompt", "late", "laggard"], weights=[78, 16, 6])[0]
    person = Person(
        f"employee{n + 1}@example.com",
        f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        department,
        rng.choice(ROLES[department]),
        hired,
        pace=pace,
    )
    if rng.random() < 0.015 and hired < today - timedelta(days=60):
        person.left_on = today - timedelta(days=rng.randrange(1, min(300, (today - hired).days)))
    return person


def depth_of(people: list[Person], person: Person) -> int:
    depth = 0
    while person.manager is not None:
        person, depth = people[person.manager], depth + 1
    return depth


def arrange_team(people: list[Person], head: int, members: list[int]) -> None:
    """Give a department's members their managers: the head, team leaders and area managers."""
    for index in members:
        people[index].manager = head
    if len(members) <= DIRECT_LIMIT:
        return
    teams = [members[i : i + TEAM_SIZE] for i in range(0, len(members), TEAM_SIZE)]
    leads = []
    for team in teams:
        # The last of each team leads it, so employee@example.com (first) stays a plain employee.
        lead = team[-1]
        leads.append(lead)
        people[lead].role = "Team Leader"
        people[lead].left_on = None
        for index in team[:-1]:
            people[index].manager = lead
    if len(teams) <= AREA_SIZE:
        return
    for i in range(0, len(leads), AREA_SIZE):
        group = leads[i : i + AREA_SIZE]
        area = group[-1]
        people[area].role = "Area Manager"
        for lead in group[:-1]:
            people[lead].manager = area


def insert_people(people: list[Person], password_hash: str) -> list[int]:
    """Insert everyone, managers first, and return their ids in list order."""
    ids: list[int] = []
    depth = 0
    while len(ids) < len(people):
        level = [i for i in range(len(ids), len(people)) if people[i].depth == depth]
        rows = [
            {
                "email": p.email,
                "full_name": p.full_name,
                "employee_id": f"E{i + 1:05d}",
                "department": p.department,
                "role": p.role,
                "hire_date": p.hire_date,
                "manager_id": ids[p.manager] if p.manager is not None else None,
                "is_hr": p.is_hr,
                "is_active": p.left_on is None,
                "password_hash": password_hash,
            }
            for i, p in ((i, people[i]) for i in level)
        ]
        ids += insert_returning(User, rows)
        depth += 1
    return ids
