"""What an import would change, and which rows it refuses: `lms.imports.plan`, no database."""

from datetime import date

import pytest

from lms.imports.csvfile import parse_csv
from lms.imports.plan import NEW, TERMINATED, UNCHANGED, UPDATED, Person, plan_import
from lms.imports.rules import email_change_problem, email_owner_problem
from tests.hr.importing import HEADER, csv_bytes, row


def person(id, employee_id, email, manager_id=None, **fields):  # noqa: A002 - mirrors User.id
    values = {
        "full_name": "Ana Lima",
        "department": "Stores",
        "role": "Cashier",
        "hire_date": date(2026, 3, 2),
        "is_active": True,
    } | fields
    return Person(id=id, employee_id=employee_id, email=email, manager_id=manager_id, **values)


def plan(*lines, people=(), header=HEADER):
    return plan_import(parse_csv(csv_bytes(*lines, header=header)), people)


def errors(result) -> list[str]:
    return [str(e) for e in result.errors]


def kinds(result) -> list[tuple[int, str]]:
    return [(c.row.line, c.kind) for c in result.changes]


ANA = person(1, "E1", "ana@example.com")


@pytest.mark.parametrize(
    ("line", "kind", "fields"),
    [
        (row(), UNCHANGED, {}),
        (row(department="Online"), UPDATED, {"department": ("Stores", "Online")}),
        (
            row(email="ana.lima@example.com"),
            UPDATED,
            {"email": ("ana@example.com", "ana.lima@example.com")},
        ),
        (row(full_name="Ana  Lima Souza"), UPDATED, {"full_name": ("Ana Lima", "Ana Lima Souza")}),
        (row(role=""), UPDATED, {"role": ("Cashier", None)}),
        (row(hire_date="2026-03-01"), UPDATED, {"hire_date": (date(2026, 3, 2), date(2026, 3, 1))}),
        (row() + ",terminated", TERMINATED, {"status": ("active", "terminated")}),
        (
            row(role="Lead") + ",terminated",
            TERMINATED,
            {"role": ("Cashier", "Lead"), "status": ("active", "terminated")},
        ),
    ],
)
def test_a_row_for_someone_here_updates_them_by_employee_id(line, kind, fields):
    header = HEADER + ",status" if line.count(",") == 7 else HEADER
    result = plan(line, people=[ANA], header=header)
    assert errors(result) == []
    (change,) = result.changes
    assert (change.kind, change.fields, change.person) == (kind, fields, ANA)


def test_new_employee_ids_are_new_people_and_counts_add_up():
    result = plan(
        row(),
        row("E2", "ben@example.com"),
        row("E3", "cy@example.com", department="Online"),
        people=[ANA],
    )
    assert kinds(result) == [(2, UNCHANGED), (3, NEW), (4, NEW)]
    assert result.counts == {"new": 2, "updated": 0, "terminated": 0, "unchanged": 1, "errors": 0}
    assert result.rows == 3


def test_terminated_people_stay_unchanged_unless_they_come_back():
    gone = person(1, "E1", "ana@example.com", is_active=False)
    header = HEADER + ",status"
    assert kinds(plan(row() + ",terminated", people=[gone], header=header)) == [(2, UNCHANGED)]
    back = plan(row() + ",active", people=[gone], header=header)
    assert kinds(back) == [(2, UPDATED)]
    assert back.changes[0].fields == {"status": ("terminated", "active")}


def test_a_leaver_not_yet_in_attest_is_recorded_as_terminated():
    result = plan(row() + ",terminated", header=HEADER + ",status")
    assert kinds(result) == [(2, TERMINATED)] and result.changes[0].person is None


def test_someone_added_by_hand_is_not_matched_by_email_until_given_their_employee_id():
    hana = person(7, None, "ana@example.com")
    assert plan(row(), people=[hana]).changes == []
    linked = person(7, "E1", "ana@example.com")  # after `flask lms set-employee-id`
    result = plan(row(), people=[linked])
    assert kinds(result) == [(2, UNCHANGED)] and result.changes[0].person == linked


