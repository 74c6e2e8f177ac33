"""An organisation for the HR and manager tests, with one assignment in every status.

    hr (HR, Stores head's peer, no manager)
    mgr_a (Stores) ── lead_a (Stores) ── emp_a1, emp_a2 (Stores)
    mgr_b (Customer Service) ── emp_b1 (Customer Service)
    loner (Online, no manager)

Programs: onboarding (everyone) gives `dignity`; stores (Stores only) gives `honesty`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Assignment, Module, User
from lms.models.base import utctoday
from lms.people.operations import create_user
from tests.factories import PASSWORD, QUIZ, write_module, write_program


@pytest.fixture
def org_content(content_dir):
    write_module(
        content_dir,
        "honesty",
        title="Honesty in Every Answer",
        renew_every="2 years",
        window="60 days",
        attempts=3,
        questions_per_attempt=None,
        quiz=QUIZ[:1],
    )
    write_program(content_dir, "onboarding", modules=["dignity"])
    write_program(
        content_dir,
        "stores",
        title="Stores",
        modules=["honesty"],
        audience={"departments": ["Stores"]},
        due_days=14,
    )
    return content_dir


@dataclass
class Org:
    today: date
    hr: User
    mgr_a: User
    lead_a: User
    emp_a1: User
    emp_a2: User
    mgr_b: User
    emp_b1: User
    loner: User

    def assignment(self, user: User, slug: str) -> Assignment:
        return db.session.scalar(
            select(Assignment)
            .join(Module, Module.id == Assignment.module_id)
            .where(Assignment.user_id == user.id, Module.slug == slug)
        )

    @property
    def everyone(self) -> list[User]:
        return [
            self.hr,
            self.mgr_a,
            self.lead_a,
            self.emp_a1,
            self.emp_a2,
            self.mgr_b,
            self.emp_b1,
            self.loner,
        ]


def person(email: str, name: str, department: str | None, manager: str | None = None, **kw):
    started = utctoday() - timedelta(days=60)
    return create_user(
        email=email,
        full_name=name,
        department=department,
        manager_email=manager,
        password=PASSWORD,
        today=started,
        **kw,
    )


def set_dates(assignment: Assignment, today: date, **offsets: int | None) -> None:
    """Set date fields to `today` + N days (None clears them)."""
    for name, days in offsets.items():
        setattr(assignment, name, None if days is None else today + timedelta(days=days))


@pytest.fixture
def org(app, org_content, runner) -> Org:
    result = runner.invoke(args=["lms", "sync-content"])
    assert result.exit_code == 0, result.output
    today = utctoday()
    o = Org(
        today=today,
        hr=person("hr@example.com", "Hana Reyes", "People", is_hr=True, employee_id="H1"),
        mgr_a=person("sam@example.com", "Sam Okafor", "Stores", employee_id="A0"),
        lead_a=person("lee@example.com", "Lee Lead", "Stores", "sam@example.com"),
        emp_a1=person(
            "ada@example.com", "Ada Adeyemi", "Stores", "lee@example.com", employee_id="A1"
        ),
        emp_a2=person("ben@example.com", "Ben Brennan", "Stores", "lee@example.com"),
        mgr_b=person("priya@example.com", "Priya Nair", "Customer Service"),
        emp_b1=person("cleo@example.com", "Cleo Castillo", "Customer Service", "priya@example.com"),
        loner=person("lone@example.com", "Lou Loner", "Online"),
    )
    # lead_a: everything complete
    set_dates(
        o.assignment(o.lead_a, "dignity"),
        today,
        completed_on=-40,
        expires_on=300,
        renewal_opens_on=270,
    )
    set_dates(
        o.assignment(o.lead_a, "honesty"),
        today,
        completed_on=-40,
        expires_on=600,
        renewal_opens_on=540,
    )
    # emp_a1: dignity complete, honesty overdue (due 30 days ago, as created)
    set_dates(
        o.assignment(o.emp_a1, "dignity"),
        today,
        completed_on=-50,
        expires_on=290,
        renewal_opens_on=260,
    )
    # emp_a2: dignity exempt, honesty renewal open
    o.assignment(o.emp_a2, "dignity").exempt_reason = "On long-term leave"
    set_dates(
        o.assignment(o.emp_a2, "honesty"),
        today,
        completed_on=-700,
        expires_on=10,
        renewal_opens_on=-50,
    )
    # emp_b1: dignity expired
    set_dates(
        o.assignment(o.emp_b1, "dignity"),
        today,
        completed_on=-400,
        expires_on=-35,
        renewal_opens_on=-65,
    )
    # the rest: not yet due; mgr_a has started honesty
    for user in (o.hr, o.mgr_a, o.mgr_b, o.loner):
        set_dates(o.assignment(user, "dignity"), today, due_date=10)
    set_dates(o.assignment(o.mgr_a, "honesty"), today, due_date=10, started_on=-1)
    db.session.commit()
    return o


@pytest.fixture
def login(client, auth):
    """Sign in as a person of the organisation and return the client."""

    def as_user(user: User):
        auth.logout()
        response = auth.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return as_user
