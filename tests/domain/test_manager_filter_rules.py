"""The manager filter's rules: what HR's text means, and which match it names (lms.reports.rules)."""

import pytest

from lms.reports.rules import (
    Manager,
    ManagerQuery,
    choose_manager,
    manager_label,
    parse_manager_query,
)

MONA = Manager(1, "Mona Lee", "E1042", "mona@example.com")
LEEDS = Manager(2, "Mona Leeds", "E2001", None)
TWIN = Manager(3, "Mona Lee", "E3000", "mona.lee@example.com")
NO_IDS = Manager(4, "Sam Store", None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mona Lee", ManagerQuery("Mona Lee")),
        ("  Mona   Lee ", ManagerQuery("Mona Lee")),
        ("Mona Lee (E1042)", ManagerQuery("Mona Lee", "E1042")),
        ("Mona Lee(E1042)", ManagerQuery("Mona Lee", "E1042")),
        ("Mona Lee ( E1042 )", ManagerQuery("Mona Lee", "E1042")),
        ("(E1042)", ManagerQuery("", "E1042")),
        ("Mona Lee ()", ManagerQuery("Mona Lee ()")),
        ("Mona (Lee", ManagerQuery("Mona (Lee")),
        ("E1042", ManagerQuery("E1042")),
        ("mona@example.com", ManagerQuery("mona@example.com")),
    ],
)
def test_parse_manager_query(text, expected):
    assert parse_manager_query(text) == expected


@pytest.mark.parametrize(
    ("name", "employee_id", "email", "label"),
    [
        ("Mona Lee", "E1042", "mona@example.com", "Mona Lee (E1042)"),
        ("Mona Lee", None, "mona@example.com", "Mona Lee (mona@example.com)"),
        ("Mona Lee", None, None, "Mona Lee"),
    ],
)
def test_manager_label_tells_people_apart(name, employee_id, email, label):
    assert manager_label(name, employee_id, email) == label


def test_a_label_written_back_names_the_same_person():
    everyone = [MONA, LEEDS, TWIN]
    for manager in everyone:
        assert choose_manager(everyone, parse_manager_query(manager.label)) == manager


@pytest.mark.parametrize(
    ("matches", "text", "chosen"),
    [
        ([], "Mona", None),  # nobody
        ([LEEDS], "Mona", LEEDS),  # one match is meant, exact or not
        ([MONA, LEEDS], "Mona", None),  # part of two names
        ([MONA, LEEDS], "mona lee", MONA),  # the whole name of one
        ([MONA, LEEDS, TWIN], "Mona Lee", None),  # the whole name of two
        ([MONA, TWIN], "e3000", TWIN),  # an employee number, any case
        ([MONA, TWIN], "MONA@example.com", MONA),  # an email, any case
        ([MONA, TWIN], "Mona Lee (E1042)", MONA),  # a label written back
        ([MONA, TWIN], "Anyone (mona.lee@example.com)", TWIN),  # the identifier decides
        ([MONA, TWIN], "Mona Lee (E9999)", None),  # an identifier neither has
        ([NO_IDS, MONA], "Sam Store", NO_IDS),
    ],
)
def test_choose_manager(matches, text, chosen):
    assert choose_manager(matches, parse_manager_query(text)) == chosen