def test_a_duplicate_employee_id_refuses_every_copy():
    result = plan(row(), row("E2", "ben@example.com"), row("E1", "cy@example.com"))
    assert errors(result) == [
        "line 2: employee_id: E1 is also on line 4",
        "line 4: employee_id: E1 is also on line 2",
    ]
    assert kinds(result) == [(3, NEW)]


def test_a_duplicate_email_in_the_file_refuses_every_copy():
    result = plan(row(), row("E2", "ANA@example.com"))
    assert errors(result) == [
        "line 2: email: ana@example.com is also on line 3",
        "line 3: email: ana@example.com is also on line 2",
    ]
    assert result.changes == []


def test_an_email_that_belongs_to_someone_else_here_is_refused():
    ben = person(2, "E2", "ben@example.com", full_name="Ben Okafor")
    result = plan(row(email="ben@example.com"), people=[ben])
    assert errors(result) == [
        "line 2: email: ben@example.com already belongs to Ben Okafor (employee_id E2)"
    ]


def test_two_people_may_swap_emails_in_one_file():
    ben = person(2, "E2", "ben@example.com")
    result = plan(row(email="ben@example.com"), row("E2", "ana@example.com"), people=[ANA, ben])
    assert errors(result) == []
    assert kinds(result) == [(2, UPDATED), (3, UPDATED)]


def test_managers_resolve_by_email_in_the_file_in_any_order_or_already_here():
    boss = person(9, "E9", "boss@example.com")
    result = plan(
        row("E1", "ana@example.com", manager_email="ben@example.com"),
        row("E2", "ben@example.com", manager_email="boss@example.com"),
        row("E3", "cy@example.com"),
        people=[boss],
    )
    assert errors(result) == []
    assert [c.manager_key for c in result.changes] == ["new:E2", 9, None]


def test_a_manager_change_is_an_update():
    boss, other = person(8, "E8", "boss@example.com"), person(9, "E9", "other@example.com")
    ana = person(1, "E1", "ana@example.com", manager_id=8)
    result = plan(row(manager_email="other@example.com"), people=[boss, other, ana])
    assert result.changes[0].fields == {"manager_email": ("boss@example.com", "other@example.com")}
    assert result.changes[0].manager_key == 9


@pytest.mark.parametrize(
    ("lines", "people", "expected"),
    [
        (
            [row(manager_email="nobody@example.com")],
            [],
            [
                "line 2: manager_email: unknown manager nobody@example.com: no one in the file or in Attest has that email"
            ],
        ),
        (
            [row(manager_email="ana@example.com")],
            [],
            ["line 2: manager_email: a person cannot be their own manager"],
        ),
        (
            [
                row("E1", "ana@example.com", manager_email="ben@example.com"),
                row("E2", "ben@example.com", manager_email="ana@example.com"),
            ],
            [],
            [
                "line 2: manager_email: manager cycle: ana@example.com → ben@example.com → ana@example.com",
                "line 3: manager_email: manager cycle: ana@example.com → ben@example.com → ana@example.com",
            ],
        ),
        (
            # a loop through someone already here: Ana manages Cy (in Attest), the file makes Cy manage Ana
            [row("E1", "ana@example.com", manager_email="cy@example.com")],
            [person(1, "E1", "ana@example.com"), person(3, "E3", "cy@example.com", manager_id=1)],
            [
                "line 2: manager_email: manager cycle: ana@example.com → cy@example.com → ana@example.com"
            ],
        ),
        (
            # the manager's old email, which the file changes
            [
                row("E2", "ben@example.com", manager_email="boss@example.com"),
                row("E9", "chief@example.com", full_name="Boss"),
            ],
            [person(9, "E9", "boss@example.com")],
            [
                "line 2: manager_email: unknown manager boss@example.com: line 3 changes that email to chief@example.com"
            ],
        ),
    ],
)
def test_managers_that_cannot_be_resolved_are_refused(lines, people, expected):
    assert errors(plan(*lines, people=people)) == expected


def test_a_long_chain_of_managers_is_fine_and_a_long_loop_is_found():
    chain = [
        row(f"E{n}", f"p{n}@example.com", manager_email=f"p{n + 1}@example.com" if n < 500 else "")
        for n in range(1, 501)
    ]
    assert errors(plan(*chain)) == []
    loop = [*chain[:-1], row("E500", "p500@example.com", manager_email="p1@example.com")]
    assert len(plan(*loop).errors) == 500


