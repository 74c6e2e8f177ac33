"""The number of SQL statements behind each API call does not grow with the number of employees."""

from sqlalchemy import select

from lms.demo.operations import load_demo
from lms.extensions import db
from lms.models import Certificate, User
from lms.models.base import utctoday
from tests.api.conftest import Api, new_token
from tests.conftest import QueryCounter
from tests.engines import listening

READS = (
    "/api/v1/employees?per_page=1000",
    "/api/v1/employees?department=Stores&status=active&per_page=1000",
    "/api/v1/employees?after=3&per_page=5",
    "/api/v1/employees?department=Stores&after=3&per_page=5",
    "/api/v1/employees/<employee_id>",
    "/api/v1/employees/<employee_id>/transcript",
    "/api/v1/compliance",
    "/api/v1/compliance?department=Stores&as_of=2030-01-01",
    "/api/v1/modules?include_archived=true",
    "/api/v1/certificates/<code>",
)


def build(runner, employees: int) -> str:
    db.session.remove()
    db.drop_all()
    db.create_all()
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    load_demo(employees=employees, seed=3, today=utctoday())
    db.session.commit()
    return new_token()


def statements(api: Api, method: str, url: str, **kwargs) -> int:
    """Count the statements of one request, starting from an empty session as in production."""
    db.session.remove()
    counter = QueryCounter()
    with listening("before_cursor_execute", counter):
        response = api.request(method, url, **kwargs)
    assert response.status_code in (200, 201), (url, response.json)
    return counter.count


def measure(app, client, runner, employees: int) -> dict[str, int]:
    api = Api(app, client, build(runner, employees))
    # Someone with a certificate, so the transcript lists completions and certificates.
    user_id, code = db.session.execute(
        select(Certificate.user_id, Certificate.code).order_by(Certificate.id).limit(1)
    ).one()
    employee_id = db.session.scalar(select(User.employee_id).where(User.id == user_id))
    api.get("/api/v1/modules")  # the token's first use writes last_used_at; later ones do not
    listed = api.get("/api/v1/employees?per_page=1000").json["employees"]
    assert len(listed) > employees  # every row is there: the demo adds heads and HR
    counts = {}
    for url in READS:
        real = url.replace("<employee_id>", employee_id).replace("<code>", code)
        counts[url] = statements(api, "GET", real)
    shown = api.get(f"/api/v1/employees/{employee_id}").json
    counts["PUT (update)"] = statements(
        api, "PUT", f"/api/v1/employees/{employee_id}", json=shown | {"role": "Trainer"}
    )
    return counts


def test_query_counts_are_the_same_for_20_and_200_employees(app, client, org_content, runner):
    small = measure(app, client, runner, 20)
    large = measure(app, client, runner, 200)
    assert small == large
    assert max(v for k, v in small.items() if k.startswith("/")) <= 8, small
