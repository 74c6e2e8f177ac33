"""The report's manager filter: a manager found by name, email or employee number, never a list of all."""

import re

import pytest
from markupsafe import escape

from lms.extensions import db
from tests.hr.test_reports import people_in

STORES_TEAM = ["Ada Adeyemi", "Ben Brennan", "Lee Lead"]


@pytest.mark.parametrize(
    "text",
    [
        "Okafor",  # part of a name
        "sam okafor",  # a whole name, any case
        "A0",  # an employee number
        "SAM@example.com",  # an email, any case
        "Sam Okafor (A0)",  # as the field writes a manager back
        "  Sam   Okafor ",
    ],
)
def test_a_manager_is_found_by_what_hr_knows_of_them(org, login, text):
    assert people_in(login(org.hr), f"manager_q={text}") == STORES_TEAM


def test_the_field_shows_the_manager_a_link_named_by_id(org, login):
    page = login(org.hr).get(f"/hr/assignments?manager={org.mgr_a.id}").get_data(as_text=True)
    assert 'value="Sam Okafor (A0)"' in page
    assert "Ada Adeyemi" in page and "Cleo Castillo" not in page


def test_several_matches_are_offered_as_links_and_nothing_is_listed(org, login):
    client = login(org.hr)
    response = client.get("/hr/assignments?manager_q=a&status=compliant")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert str(escape("Several managers match “a”: choose one of them")) in page
    region = page[page.index('id="manager-matches"') :]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', region[: region.index("</ul>")])
    assert [label for _, label in links] == [
        "Lee Lead (lee@example.com)",
        "Priya Nair (priya@example.com)",
        "Sam Okafor (A0)",
    ]
    assert "Ada Adeyemi" not in page
    href = dict((label, href) for href, label in links)["Lee Lead (lee@example.com)"]
    assert "status=compliant" in href and "manager_q" not in href
    chosen = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="Lee Lead (lee@example.com)"' in chosen
    assert "Ben Brennan" in chosen and "Sam Okafor</a>" not in chosen


def test_an_exact_name_wins_over_a_longer_one(org, login):
    # "Lee Lead" is the whole name of one manager; "Lee" alone would match only them too,
    # but "lea" matches Lee Lead by part only, as it would Lea anyone else.
    assert people_in(login(org.hr), "manager_q=lee+lead") == ["Ada Adeyemi", "Ben Brennan"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Nobody", "“Nobody”"),
        ("Ada Adeyemi", "“Ada Adeyemi”"),  # a person who manages nobody
        ("Sam Okafor (A9)", "“Sam Okafor (A9)”"),  # the identifier decides
        ("100%_", "“100%_”"),  # LIKE's wildcards are text here
    ],
)
def test_no_match_is_a_clear_400(org, login, text, shown):
    response = login(org.hr).get("/hr/assignments", query_string={"manager_q": text})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert str(escape(f"No manager you can report on matches {shown}.")) in page
    csv = login(org.hr).get("/hr/assignments.csv", query_string={"manager_q": text})
    assert csv.status_code == 400


def test_a_manager_finds_only_managers_in_their_team_and_themselves(org, login):
    client = login(org.mgr_a)
    assert people_in(client, "manager_q=Lee") == ["Ada Adeyemi", "Ben Brennan"]
    assert people_in(client, "manager_q=Sam") == STORES_TEAM
    outside = client.get("/hr/assignments?manager_q=Priya")
    assert outside.status_code == 400
    assert "Priya Nair" not in outside.get_data(as_text=True)


def test_a_link_to_a_manager_out_of_scope_names_nobody(org, login):
    page = login(org.mgr_a).get(f"/hr/assignments?manager={org.mgr_b.id}").get_data(as_text=True)
    assert "Priya" not in page and "Cleo Castillo" not in page


def test_a_long_search_is_refused(org, login):
    response = login(org.hr).get("/hr/assignments", query_string={"manager_q": "x" * 201})
    assert response.status_code == 400
    assert "Field cannot be longer than 200 characters." in response.get_data(as_text=True)


def test_department_choices_are_everyones_for_hr_and_the_teams_for_a_manager(org, login):
    def departments(client):
        page = client.get("/hr/assignments").get_data(as_text=True)
        select = page[page.index('name="department"') : page.index("</select>")]
        return re.findall(r"<option[^>]*>([^<]+)</option>", select)

    assert departments(login(org.hr)) == [
        "Any department",
        "Customer Service",
        "Online",
        "People",
        "Stores",
    ]
    assert departments(login(org.mgr_a)) == ["Any department", "Stores"]
    org.emp_a2.department = None  # someone with none: offered last, for HR and their manager
    db.session.commit()
    assert departments(login(org.hr))[-2:] == ["Stores", "No department"]
    assert departments(login(org.mgr_a)) == ["Any department", "Stores", "No department"]
