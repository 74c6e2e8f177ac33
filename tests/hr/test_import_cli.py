"""`flask lms import-hires FILE.csv [--partial]`: upsert employees, assign programs, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.audit import first_broken_link
from lms.extensions import db
from lms.models import Assignment, AuditEvent, Module, User
from lms.models.base import utctoday
from tests.factories import make_employee, write_module, write_program
from tests.hr.importing import HEADER, csv_bytes, row

TODAY = utctoday()


@pytest.fixture
def service_program(content_dir):
    """A second program, for Customer Service only, so that transfers change assignments."""
    write_module(
        content_dir,
        "complaints",
        title="Handling Complaints",
        quiz=None,
        questions_per_attempt=None,
    )
    write_program(
        content_dir,
        "service",
        title="Service",
        modules=["complaints"],
        audience={"departments": ["Customer Service"]},
        due_days=14,
    )


def run_import(runner, tmp_path, data: bytes, *options: str):
    path = tmp_path / "hires.csv"
    path.write_bytes(data)
    return runner.invoke(args=["lms", "import-hires", str(path), *options])


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def assignments_of(person: User) -> dict[str, Assignment]:
    rows = db.session.execute(
        select(Module.slug, Assignment).join(Module).where(Assignment.user_id == person.id)
    )
    return {slug: assignment for slug, assignment in rows}


def snapshot() -> dict[str, list]:
    """Every row of every table, to show that a refused import changed nothing at all."""
    db.session.expire_all()
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
    }


def test_import_adds_people_with_managers_and_training_due_from_hire_date(runner, tmp_path, synced):
    hired = TODAY - timedelta(days=3)
    data = csv_bytes(
        row(
            "E1",
            "ana@example.com",
            "Ana Lima",
            hire_date=str(hired),
            manager_email="boss@example.com",
        ),
        row("E2", "boss@example.com", "Bea Boss", role="Store Manager", hire_date="2020-01-06"),
    )
    result = run_import(runner, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "imported: 2 new, 0 updated, 0 terminated, 0 unchanged" in result.output
    ana, boss = user("ana@example.com"), user("boss@example.com")
    assert (ana.full_name, ana.employee_id, ana.department, ana.role) == (
        "Ana Lima",
        "E1",
        "Stores",
        "Cashier",
    )
    assert ana.hire_date == hired and ana.manager_id == boss.id and boss.manager_id is None
    assert ana.is_active and ana.password_hash is None and not ana.is_hr
    assert assignments_of(ana)["dignity"].due_date == hired + timedelta(days=30)
    assert assignments_of(boss)["dignity"].due_date == TODAY + timedelta(days=30)  # long-standing


def test_a_manager_may_be_someone_already_here_who_is_not_in_the_file(runner, tmp_path, synced):
    boss = make_employee(email="boss@example.com", full_name="Bea Boss")
    result = run_import(runner, tmp_path, csv_bytes(row(manager_email="Boss@Example.com")))
    assert result.exit_code == 0, result.output
    assert user("ana@example.com").manager_id == boss.id


def test_a_chain_of_new_managers_listed_bottom_up_is_linked_right(runner, tmp_path, synced):
    boss = make_employee(email="boss@example.com", full_name="Bea Boss")
    chain = [
        row(f"E{n}", f"p{n}@example.com", manager_email=f"p{n + 1}@example.com")
        for n in range(1, 6)
    ]
    chain[-1] = row("E5", "p5@example.com", manager_email="boss@example.com")
    result = run_import(runner, tmp_path, csv_bytes(*chain))
    assert result.exit_code == 0, result.output
    for n in range(1, 5):
        assert user(f"p{n}@example.com").manager_id == user(f"p{n + 1}@example.com").id
    assert user("p5@example.com").manager_id == boss.id


def test_managers_of_people_already_here_can_change(runner, tmp_path, synced):
    assert (
        run_import(
            runner, tmp_path, csv_bytes(row("E1", "ana@example.com"), row("E2", "ben@example.com"))
        ).exit_code
        == 0
    )
    result = run_import(
        runner,
        tmp_path,
        csv_bytes(
            row("E1", "ana@example.com", manager_email="cy@example.com"),
            row("E2", "ben@example.com", manager_email="ana@example.com"),
            row("E3", "cy@example.com"),
        ),
    )
    assert result.exit_code == 0, result.output
    assert "1 new, 2 updated" in result.output
    assert user("ana@example.com").manager_id == user("cy@example.com").id
    assert user("ben@example.com").manager_id == user("ana@example.com").id
    undo = run_import(runner, tmp_path, csv_bytes(row("E2", "ben@example.com")))
    assert undo.exit_code == 0
    db.session.expire_all()
    assert user("ben@example.com").manager_id is None


def test_importing_the_same_file_again_changes_nobody(runner, tmp_path, synced):
    data = csv_bytes(row(), row("E2", "ben@example.com", manager_email="ana@example.com"))
    assert run_import(runner, tmp_path, data).exit_code == 0
    before = snapshot()
    again = run_import(runner, tmp_path, data)
    assert again.exit_code == 0, again.output
    assert "imported: 0 new, 0 updated, 0 terminated, 2 unchanged" in again.output
    after = snapshot()
    # Only the trail grows, by the one event that records the import itself.
    assert len(after.pop("audit_events")) == len(before.pop("audit_events")) + 1
    assert after == before


def test_any_bad_row_imports_nothing_and_lists_every_problem(runner, tmp_path, synced):
    make_employee(email="erin@example.com", employee_id="E9")
    before = snapshot()
    data = csv_bytes(
        row("E1", "ana@example.com"),
        row("E2", "ben@example.com", hire_date="2026-02-30"),
        row("E3", "erin@example.com"),
        row("E4", "cy@example.com", manager_email="ghost@example.com"),
        row("E1", "dee@example.com"),
    )
    result = run_import(runner, tmp_path, data)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "line 2: employee_id: E1 is also on line 6",
        "line 3: hire_date: 2026-02-30 is not a real date",
        "line 4: email: erin@example.com already belongs to Erin Example (employee_id E9)",
        "line 5: manager_email: unknown manager ghost@example.com: no one in the file or in Attest has that email",
        "line 6: employee_id: E1 is also on line 2",
        "5 row(s) with problems (--partial imports the good rows): nothing was imported",
    ]
    assert snapshot() == before


def test_partial_imports_exactly_the_good_rows_and_lists_the_rest(runner, tmp_path, synced):
    data = csv_bytes(
        row("E1", "ana@example.com"),
        row("E2", "ben@example.com", hire_date="02/03/2026"),
        row("E3", "cy@example.com", manager_email="ben@example.com"),
        row("E4", "dee@example.com", manager_email="ana@example.com"),
    )
    result = run_import(runner, tmp_path, data, "--partial")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "line 3: hire_date: '02/03/2026' is not a date; use YYYY-MM-DD",
        "line 4: manager_email: manager ben@example.com is on line 3, which cannot be imported",
        "imported: 2 new, 0 updated, 0 terminated, 0 unchanged",
        "2 row(s) with problems were not imported",
    ]
    emails = set(db.session.scalars(select(User.email)))
    assert emails == {"ana@example.com", "dee@example.com"}
    assert user("dee@example.com").manager_id == user("ana@example.com").id


def test_a_file_that_cannot_be_read_is_refused_even_with_partial(runner, tmp_path, synced):
    result = run_import(
        runner, tmp_path, csv_bytes(row() + ",1", header=HEADER + ",salary"), "--partial"
    )
    assert result.exit_code == 1
    assert "line 1: salary: unknown column" in result.output
    assert "the file cannot be read as an employee export: nothing was imported" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_an_empty_or_non_utf8_file_is_reported(runner, tmp_path, synced):
    empty = run_import(runner, tmp_path, b"")
    assert empty.exit_code == 1 and "line 1: file: the file is empty" in empty.output
    latin1 = csv_bytes(row(full_name="Zoë Brandão")).decode().encode("latin-1")
    bad = run_import(runner, tmp_path, latin1)
    assert bad.exit_code == 1 and "line 2: full_name: not UTF-8 (byte 0xEB)" in bad.output


def test_import_reads_standard_input(runner, synced):
    result = runner.invoke(args=["lms", "import-hires", "-"], input=csv_bytes(row()))
    assert result.exit_code == 0, result.output
    assert user("ana@example.com").employee_id == "E1"


def test_a_transfer_closes_training_of_the_old_audience_and_gives_the_new_due_from_today(
    runner, tmp_path, service_program, synced
):
    hired = TODAY - timedelta(days=10)
    assert run_import(runner, tmp_path, csv_bytes(row(hire_date=str(hired)))).exit_code == 0
    ana = user("ana@example.com")
    assert set(assignments_of(ana)) == {"dignity"}
    moved = run_import(
        runner, tmp_path, csv_bytes(row(department="Customer Service", hire_date=str(hired)))
    )
    assert moved.exit_code == 0 and "1 updated" in moved.output
    db.session.expire_all()
    assert ana.department_changed_on == TODAY
    current = assignments_of(ana)
    # Due 14 days from the transfer, not from the hire date (which would be 4 days from now).
    assert current["complaints"].due_date == TODAY + timedelta(days=14)
    assert current["dignity"].closed_on is None and current[
        "dignity"
    ].due_date == hired + timedelta(days=30)
    back = run_import(runner, tmp_path, csv_bytes(row(department="Stores", hire_date=str(hired))))
    assert back.exit_code == 0
    db.session.expire_all()
    assert (
        assignments_of(ana)["complaints"].closed_on == TODAY
    )  # kept, with its history, but closed


def test_a_terminated_employee_is_signed_out_cannot_sign_in_and_keeps_their_records(
    runner, tmp_path, client, auth, synced
):
    erin = make_employee(employee_id="E7", hire_date=TODAY)
    assert auth.login().status_code == 302
    assert client.get("/").status_code == 200
    data = csv_bytes(
        row("E7", "erin@example.com", "Erin Example", role="Sales Associate", hire_date=str(TODAY))
        + ",terminated",
        header=HEADER + ",status",
    )
    result = run_import(runner, tmp_path, data)
    assert result.exit_code == 0 and "1 terminated" in result.output
    assert client.get("/").status_code == 302  # the session ended with the import
    assert auth.login().status_code == 401
    db.session.expire_all()
    assert not erin.is_active
    dignity = assignments_of(erin)["dignity"]
    assert dignity.closed_on == TODAY  # no longer counted, but still there


@pytest.mark.parametrize(
    "moves",
    [
        [("E1", "ben@example.com"), ("E2", "ana@example.com")],  # a swap
        [("E1", "ben@example.com"), ("E2", "cy@example.com")],  # a chain: Ben's goes to Ana
        [("E2", "cy@example.com"), ("E1", "ben@example.com")],
        [("E1", "ben@example.com"), ("E2", "cy@example.com"), ("E3", "ana@example.com")],  # new Ana
    ],
)
def test_emails_can_move_between_people_in_one_import(runner, tmp_path, synced, moves):
    data = csv_bytes(row("E1", "ana@example.com"), row("E2", "ben@example.com"))
    assert run_import(runner, tmp_path, data).exit_code == 0
    ids = {u.employee_id: u.id for u in db.session.scalars(select(User))}
    result = run_import(runner, tmp_path, csv_bytes(*[row(e, email) for e, email in moves]))
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    for employee_id, email in moves:
        assert user(email).employee_id == employee_id
        assert user(email).id == ids.get(employee_id, user(email).id)


def test_a_loop_of_managers_through_people_already_here_is_refused(runner, tmp_path, synced):
    data = csv_bytes(
        row("E1", "ana@example.com"), row("E2", "ben@example.com", manager_email="ana@example.com")
    )
    assert run_import(runner, tmp_path, data).exit_code == 0
    before = snapshot()
    result = run_import(
        runner, tmp_path, csv_bytes(row("E1", "ana@example.com", manager_email="ben@example.com"))
    )
    assert result.exit_code == 1
    assert (
        "line 2: manager_email: manager cycle: ana@example.com → ben@example.com → ana@example.com"
        in result.output
    )
    assert snapshot() == before


def test_the_import_and_each_person_changed_are_in_the_audit_trail(runner, tmp_path, synced):
    data = csv_bytes(row("E1", "ana@example.com"), row("E2", "ben@example.com"))
    assert run_import(runner, tmp_path, data).exit_code == 0
    changed = csv_bytes(row("E1", "ana@example.com", role="Lead"), row("E2", "ben@example.com"))
    assert run_import(runner, tmp_path, changed).exit_code == 0
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    ana = user("ana@example.com")
    mine = [(e.action, e.user_id) for e in events if e.action.startswith(("person.", "import."))]
    assert mine == [
        ("person.created", ana.id),
        ("person.created", user("ben@example.com").id),
        ("import.applied", None),
        ("person.updated", ana.id),
        ("import.applied", None),
    ]
    update = next(e for e in events if e.action == "person.updated")
    assert (
        update.details["changes"] == {"role": ["Cashier", "Lead"]} and update.details["line"] == 2
    )
    summary = events[-1]
    assert summary.actor_id is None
    assert summary.details | {"filename": "hires.csv"} == summary.details
    assert (summary.details["new"], summary.details["updated"], summary.details["unchanged"]) == (
        0,
        1,
        1,
    )
    assert summary.details["source"] == "cli"
    assert first_broken_link() is None
