"""HR's people list by keyset: every person once, in name then id order, forwards and back.

The cursor is a person's id; the page goes on from that person's place in the order
(name, then id), so people with the same name are split across pages without one
being shown twice or skipped. A cursor that is not a person in the viewer's scope
gives the first page; one that is not an id at all is ignored (never a 500).
"""

import html
import re

import pytest
from flask import render_template_string
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from lms.extensions import db
from lms.hr.queries import HEADCOUNT_CAP, SEARCH_COUNT_CAP, people_page, search_condition
from lms.models import User
from lms.reports.paging import KeysetPage
from lms.reports.scope import Scope
from tests.input.properties import THROUGH_DB


def in_order(*conditions) -> list[int]:
    """The ids the database lists by name, then id: what paging must give, once each."""
    return list(
        db.session.scalars(select(User.id).where(*conditions).order_by(User.full_name, User.id))
    )


def walk(scope, q, today, per_page):
    """Follow `after` from the first page to the last, then `before` back; return both orders."""
    page = people_page(scope, q, today, per_page=per_page)
    assert page.before is None
    pages, forwards = [page], []
    while True:
        forwards += [r.user.id for r in page.rows]
        if page.after is None:
            break
        page = people_page(scope, q, today, after=page.after, per_page=per_page)
        pages.append(page)
    backwards = [r.user.id for r in page.rows]
    while page.before is not None:
        page = people_page(scope, q, today, before=page.before, per_page=per_page)
        backwards = [r.user.id for r in page.rows] + backwards
    assert page.after == pages[0].after  # back on the first page, which links on as before
    return pages, forwards, backwards


def more_people(names: list[str], **fields) -> None:
    db.session.add_all(User(full_name=name, **fields) for name in names)
    db.session.commit()


