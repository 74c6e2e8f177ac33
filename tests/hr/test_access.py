"""Every HR and manager route, opened by an employee, a manager of another team, a manager and HR."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AuditEvent, User
from lms.people.operations import report_ids
from lms.reports.scope import Scope, team_ids

LIST_PAGES = [
    "/hr/",
    "/hr/assignments",
    "/hr/assignments.csv",
    "/hr/people",
    "/hr/modules/dignity",
    "/hr/modules/dignity.csv",
    "/hr/modules/honesty",
]
HR_ONLY_PAGES = ["/hr/audit", "/hr/audit.csv", "/hr/outbox", "/hr/outbox?status=sent"]
SHOWS_THE_TEAM = {
    "/hr/assignments",
    "/hr/assignments.csv",
    "/hr/people",
    "/hr/modules/dignity",
    "/hr/modules/dignity.csv",
}


def status(client, url):
    """Return the status of a GET, reading the body (a streamed CSV runs until it is read)."""
    response = client.get(url)
    response.get_data()
    return response.status_code


def person_pages(user_id):
    return [f"/hr/people/{user_id}", f"/hr/people/{user_id}.csv"]


def action_urls(user_id, assignment_id):
    base = f"/hr/people/{user_id}/assignments/{assignment_id}"
    return {
        f"{base}/exemption": {f"ex{assignment_id}-reason": "Covered elsewhere"},
        f"{base}/exemption/remove": {f"un{assignment_id}-reason": "Back at work"},
        f"{base}/attempts": {f"at{assignment_id}-number": "1", f"at{assignment_id}-reason": "Fair"},
    }


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    for url in [*LIST_PAGES, *HR_ONLY_PAGES, *person_pages(org.emp_a1.id)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_employees_get_403_on_every_hr_page_and_action(org, login):
    client = login(org.emp_a1)
    own = org.assignment(org.emp_a1, "dignity")
    for url in [
        *LIST_PAGES,
        *HR_ONLY_PAGES,
        *person_pages(org.emp_a1.id),
        *person_pages(org.emp_b1.id),
    ]:
        assert status(client, url) == 403, url
    for url, data in action_urls(org.emp_a1.id, own.id).items():
        assert client.post(url, data=data).status_code == 403, url
    assert "/hr/" not in client.get("/").get_data(as_text=True)


def test_hr_opens_every_page(org, login):
    client = login(org.hr)
    for url in [
        *LIST_PAGES,
        *HR_ONLY_PAGES,
        *person_pages(org.emp_a1.id),
        *person_pages(org.loner.id),
    ]:
        assert status(client, url) == 200, url
    assert '<a href="/hr/">HR</a>' in client.get("/").get_data(as_text=True)


def test_manager_sees_direct_and_indirect_reports(org, login):
    client = login(org.mgr_a)
    for user in (org.lead_a, org.emp_a1, org.emp_a2):
        for url in person_pages(user.id):
            assert status(client, url) == 200, url
    for url in LIST_PAGES:
        assert status(client, url) == 200, url
    assert '<a href="/hr/">My team</a>' in client.get("/").get_data(as_text=True)


def test_manager_gets_404_for_people_outside_the_team(org, login):
    client = login(org.mgr_b)
    for user in (org.emp_a1, org.lead_a, org.mgr_a, org.hr, org.loner, org.mgr_b):
        for url in person_pages(user.id):
            assert status(client, url) == 404, url
    assert client.get("/hr/people/999999").status_code == 404


def test_manager_is_refused_hr_only_pages_and_actions(org, login):
    client = login(org.mgr_b)
    for url in HR_ONLY_PAGES:
        assert status(client, url) == 403, url
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for user in (org.emp_b1, org.emp_a1):  # in the team or not, managers do not grant
        assignment = org.assignment(user, "dignity")
        for url, data in action_urls(user.id, assignment.id).items():
            assert client.post(url, data=data).status_code == 403, url
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


@pytest.mark.parametrize(
    "url", LIST_PAGES + ["/hr/people?q=Ada", "/hr/assignments?department=Stores"]
)
def test_another_teams_people_never_appear_in_a_managers_lists(org, login, url):
    client = login(org.mgr_b)
    page = client.get(url).get_data(as_text=True)
    if url in SHOWS_THE_TEAM:
        assert "Cleo Castillo" in page
    for user in (org.emp_a1, org.emp_a2, org.lead_a, org.mgr_a, org.loner, org.hr):
        assert user.full_name not in page, (url, user.full_name)
        assert user.email not in page, (url, user.email)


def test_a_manager_filtering_by_another_teams_manager_sees_nothing(org, login):
    client = login(org.mgr_b)
    page = client.get(f"/hr/assignments?manager={org.mgr_a.id}").get_data(as_text=True)
    assert "No assignments match" in page
    csv_text = client.get(f"/hr/assignments.csv?manager={org.mgr_a.id}").get_data(as_text=True)
    assert len(csv_text.strip().splitlines()) == 1  # the header only


def test_a_managers_filter_choices_hold_only_their_team(org, login):
    page = login(org.mgr_b).get("/hr/assignments").get_data(as_text=True)
    assert '<option value="Customer Service">' in page
    assert '<option value="Stores">' not in page
    assert f'<option value="{org.mgr_a.id}">' not in page


def test_action_on_an_assignment_of_someone_else_is_404(org, login):
    client = login(org.hr)
    other = org.assignment(org.emp_b1, "dignity")
    url = f"/hr/people/{org.emp_a1.id}/assignments/{other.id}/exemption"
    response = client.post(url, data={f"ex{other.id}-reason": "Mixed up"})
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.exempt_reason is None


def test_unknown_module_is_404(org, login):
    client = login(org.hr)
    assert client.get("/hr/modules/no-such-module").status_code == 404
    assert client.get("/hr/modules/no-such-module.csv").status_code == 404


def test_a_managers_scope_is_exactly_their_direct_and_indirect_reports(org):
    for manager in org.everyone:
        assert set(db.session.scalars(team_ids(manager.id))) == report_ids(manager.id)
        in_scope = set(db.session.scalars(select(User.id).where(Scope(manager.id).people())))
        assert in_scope == report_ids(manager.id)
