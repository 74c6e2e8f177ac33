"""The compliance summary equals a full recount, on any day, for HR and every manager."""

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text, update

from lms.compliance import queries
from lms.compliance.operations import adopt_big_teams, recount, verify_and_repair
from lms.extensions import db
from lms.models import Assignment, User
from lms.renewal.job import renew
from lms.reports.dashboard import dashboard as counted_dashboard
from lms.reports.filters import Filters
from lms.reports.scope import Scope
from tests.compliance.conftest import managers, recounted, summarised

# Days around today that cross due dates, windows and expiries of the fixture, and year ends.
OFFSETS = (-800, -400, -66, -65, -36, -35, -1, 0, 1, 9, 10, 11, 260, 270, 291, 301, 540, 601, 900)


def assert_matches(today) -> None:
    for offset in OFFSETS:
        day = today + timedelta(days=offset)
        for scope in [None, *managers()]:
            assert summarised(day, scope) == recounted(day, scope), (offset, scope)


@pytest.fixture(autouse=True)
def every_manager_summarised(org):
    """The fixture's teams are small: give every manager figures of their own."""
    recount(team_size=1)
    db.session.commit()


def test_the_summary_matches_a_recount_on_every_day(org):
    assert recounted(org.today)  # the fixture has something to count
    assert_matches(org.today)
    assert not verify_and_repair().repaired


def test_transfers_terminations_and_a_new_manager_move_the_counts(org):
    org.emp_a1.department = "Online"
    org.emp_b1.is_active = False
    org.lead_a.manager_id = org.mgr_b.id  # lead_a and their team move to mgr_b
    db.session.commit()
    assert_matches(org.today)
    org.emp_b1.is_active = True
    org.lead_a.manager_id = None
    db.session.commit()
    assert_matches(org.today)
    assert not verify_and_repair().repaired


def test_bulk_updates_move_the_counts(org):
    db.session.execute(update(Assignment).values(completed_on=None, expires_on=None))
    db.session.execute(update(User).where(User.department == "Stores").values(department="Shop"))
    db.session.commit()
    assert_matches(org.today)
    db.session.execute(update(Assignment).values(closed_on=org.today))
    db.session.commit()
    assert summarised(org.today) == {}
    assert not verify_and_repair().repaired


def test_people_added_in_one_statement_get_every_manager_above_them(org):
    """One INSERT of a chain of new people, each listed before their own new manager."""
    first = db.session.scalar(select(func.max(User.id))) + 1
    chain = [  # (id, manager): first under mgr_a, who is under nobody; then one under the next
        (first + 2, first + 1),
        (first + 1, first),
        (first, org.mgr_a.id),
    ]
    db.session.execute(
        insert(User).values(
            [
                {
                    "id": id_,
                    "email": f"new{id_}@example.com",
                    "full_name": f"New {id_}",
                    "employee_id": f"N{id_}",
                    "department": "Stores",
                    "manager_id": manager,
                }
                for id_, manager in chain
            ]
        )
    )
    db.session.commit()
    scopes = (
        db.session.execute(
            text("SELECT scope_id FROM compliance_scopes WHERE user_id = :id ORDER BY scope_id"),
            {"id": first + 2},
        )
        .scalars()
        .all()
    )
    assert scopes == sorted([0, org.mgr_a.id, first, first + 1])
    verified = verify_and_repair()
    assert not verified.repaired and verified.scopes_differing == 0


def test_a_rolled_back_completion_leaves_the_summary_as_it_was(org):
    before = summarised(org.today)
    assignment = org.assignment(org.hr, "dignity")
    assignment.completed_on = org.today
    db.session.flush()
    assert summarised(org.today) != before  # moved within the transaction
    db.session.rollback()
    assert summarised(org.today) == before == recounted(org.today)


def test_verify_repairs_a_tampered_summary_and_says_what_differed(org):
    db.session.execute(text("UPDATE compliance_counts SET n = n + 5 WHERE kind = 'x'"))
    db.session.execute(text("DELETE FROM compliance_scopes WHERE scope_id <> 0"))
    db.session.commit()
    assert summarised(org.today) != recounted(org.today)
    result = verify_and_repair()
    db.session.commit()
    assert result.repaired
    assert (
        result.counts_differing > 0 and result.scopes_differing == 6
    )  # 2 + 2 above emp_a1 and emp_a2, 1 each above lead_a and emp_b1
    assert any("kind x" in line for line in result.lines())
    assert_matches(org.today)
    assert not verify_and_repair().repaired


def test_verify_summary_command_exits_1_after_a_repair_and_0_when_all_matches(org, runner):
    db.session.execute(text("DELETE FROM compliance_counts WHERE level = 'd'"))
    db.session.commit()
    result = runner.invoke(args=["lms", "verify-summary"])
    assert result.exit_code == 1, result.output
    assert "differed from a full recount; repaired" in result.output
    assert "level d" in result.output
    assert_matches(org.today)
    result = runner.invoke(args=["lms", "verify-summary"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "compliance summary: matches a full recount"


@pytest.mark.parametrize("sample", [1, 2, 1000])
@pytest.mark.parametrize("limit", [1, 2, 10])
def test_the_dashboard_from_the_summary_is_the_dashboard_counted(org, monkeypatch, sample, limit):
    monkeypatch.setattr(queries, "OVERDUE_SAMPLE", sample)
    # Two more people overdue since the same day as emp_a1, with more overdue: ties broken by count.
    for user in (org.mgr_a, org.loner):
        for slug in ("dignity", "honesty"):
            if (a := org.assignment(user, slug)) is not None:
                a.due_date, a.started_on = org.today - timedelta(days=16), None
    db.session.commit()
    for offset in (-30, 0, 20, 400):
        f = Filters(as_of=org.today + timedelta(days=offset))
        for scope in [Scope(), *(Scope(manager_id=m) for m in managers())]:
            assert queries.dashboard(scope, f, limit) == counted_dashboard(scope, f, limit)
        for department in ("Stores", "-", "Online"):
            narrowed = Filters(as_of=f.as_of, department=department, module="honesty")
            assert queries.dashboard(Scope(), narrowed, limit) == counted_dashboard(
                Scope(), narrowed, limit
            )


def test_renew_gives_a_grown_team_figures_of_its_own(org):
    recount(team_size=3)  # mgr_a (3 people below) only
    db.session.commit()
    assert managers() == [org.mgr_a.id]
    assert adopt_big_teams(team_size=1) == 2  # lead_a and mgr_b
    db.session.commit()
    assert managers() == sorted([org.mgr_a.id, org.lead_a.id, org.mgr_b.id])
    assert_matches(org.today)
    assert not verify_and_repair().repaired
    recount(team_size=3)
    db.session.commit()
    renew(org.today)  # with the standard size, nobody new
    assert managers() == [org.mgr_a.id]
