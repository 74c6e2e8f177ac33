"""The compliance dashboard: figures counted in SQL agree with the training rules, and link to their lists."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learn.operations import status_of
from lms.models import Assignment, Module, User
from lms.reports.dashboard import dashboard
from lms.reports.filters import Filters
from lms.reports.scope import Scope
from lms.status import compliance_rate, count_statuses


def expected_counts(day, where=lambda user, slug: True):
    """Count statuses with the Python rule over the counted assignments (open, active, not archived)."""
    rows = db.session.execute(
        select(Assignment, User, Module.slug)
        .join(User, User.id == Assignment.user_id)
        .join(Module, Module.id == Assignment.module_id)
        .where(Assignment.closed_on.is_(None), User.is_active, ~Module.is_archived)
    ).all()
    return count_statuses(status_of(a, day) for a, u, slug in rows if where(u, slug))


@pytest.mark.parametrize("days_ahead", [0, 15, 400, 800])
def test_sql_counts_match_the_python_rules_on_any_day(org, days_ahead):
    day = org.today + timedelta(days=days_ahead)
    data = dashboard(Scope(), Filters(as_of=day))
    assert data.overall.counts == expected_counts(day)
    by_department = {bar.key: bar.counts for bar in data.by_department}
    for department in ("Stores", "Customer Service", "Online", "People"):
        assert by_department[department] == expected_counts(
            day, lambda u, s, d=department: u.department == d
        )
    by_module = {bar.key: bar.counts for bar in data.by_module}
    for slug in ("dignity", "honesty"):
        assert by_module[slug] == expected_counts(day, lambda u, s, m=slug: s == m)


def test_dashboard_shows_rate_and_the_counts_beside_it(org, login):
    page = login(org.hr).get("/hr/").get_data(as_text=True)
    counts = expected_counts(org.today)
    # 12 assignments: 5 pending (not yet due), so 7 counted; complete x3, due_soon, exempt = 5 compliant
    assert sum(counts.values()) == 12 and counts["overdue"] == 1 and counts["expired"] == 1
    assert f"{compliance_rate(counts):.1%}" == "71.4%"
    assert "71.4%" in page
    assert re.search(r'status=overdue"><span class="value">1</span>', page)
    assert re.search(r'status=expired"><span class="value">1</span>', page)
    assert re.search(r'status=due_soon"><span class="value">1</span>', page)
    assert re.search(r'status=pending"><span class="value">5</span>', page)


def test_charts_are_text_with_decorative_bars_and_a_table_of_the_same_figures(org, login):
    page = login(org.hr).get("/hr/").get_data(as_text=True)
    assert page.count('class="bars"') == 2 and page.count('<svg class="bar"') == 6
    assert page.count('aria-hidden="true" focusable="false"') == 6
    assert '<h2 id="by-department-heading">Compliance by department</h2>' in page
    assert '<h2 id="by-module-heading">Compliance by module</h2>' in page
    assert 'aria-describedby="by-module-desc"' in page
    assert "<script" not in page and "cdn" not in page.lower()
    # every bar and segment links to the filtered report
    assert "/hr/assignments?as_of=" in page and "department=Stores" in page
    assert "module=honesty" in page and "status=overdue" in page
    assert f"/hr/modules/honesty?as_of={org.today.isoformat()}" in page
    assert "The figures as a table" in page


def test_most_overdue_people_link_to_their_transcripts(org, login):
    page = login(org.hr).get("/hr/").get_data(as_text=True)
    section = page.split('id="overdue-heading"')[1]
    assert "Ada Adeyemi" in section
    assert f"/hr/people/{org.emp_a1.id}" in section
    assert "Cleo Castillo" not in section  # expired, not overdue


def test_each_figure_leads_to_a_report_with_the_same_count(org, login):
    client = login(org.hr)
    page = client.get("/hr/").get_data(as_text=True)
    for status, count in (("overdue", 1), ("expired", 1), ("pending", 5)):
        href = re.search(rf'href="([^"]*status={status})"><span class="value">(\d+)<', page)
        assert int(href.group(2)) == count
        report = client.get(href.group(1).replace("&amp;", "&")).get_data(as_text=True)
        assert f"of {count} assignments" in report or f"these {count} rows" in report


def test_as_of_shows_the_future(org, login):
    client = login(org.hr)
    later = org.today + timedelta(days=20)  # emp_a2's honesty expires in 10 days
    page = client.get(f"/hr/?as_of={later.isoformat()}").get_data(as_text=True)
    counts = expected_counts(later)
    assert counts["expired"] == 2
    assert re.search(r'status=expired"><span class="value">2</span>', page)


def test_a_bad_as_of_date_is_refused_with_a_message(org, login):
    response = login(org.hr).get("/hr/?as_of=31-12-2026")
    assert response.status_code == 400
    assert "Status as of: Not a valid date value." in response.get_data(as_text=True)


def test_manager_dashboard_counts_only_the_team(org, login):
    page = login(org.mgr_b).get("/hr/").get_data(as_text=True)
    # mgr_b's team is emp_b1 alone: one expired assignment, so 0% compliant
    assert "0.0%" in page
    assert re.search(r'status=expired"><span class="value">1</span>', page)
    assert "Stores" not in page


def test_closed_assignments_archived_modules_and_leavers_are_not_counted(org):
    before = dashboard(Scope(), Filters(as_of=org.today)).overall.total
    org.assignment(org.emp_a1, "honesty").closed_on = org.today
    org.emp_b1.is_active = False
    db.session.commit()
    assert dashboard(Scope(), Filters(as_of=org.today)).overall.total == before - 2
    db.session.scalar(select(Module).where(Module.slug == "dignity")).is_archived = True
    db.session.commit()
    data = dashboard(Scope(), Filters(as_of=org.today))
    assert [bar.key for bar in data.by_module] == ["honesty"]