@pytest.mark.parametrize("per_page", [1, 2, 3, 50])
def test_every_person_once_in_name_then_id_order_forwards_and_back(org, per_page):
    # Five with one name: the ties fall back on the id, and pages split them.
    more_people(["Sam Same"] * 3 + ["Aaron First", "Zed Last"])
    db.session.execute(update(User).where(User.department == "Stores").values(full_name="Sam Same"))
    db.session.commit()
    expected = in_order()
    same = [u for u in expected if u in in_order(User.full_name == "Sam Same")]
    assert len(same) >= 7 and same == sorted(same)
    pages, forwards, backwards = walk(Scope(), "", org.today, per_page)
    assert forwards == expected == backwards
    assert len(pages) == -(-len(expected) // per_page)
    assert {p.total for p in pages} == {len(expected)}


def test_a_search_pages_through_its_matches_only(org):
    more_people([f"Ada Twin {n}" for n in range(5)] + ["Bob Other"])
    _, forwards, backwards = walk(Scope(), "ada", org.today, 2)
    assert forwards == backwards == in_order(search_condition("ada"))
    assert len(forwards) == 6  # Ada Adeyemi and the five twins


def test_a_manager_pages_through_their_team_only(org):
    team = Scope(manager_id=org.mgr_a.id)
    _, forwards, backwards = walk(team, "", org.today, 1)
    assert set(forwards) == {org.lead_a.id, org.emp_a1.id, org.emp_a2.id}
    assert forwards == backwards


@pytest.mark.parametrize("per_page", [1, 2, 50])
def test_an_exact_email_or_employee_id_pages_with_the_name_matches_once_each(org, per_page):
    # "x7" is in three names and is a fourth person's employee id (a name without it);
    # "x7@example.com" is the email of one with it in their name: each found once, in
    # name then id order.
    more_people(["Ann X7 Ames", "Zoe Wax7", "Mia Box7er"])
    more_people(["Ola Nomatch"], employee_id="x7")
    db.session.execute(
        update(User).where(User.full_name == "Zoe Wax7").values(email="x7@example.com")
    )
    db.session.commit()
    for q in ("x7", "X7@example.com"):
        _, forwards, backwards = walk(Scope(), q, org.today, per_page)
        assert forwards == backwards == in_order(search_condition(q)), q
    assert len(in_order(search_condition("x7"))) == 4
    found = walk(Scope(), " X7@example.com ", org.today, 1)[1]
    assert [db.session.get(User, i).full_name for i in found] == ["Zoe Wax7"]


def test_a_cursor_outside_the_scope_or_unknown_gives_the_first_page(org):
    team = Scope(manager_id=org.mgr_a.id)
    first = [r.user.id for r in people_page(team, "", org.today, per_page=2).rows]
    # Lou Loner sorts among the team: as a cursor they would show who comes after them.
    for cursor in (org.loner.id, org.hr.id, 10**9):
        for side in ("after", "before"):
            page = people_page(team, "", org.today, per_page=2, **{side: cursor})
            assert [r.user.id for r in page.rows] == first, (cursor, side)
            assert page.before is None


def test_overdue_counts_follow_the_page(org):
    # Ada Adeyemi (one overdue) comes first, then Ben Brennan.
    after_ada = people_page(Scope(), "", org.today, after=org.emp_a1.id, per_page=50)
    assert org.emp_a1.id not in {r.user.id for r in after_ada.rows}
    assert {r.user.id: r.overdue for r in after_ada.rows}[org.emp_a2.id] == 0
    before_ben = people_page(Scope(), "", org.today, before=org.emp_a2.id, per_page=50)
    assert [(r.user.id, r.overdue) for r in before_ben.rows] == [(org.emp_a1.id, 1)]


def test_the_count_is_exact_up_to_its_cap_and_says_more_past_it(org):
    """The count stops at its cap (10,000; a search's 200): the page's rows are the same either way."""
    everyone = len(in_order())
    exact = people_page(Scope(), "", org.today, per_page=2, count_cap=everyone)
    assert (exact.total, exact.capped) == (everyone, False)
    capped = people_page(Scope(), "", org.today, per_page=2, count_cap=everyone - 1)
    assert (capped.total, capped.capped) == (everyone - 1, True)
    assert [r.user.id for r in capped.rows] == [r.user.id for r in exact.rows]
    assert capped.after == exact.after
    # A search and a manager's team are counted the same way.
    matches = len(in_order(search_condition("a")))
    assert people_page(Scope(), "a", org.today, count_cap=matches).capped is False
    assert people_page(Scope(), "a", org.today, count_cap=matches - 1).total == matches - 1
    team = Scope(manager_id=org.mgr_a.id)
    over = people_page(team, "", org.today, count_cap=2)
    assert (over.total, over.capped) == (2, True)  # three people in the team
    assert people_page(team, "", org.today, count_cap=3).capped is False
    assert people_page(Scope(), "", org.today).capped is False  # HEADCOUNT_CAP by default
    assert (HEADCOUNT_CAP, SEARCH_COUNT_CAP) == (10_000, 200)  # a search's by default


@pytest.mark.parametrize(
    ("capped", "shown"), [(False, "10,000 people"), (True, "more than 10,000 people")]
)
def test_a_capped_count_reads_more_than(app, capped, shown):
    page = KeysetPage([object()], 10_000, 50, after=7, capped=capped)
    with app.test_request_context("/hr/people"):
        html = render_template_string(
            '{% from "hr/_macros.html" import keyset_pager with context %}'
            '{{ keyset_pager(page, "people", always=true) }}',
            page=page,
            number="{:,}".format,
            cursor_url=lambda **cursor: "/hr/people",
        )
    assert f"<span>{shown}, 50 a page</span>" in html


# -- the page ---------------------------------------------------------------------------------


def links(page: str, rel: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(rf'href="([^"]*)" rel="{rel}"', page)]


def names(page: str) -> list[str]:
    return re.findall(r'<td><a href="/hr/people/\d+">([^<]*)</a>', page)


def test_next_and_previous_links_walk_everyone_once(org, login):
    more_people([f"Person {n:03}" for n in range(120)])
    client = login(org.hr)
    url, seen, pages = "/hr/people", [], []
    while True:
        page = client.get(url).get_data(as_text=True)
        assert f"{len(org.everyone) + 120} people, 50 a page" in page
        pages.append(page)
        seen += names(page)
        nexts = links(page, "next")
        if not nexts:
            break
        assert "?after=" in nexts[0]
        url = nexts[0]
    expected = [db.session.get(User, i).full_name for i in in_order()]
    assert seen == expected and len(pages) == 3
    back = client.get(links(pages[-1], "prev")[0]).get_data(as_text=True)
    assert names(back) == names(pages[1])


def test_a_search_keeps_its_query_in_the_links(org, login):
    more_people([f"Ada Twin {n:02}" for n in range(60)])
    page = login(org.hr).get("/hr/people?q=Ada").get_data(as_text=True)
    assert "61 people, 50 a page" in page
    second = login(org.hr).get(links(page, "next")[0]).get_data(as_text=True)
    assert "q=Ada" in links(page, "next")[0]
    assert len(names(second)) == 11 and "Ben Brennan" not in second


def test_one_page_still_says_how_many(org, login):
    page = login(org.hr).get("/hr/people").get_data(as_text=True)
    assert f"{len(org.everyone)} people</span>" in page
    assert 'rel="next"' not in page and "First page" not in page
    assert "1 person</span>" in login(org.hr).get("/hr/people?q=A1").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "page=2",  # a link from before keysets
        "page=99999999999999999999",
        "after=abc",
        "after=-1",
        "after=0",
        "before=%C2%B2",
        "after=99999999999999999999",
        "before=9223372036854775808",
        "after=" + "9" * 5000,
        "after=1.5",
        "after=2147483648",
    ],
)
def test_an_old_page_number_or_a_tampered_cursor_shows_the_first_page(org, login, query):
    client = login(org.hr)
    first = names(client.get("/hr/people").get_data(as_text=True))
    response = client.get(f"/hr/people?{query}")
    assert response.status_code == 200
    assert names(response.get_data(as_text=True)) == first


# -- any names, any page size -------------------------------------------------------------


NAMES = st.lists(
    st.sampled_from(
        ["Ada Adeyemi", "ada adeyemi", "Ada  Adeyemi", "Åsa Öberg", "Zoë", "O'Neill", "a", "Z"]
    ),
    min_size=0,
    max_size=14,
)


@THROUGH_DB
@given(names=NAMES, per_page=st.integers(1, 5), q=st.sampled_from(["", "ada", "e", "zzz"]))
def test_any_names_page_once_each_in_the_databases_order(org, names, per_page, q):
    # Same names, names differing only in case, spaces or accents: the database's own order
    # (its collation), ties by id, and no one twice or missed at any page size.
    db.session.execute(delete(User).where(User.department.is_(None), User.email.is_(None)))
    more_people(names)
    _, forwards, backwards = walk(Scope(), q, org.today, per_page)
    expected = in_order(search_condition(q)) if q else in_order()
    assert forwards == expected == backwards