def test_refusing_a_row_refuses_the_rows_that_depend_on_it():
    result = plan(
        row("E1", "boss@example.com", hire_date="yesterday"),
        row("E2", "ana@example.com", manager_email="boss@example.com"),
        row("E3", "ben@example.com", manager_email="ana@example.com"),
        row("E4", "cy@example.com"),
    )
    assert errors(result) == [
        "line 2: hire_date: 'yesterday' is not a date; use YYYY-MM-DD",
        "line 3: manager_email: manager boss@example.com is on line 2, which cannot be imported",
        "line 4: manager_email: manager ana@example.com is on line 3, which cannot be imported",
    ]
    assert kinds(result) == [(5, NEW)]
    assert result.counts["errors"] == 3


def test_refusing_a_row_can_leave_a_loop_with_someone_here_and_that_is_refused_too():
    # In Attest Ana reports to Ben. The file makes Ben report to Ana, and moves Ana under
    # Cy, but Ana's row is bad: without it, Ana still reports to Ben, a loop.
    here = [person(1, "E1", "ana@example.com", manager_id=2), person(2, "E2", "ben@example.com")]
    result = plan(
        row("E1", "ana@example.com", hire_date="soon", manager_email="cy@example.com"),
        row("E2", "ben@example.com", manager_email="ana@example.com"),
        row("E3", "cy@example.com"),
        people=here,
    )
    assert errors(result) == [
        "line 2: hire_date: 'soon' is not a date; use YYYY-MM-DD",
        "line 3: manager_email: manager cycle: ben@example.com → ana@example.com → ben@example.com",
    ]
    assert kinds(result) == [(4, NEW)]


def test_a_fatal_file_plans_nothing():
    result = plan(row() + ",x", header=HEADER + ",salary")
    assert result.is_fatal and result.changes == [] and len(result.errors) == 1


def test_the_digest_changes_when_what_would_happen_changes():
    first = plan(row(), row("E2", "ben@example.com"))
    assert first.digest() == plan(row(), row("E2", "ben@example.com")).digest()
    assert first.digest() != plan(row(), row("E2", "ben@example.com"), people=[ANA]).digest()
    assert first.digest() != plan(row(), row("E2", "ben@example.com", role="Lead")).digest()


def test_a_refused_row_gives_its_person_their_old_email_back_as_a_manager():
    # Ana's row would change her email, but it clashes with Ben's, so Ana keeps ana@ and Cy's
    # row, which names ana@ as manager, is fine.
    here = [ANA, person(2, "E2", "ben@example.com", full_name="Ben Okafor")]
    result = plan(
        row("E1", "ben@example.com"),
        row("E3", "cy@example.com", manager_email="ana@example.com"),
        people=here,
    )
    assert errors(result) == [
        "line 2: email: ben@example.com already belongs to Ben Okafor (employee_id E2)"
    ]
    assert [(c.row.line, c.kind, c.manager_key) for c in result.changes] == [(3, NEW, 1)]


def test_a_manager_whose_email_change_is_refused_keeps_their_old_email():
    here = [person(9, "E9", "boss@example.com")]
    result = plan(
        row("E9", "chief@example.com", hire_date="later"),
        row("E2", "ben@example.com", manager_email="boss@example.com"),
        people=here,
    )
    assert errors(result) == ["line 2: hire_date: 'later' is not a date; use YYYY-MM-DD"]
    assert [(c.row.line, c.manager_key) for c in result.changes] == [(3, 9)]


def test_a_refused_row_at_the_top_of_a_long_chain_refuses_the_chain_in_one_pass():
    chain = [
        row(f"E{n}", f"p{n}@example.com", manager_email=f"p{n + 1}@example.com")
        for n in range(1, 3000)
    ]
    chain.append(row("E3000", "p3000@example.com", hire_date="never"))
    result = plan(*chain)
    assert result.changes == [] and result.counts["errors"] == 3000
    assert errors(result)[0] == (
        "line 2: manager_email: manager p2@example.com is on line 3, which cannot be imported"
    )


# -- who an import may change (lms.imports.rules) --------------------------------------------

