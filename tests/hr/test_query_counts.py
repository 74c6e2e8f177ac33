"""The number of SQL statements behind the HR pages does not grow with the number of employees.

The people list is counted on its first page, after and before a cursor, and searched.
"""

from sqlalchemy import select

from lms.demo.operations import load_demo
from lms.extensions import db
from lms.hr.queries import people_page
from lms.models import User
from lms.models.base import utctoday
from lms.reports.scope import Scope
from tests.conftest import QueryCounter
from tests.engines import listening

PASSWORD = "attest-demo-password"


def build(runner, employees):
    db.session.remove()
    db.drop_all()
    db.create_all()
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    load_demo(employees=employees, seed=3, today=utctoday())
    db.session.commit()


def statements(client, url):
    """Count the statements of one request, starting from an empty session as in production."""
    db.session.remove()
    counter = QueryCounter()
    with listening("before_cursor_execute", counter):
        response = client.get(url)
    assert response.status_code == 200, url
    response.get_data()  # a streamed body runs its queries while it is read
    return counter.count


def second_in_scope(email: str) -> int:
    """The id of the second person on the viewer's people list: pages after and before it hold someone."""
    viewer = db.session.scalar(select(User).where(User.email == email))
    scope = Scope() if viewer.is_hr else Scope(manager_id=viewer.id)
    page = people_page(scope, "", utctoday(), per_page=2)
    return page.rows[1].user.id


def measure(app, runner, employees):
    build(runner, employees)
    person = db.session.scalar(select(User.id).where(User.email == "employee5@example.com"))
    counts = {}
    for email in ("hr@example.com", "manager.stores@example.com"):
        client = app.test_client()
        client.post("/logout")  # test clients share their cookies: sign the last one out
        client.post("/login", data={"email": email, "password": PASSWORD})
        assert ("My team" in client.get("/").get_data(as_text=True)) == (email != "hr@example.com")
        cursor = second_in_scope(email)
        for url in (
            "/hr/",
            "/hr/assignments?status=overdue&department=Stores",
            f"/hr/people/{person}",
            "/hr/people",
            f"/hr/people?after={cursor}",
            f"/hr/people?before={cursor}",
            "/hr/people?q=a",
            f"/hr/people?q=a&after={cursor}",
            "/hr/modules/dignity",
        ):
            key = url.replace(f"={cursor}", "=<cursor>").replace(str(person), "<id>")
            counts[email, key] = statements(client, url)
    return counts


def test_query_counts_are_the_same_for_20_and_200_employees(app, org_content, runner):
    small = measure(app, runner, 20)
    large = measure(app, runner, 200)
    assert small == large
    # The people list: the same at any depth and with a search, by keyset.
    for email in ("hr@example.com", "manager.stores@example.com"):
        people = {n for (who, url), n in small.items() if who == email and "/hr/people?" in url}
        assert people == {small[email, "/hr/people"]}, small
    assert max(small.values()) <= 16, small
