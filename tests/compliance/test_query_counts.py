"""HR's and a manager's pages run as many statements for 2,000 employees as for 200.

At 200 the Stores head's team (90 people) is counted from its assignments; at 2,000
(900 people) it has figures of its own in the summary: either way, the same count.
"""

from lms.compliance.queries import has_own_figures
from lms.extensions import db
from lms.models import User
from tests.hr.test_query_counts import PASSWORD, build, statements

PAGES = (
    "/hr/",
    "/hr/?as_of=2020-02-29",
    "/hr/assignments?status=overdue&department=Stores",
    "/hr/assignments?status=overdue&department=Stores&page=2",
    "/hr/modules/dignity",
    "/hr/modules/dignity?status=overdue",
)


def measure(app, runner, employees):
    build(runner, employees)
    head = db.session.scalar(db.select(User.id).where(User.email == "manager.stores@example.com"))
    counts = {"head has figures of their own": has_own_figures(head)}
    for email in ("hr@example.com", "manager.stores@example.com"):
        client = app.test_client()
        client.post("/logout")  # test clients share their cookies: sign the last one out
        client.post("/login", data={"email": email, "password": PASSWORD})
        assert ("My team" in client.get("/").get_data(as_text=True)) == (email != "hr@example.com")
        for url in PAGES:
            counts[email, url] = statements(client, url)
    return counts


def test_query_counts_are_the_same_for_200_and_2000_employees(app, org_content, runner):
    small = measure(app, runner, 200)
    large = measure(app, runner, 2000)
    assert small.pop("head has figures of their own") is False
    assert large.pop("head has figures of their own") is True
    assert small == large