HANA = person(7, "H1", "hr@example.com", full_name="Hana Reyes", is_hr=True)
ROOT = person(8, None, "root@example.com", full_name="Rae Root", is_hr=True)
HAND = person(9, None, "hand@example.com", full_name="Hal Hand")


@pytest.mark.parametrize(
    ("is_hr", "old", "new", "refused"),
    [
        (False, "ana@example.com", "ana.lima@example.com", False),
        (False, "ana@example.com", "ana@example.com", False),
        (True, "hr@example.com", "hr@example.com", False),
        (True, "hr@example.com", "mallory@evil.example", True),
        # An empty email removes the address (someone without email): not an HR user's.
        (False, "ana@example.com", None, False),
        (False, None, "ana@example.com", False),
        (False, None, None, False),
        (True, "hr@example.com", None, True),
        (True, None, "mallory@evil.example", True),
        (True, None, None, False),
    ],
)
def test_only_an_hr_users_email_change_is_refused(is_hr, old, new, refused):
    problem = email_change_problem(is_hr=is_hr, old_email=old, new_email=new)
    assert (problem is not None) == refused
    if refused:
        assert (old or "this person") in problem and (new or "to none") in problem
        assert "HR user" in problem


@pytest.mark.parametrize(
    ("owner_employee_id", "row_employee_id", "expected"),
    [
        ("E5", "E1", "ana@example.com already belongs to Ana Lima (employee_id E5)"),
        (None, None, "ana@example.com already belongs to Ana Lima (no employee_id)"),
        (
            None,
            "E1",
            "ana@example.com already belongs to Ana Lima, who has no employee_id; an "
            "import never takes a person over by email. If this row is them, link them "
            "first with `flask lms set-employee-id ana@example.com E1`",
        ),
    ],
)
def test_an_email_someone_else_holds_is_refused_with_the_way_out(
    owner_employee_id, row_employee_id, expected
):
    assert (
        email_owner_problem(
            email="ana@example.com",
            owner_name="Ana Lima",
            owner_employee_id=owner_employee_id,
            row_employee_id=row_employee_id,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("line", "people", "expected"),
    [
        # an HR user's email cannot change, whoever they are matched as
        (
            row("H1", "mallory@evil.example", "Hana Reyes"),
            [HANA],
            "line 2: email: hr@example.com is an HR user: an import or the API cannot change an HR "
            "user's email (to mallory@evil.example); they change it themselves, signed in",
        ),
        # a made-up employee_id with the email of someone added by hand adopts no one
        (
            row("E666", "root@example.com", "Rae Root"),
            [ROOT],
            "line 2: email: root@example.com already belongs to Rae Root, who has no employee_id; "
            "an import never takes a person over by email. If this row is them, link them first "
            "with `flask lms set-employee-id root@example.com E666`",
        ),
        (
            row("E9", "hand@example.com", "Hal Hand"),
            [HAND],
            "line 2: email: hand@example.com already belongs to Hal Hand, who has no employee_id; "
            "an import never takes a person over by email. If this row is them, link them first "
            "with `flask lms set-employee-id hand@example.com E9`",
        ),
    ],
)
def test_rows_that_would_take_an_account_over_are_refused(line, people, expected):
    result = plan(line, people=people)
    assert errors(result) == [expected]
    assert result.changes == []


def test_an_hr_user_is_still_updated_by_an_import_that_keeps_their_email():
    result = plan(row("H1", "hr@example.com", "Hana Reyes", department="People"), people=[HANA])
    assert errors(result) == []
    (change,) = result.changes
    assert change.fields == {"department": ("Stores", "People")}


def test_changes_are_listed_by_kind():
    result = plan(row(), row("E2", "ben@example.com"), people=[ANA])
    assert [c.row.line for c in result.of_kind(NEW)] == [3]
    assert [c.row.line for c in result.of_kind(UNCHANGED)] == [2]
    assert result.of_kind(UPDATED) == []


def test_the_digest_changes_when_only_the_refused_rows_change():
    bad_date = plan(row(hire_date="soon"))
    assert bad_date.changes == []
    assert bad_date.digest() != plan(row(hire_date="later")).digest()


def test_a_plan_of_a_file_with_bytes_that_are_not_utf8_has_a_digest():
    data = csv_bytes(row() + ",1", header=HEADER + ",salário").decode().encode("latin-1")
    result = plan_import(parse_csv(data), [])
    # The header is not UTF-8: refused at its first bad byte (lms.imports.csvfile).
    assert result.is_fatal and "not UTF-8 (byte 0xE1)" in errors(result)[0]
    assert len(result.digest()) == 64


def test_a_lines_problems_are_listed_in_column_order():
    result = plan(row(hire_date="soon"), row(email="ben@example.com"))
    assert errors(result) == [
        "line 2: employee_id: E1 is also on line 3",
        "line 2: hire_date: 'soon' is not a date; use YYYY-MM-DD",
        "line 3: employee_id: E1 is also on line 2",
    ]


def test_a_value_on_three_lines_names_the_other_two_on_each():
    result = plan(row(), row(email="b@example.com"), row(email="c@example.com"))
    assert errors(result) == [
        "line 2: employee_id: E1 is also on line 3, 4",
        "line 3: employee_id: E1 is also on line 2, 4",
        "line 4: employee_id: E1 is also on line 2, 3",
    ]


def test_an_email_change_refused_for_another_reason_leaves_the_old_email_to_its_owner():
    # Boss's row changes boss@ to chief@ but names an unknown manager, so it is refused in the
    # same pass that finds Ben naming boss@: boss@ stays Boss's, and Ben's row is fine.
    here = [person(9, "E9", "boss@example.com")]
    result = plan(
        row("E9", "chief@example.com", manager_email="nobody@example.com"),
        row("E2", "ben@example.com", manager_email="boss@example.com"),
        people=here,
    )
    assert errors(result) == [
        "line 2: manager_email: unknown manager nobody@example.com: "
        "no one in the file or in Attest has that email"
    ]
    assert [(c.row.line, c.kind, c.manager_key) for c in result.changes] == [(3, NEW, 9)]


def test_refusing_a_row_refuses_only_the_rows_below_it():
    result = plan(
        row("E1", "ana@example.com", manager_email="nobody@example.com"),
        row("E2", "ben@example.com"),
        row("E3", "cy@example.com", manager_email="ben@example.com"),
        row("E4", "dee@example.com", manager_email="ana@example.com"),
    )
    assert [e.line for e in result.errors] == [2, 5]
    assert [(c.row.line, c.manager_key) for c in result.changes] == [(3, None), (4, "new:E2")]


def test_an_email_held_by_someone_without_an_employee_id_is_refused_naming_them():
    hana = person(7, None, "hana@example.com", full_name="Hana Lima")
    result = plan(row(email="hana@example.com"), people=[ANA, hana])
    assert errors(result) == [
        "line 2: email: hana@example.com already belongs to Hana Lima, who has no employee_id; "
        "an import never takes a person over by email. If this row is them, link them first "
        "with `flask lms set-employee-id hana@example.com E1`"
    ]


def test_a_row_whose_manager_is_in_a_loop_is_refused_but_not_as_part_of_it():
    result = plan(
        row("E1", "ana@example.com", manager_email="ben@example.com"),
        row("E2", "ben@example.com", manager_email="cy@example.com"),
        row("E3", "cy@example.com", manager_email="ben@example.com"),
    )
    assert errors(result) == [
        "line 2: manager_email: manager ben@example.com is on line 3, which cannot be imported",
        "line 3: manager_email: manager cycle: ben@example.com → cy@example.com → ben@example.com",
        "line 4: manager_email: manager cycle: ben@example.com → cy@example.com → ben@example.com",
    ]


def test_a_managers_new_email_is_not_a_new_manager():
    boss = person(9, "E9", "boss@example.com")
    ana = person(1, "E1", "ana@example.com", manager_id=9)
    result = plan(
        row(manager_email="chief@example.com"),
        row("E9", "chief@example.com"),
        people=[ana, boss],
    )
    assert errors(result) == []
    assert [(c.kind, c.fields) for c in result.changes] == [
        (UNCHANGED, {}),
        (UPDATED, {"email": ("boss@example.com", "chief@example.com")}),
    ]
