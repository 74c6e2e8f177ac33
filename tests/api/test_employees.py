"""Employees through the API: listed a page at a time, upserted by the CSV import's own rules."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from lms.audit import first_broken_link
from lms.extensions import db
from lms.imports.apply import preview_csv
from lms.imports.csvfile import parse_csv
from lms.models import Assignment, AuditEvent, Module, OutboxMessage, User
from lms.models.base import utctoday
from tests.factories import make_employee, write_module, write_program
from tests.hr.importing import csv_bytes, row

TODAY = utctoday()
HIRED = str(TODAY - timedelta(days=3))


def ana(**overrides):
    fields = {
        "email": "ana@example.com",
        "full_name": "Ana Lima",
        "department": "Stores",
        "role": "Cashier",
        "hire_date": HIRED,
    }
    return fields | overrides


def person(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def assignments_of(user: User) -> dict[str, Assignment]:
    rows = db.session.execute(
        select(Module.slug, Assignment).join(Module).where(Assignment.user_id == user.id)
    )
    return {slug: assignment for slug, assignment in rows}


def snapshot() -> dict[str, list]:
    """Every row of every table, to show that a refused request changed nothing at all.

    Except the token's last use, which any request may note.
    """
    db.session.expire_all()
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
        if table.name != "api_tokens"
    }


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


# -- PUT one employee ------------------------------------------------------------------------


def test_put_creates_an_employee_with_their_programs_due_from_the_hire_date(api, synced):
    response = api.put("/api/v1/employees/E1", json=ana())
    assert response.status_code == 201
    assert response.json == {
        "employee_id": "E1",
        "email": "ana@example.com",
        "full_name": "Ana Lima",
        "department": "Stores",
        "role": "Cashier",
        "hire_date": HIRED,
        "manager_email": None,
        "status": "active",
    }
    user = person("ana@example.com")
    assert user.is_active and user.password_hash is None
    assert assignments_of(user)["dignity"].due_date == TODAY - timedelta(days=3) + timedelta(
        days=30
    )


def test_put_records_who_did_it_in_the_audit_trail(api, synced):
    api.put("/api/v1/employees/E1", json=ana())
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id)
    ).all()
    by_action = {action: details for action, details in events}
    assert by_action["person.created"]["source"] == "api"
    assert by_action["import.applied"]["source"] == "api"
    assert by_action["api.employees_upserted"] == {
        "via": "api",
        "token": "Workday",
        "request": "PUT /api/v1/employees/E1",
        "invited": 0,
        "new": 1,
        "updated": 0,
        "terminated": 0,
        "unchanged": 0,
    }
    assert first_broken_link() is None


def test_put_updates_and_a_transfer_brings_the_new_departments_training(
    api, service_program, synced
):
    api.put("/api/v1/employees/E1", json=ana())
    response = api.put(
        "/api/v1/employees/E1", json=ana(department="Customer Service", role="Agent")
    )
    assert response.status_code == 200
    assert response.json["department"] == "Customer Service"
    user = person("ana@example.com")
    assert user.department_changed_on == TODAY
    assert assignments_of(user)["complaints"].due_date == TODAY + timedelta(days=14)
    updated = db.session.scalar(
        select(AuditEvent.details).where(AuditEvent.action == "person.updated")
    )
    assert updated["changes"]["department"] == ["Stores", "Customer Service"]


def test_put_of_an_unchanged_employee_changes_nothing_and_records_nothing(api, synced):
    api.put("/api/v1/employees/E1", json=ana())
    before = snapshot()
    response = api.put("/api/v1/employees/E1", json=ana(email="ANA@example.com"))
    assert response.status_code == 200
    assert snapshot() == before


def test_put_with_a_manager_by_email_links_them(api, synced):
    make_employee(email="boss@example.com", full_name="Bea Boss", employee_id="B1")
    response = api.put("/api/v1/employees/E1", json=ana(manager_email="Boss@Example.com"))
    assert response.json["manager_email"] == "boss@example.com"
    assert person("ana@example.com").manager_id == person("boss@example.com").id


def test_put_terminated_signs_the_person_out_and_keeps_their_records(api, synced):
    api.put("/api/v1/employees/E1", json=ana())
    before = person("ana@example.com")
    session_version, assignment_count = before.session_version, len(assignments_of(before))
    response = api.put("/api/v1/employees/E1", json=ana(status="terminated"))
    assert response.status_code == 200
    assert response.json["status"] == "terminated"
    after = person("ana@example.com")
    assert not after.is_active and after.session_version == session_version + 1
    assert len(assignments_of(after)) == assignment_count
    assert all(a.closed_on == TODAY for a in assignments_of(after).values())
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "person.terminated"))


def test_put_updates_someone_added_by_hand_only_once_given_their_employee_id(api, synced, runner):
    existing = make_employee(email="ana@example.com", full_name="Ana L")
    refused = api.put("/api/v1/employees/E7", json=ana())
    assert refused.status_code == 422, "never matched by email"
    assert "set-employee-id ana@example.com E7" in refused.json["problems"][0]["message"]
    assert runner.invoke(args=["lms", "set-employee-id", "ana@example.com", "E7"]).exit_code == 0
    response = api.put("/api/v1/employees/E7", json=ana())
    assert response.status_code == 200
    user = person("ana@example.com")
    assert (user.id, user.employee_id, user.full_name) == (existing.id, "E7", "Ana Lima")


def test_put_with_invite_emails_the_new_hire_a_link(api, synced, smtp_server):
    response = api.put("/api/v1/employees/E1?invite=true", json=ana())
    assert response.status_code == 201
    response.close()  # the mail goes once the response has been sent
    (message,) = smtp_server.to("ana@example.com")
    assert "/invite/" in message.get_body(("plain",)).get_content()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


# -- refused input ---------------------------------------------------------------------------


def test_put_refuses_bad_fields_with_the_csv_imports_messages_and_changes_nothing(api, synced):
    before = snapshot()
    bad = {
        "email": "not-an-email",
        "full_name": "  ",
        "hire_date": "2026-02-30",
        "department": "D" * 121,
        "status": "gone",
    }
    response = api.put("/api/v1/employees/E1", json=bad)
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"
    assert response.json["detail"] == "5 problems found; nothing was changed."
    csv = csv_bytes(
        "E1,not-an-email,  ,{},,2026-02-30,,gone".format("D" * 121),
        header="employee_id,email,full_name,department,role,hire_date,manager_email,status",
    )
    from_csv = [(e.column, e.problem) for e in parse_csv(csv).errors]
    assert [(p["field"], p["message"]) for p in response.json["problems"]] == from_csv
    assert {p["item"] for p in response.json["problems"]} == {1}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": 5}, "email", "must be a string or null, not a number"),
        ({"role": ["a"]}, "role", "must be a string or null, not an array"),
        ({"hire_date": True}, "hire_date", "must be a string or null, not a boolean"),
        ({"nickname": "Annie"}, "nickname", "unknown field; the fields are employee_id, email,"),
        ({"employee_id": "E2"}, "employee_id", "does not match the URL's employee_id 'E1'"),
        ({"hire_date": "02/03/2026"}, "hire_date", "'02/03/2026' is not a date; use YYYY-MM-DD"),
        (
            {"manager_email": "ana@example.com"},
            "manager_email",
            "a person cannot be their own manager",
        ),
    ],
)
def test_put_refuses_each_bad_field_with_a_message_naming_it(api, synced, body, field, message):
    response = api.put("/api/v1/employees/E1", json=ana(**body))
    assert response.status_code in (400, 422)
    problems = {p["field"]: p["message"] for p in response.json["problems"]}
    assert problems[field].startswith(message), problems
    assert person("ana@example.com") is None


def test_put_refuses_a_missing_required_field(api, synced):
    body = ana()
    del body["hire_date"]
    response = api.put("/api/v1/employees/E1", json=body)
    assert response.status_code == 400
    assert response.json["problems"] == [
        {"field": "hire_date", "message": "a value is required", "item": 1, "employee_id": "E1"}
    ]


def test_put_of_an_email_someone_else_has_is_unprocessable(api, synced):
    make_employee(email="ana@example.com", full_name="Ana Other", employee_id="X9")
    response = api.put("/api/v1/employees/E1", json=ana())
    assert response.status_code == 422
    assert response.json["error"] == "unprocessable"
    (problem,) = response.json["problems"]
    assert problem["field"] == "email"
    assert problem["message"] == "ana@example.com already belongs to Ana Other (employee_id X9)"


def test_put_naming_an_unknown_manager_is_unprocessable(api, synced):
    response = api.put("/api/v1/employees/E1", json=ana(manager_email="who@example.com"))
    assert response.status_code == 422
    assert response.json["problems"][0]["message"] == (
        "unknown manager who@example.com: no one in the file or in Attest has that email"
    )


def test_put_that_would_make_a_loop_of_managers_is_unprocessable(api, synced):
    api.put("/api/v1/employees/B1", json=ana(email="boss@example.com", full_name="Bea Boss"))
    api.put("/api/v1/employees/E1", json=ana(manager_email="boss@example.com"))
    response = api.put(
        "/api/v1/employees/B1",
        json=ana(email="boss@example.com", full_name="Bea Boss", manager_email="ana@example.com"),
    )
    assert response.status_code == 422
    assert "manager cycle" in response.json["problems"][0]["message"]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "detail"),
    [
        (b'{"email": ', "application/json", 400, "The body is not valid JSON"),
        (b"\xff\xfe", "application/json", 400, "The body is not valid JSON"),
        (
            b"email=a@b.c",
            "application/x-www-form-urlencoded",
            415,
            "Content-Type: application/json",
        ),
        (b'"just a string"', "application/json", 400, "1 problem found"),
        (b"[]", "application/json", 400, "1 problem found"),
    ],
)
def test_put_refuses_a_body_that_is_not_a_json_object(
    api, synced, data, content_type, status, detail
):
    response = api.put("/api/v1/employees/E1", data=data, content_type=content_type)
    assert response.status_code == status
    assert detail in response.json["detail"]
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_put_refuses_a_body_over_the_size_limit(api, app, synced):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api.put("/api/v1/employees/E1", json=ana(full_name="A" * 2000))
    assert response.status_code == 413
    assert response.json["error"] == "too_large"
    assert "1000 bytes" in response.json["detail"]


def test_put_refuses_a_bad_invite_flag(api, synced):
    response = api.put("/api/v1/employees/E1?invite=maybe", json=ana())
    assert response.status_code == 400
    assert response.json["problems"] == [
        {"field": "invite", "message": "'maybe' is not true or false"}
    ]


# -- POST a batch ----------------------------------------------------------------------------


def test_a_batch_creates_everyone_with_managers_named_in_the_same_batch(api, synced):
    employees = [
        {"employee_id": "E1", **ana(manager_email="boss@example.com")},
        {
            "employee_id": "B1",
            **ana(email="boss@example.com", full_name="Bea Boss", role="Manager"),
        },
    ]
    response = api.post("/api/v1/employees", json={"employees": employees})
    assert response.status_code == 200
    assert response.json == {
        "counts": {"new": 2, "updated": 0, "terminated": 0, "unchanged": 0},
        "invited": 0,
        "employees": [
            {"item": 1, "employee_id": "E1", "result": "new"},
            {"item": 2, "employee_id": "B1", "result": "new"},
        ],
    }
    assert person("ana@example.com").manager_id == person("boss@example.com").id
    upserted = db.session.scalar(
        select(AuditEvent.details).where(AuditEvent.action == "api.employees_upserted")
    )
    assert upserted["request"] == "POST /api/v1/employees" and upserted["new"] == 2


def test_a_batch_reports_updates_terminations_and_unchanged(api, synced):
    api.put("/api/v1/employees/E1", json=ana())
    api.put("/api/v1/employees/E2", json=ana(email="ben@example.com", full_name="Ben B"))
    api.put("/api/v1/employees/E3", json=ana(email="cleo@example.com", full_name="Cleo C"))
    employees = [
        {"employee_id": "E1", **ana()},
        {"employee_id": "E2", **ana(email="ben@example.com", full_name="Ben Brennan")},
        {
            "employee_id": "E3",
            **ana(email="cleo@example.com", full_name="Cleo C", status="terminated"),
        },
    ]
    response = api.post("/api/v1/employees", json={"employees": employees})
    assert response.json["counts"] == {"new": 0, "updated": 1, "terminated": 1, "unchanged": 1}
    assert [e["result"] for e in response.json["employees"]] == [
        "unchanged",
        "updated",
        "terminated",
    ]


def test_a_batch_with_one_bad_employee_changes_nothing_at_all(api, synced):
    api.put("/api/v1/employees/E1", json=ana())
    before = snapshot()
    employees = [
        {"employee_id": "E1", **ana(full_name="Ana Changed")},
        {"employee_id": "E2", **ana(email="ben@example.com", full_name="Ben B")},
        {"employee_id": "E3", **ana(email="cleo@example.com", hire_date="tomorrow")},
    ]
    response = api.post("/api/v1/employees", json={"employees": employees})
    assert response.status_code == 400
    assert response.json["problems"] == [
        {
            "field": "hire_date",
            "message": "'tomorrow' is not a date; use YYYY-MM-DD",
            "item": 3,
            "employee_id": "E3",
        },
    ]
    assert snapshot() == before


def test_a_batch_names_the_other_item_when_two_share_an_employee_id(api, synced):
    employees = [
        {"employee_id": "E1", **ana()},
        {"employee_id": "E1", **ana(email="ben@example.com", full_name="Ben B")},
    ]
    response = api.post("/api/v1/employees", json={"employees": employees})
    assert response.status_code == 422
    assert [(p["item"], p["message"]) for p in response.json["problems"]] == [
        (1, "E1 is also on item 2"),
        (2, "E1 is also on item 1"),
    ]


def test_a_batch_gives_the_same_problems_as_the_same_rows_in_a_csv_import(api, synced):
    make_employee(email="taken@example.com", full_name="Tom Taken", employee_id="T1")
    lines = [
        row("E1", "ana@example.com", manager_email="nobody@example.com"),
        row("E2", "taken@example.com", "Ben B"),
        row("E3", "cleo@example.com", "Cleo C", manager_email="dev@example.com"),
        row("E4", "dev@example.com", "", hire_date="2026-99-01"),
        row("E5", "eve@example.com", "Eve E", manager_email="fay@example.com"),
        row("E6", "fay@example.com", "Fay F", manager_email="eve@example.com"),
        row("E1", "ana2@example.com", "Ana Again"),
    ]
    keys = ("employee_id", "email", "full_name", "department", "role", "hire_date", "manager_email")
    employees = [dict(zip(keys, line.split(","), strict=True)) for line in lines]
    response = api.post("/api/v1/employees", json={"employees": employees})
    assert response.status_code == 400  # E4 is malformed; the others clash
    csv_problems = [
        (
            e.line - 1,
            e.column,
            re.sub(r"\bline (\d+)", lambda m: f"item {int(m[1]) - 1}", e.problem),
        )
        for e in preview_csv(csv_bytes(*lines)).errors
    ]
    assert len(csv_problems) >= 7
    assert [
        (p["item"], p["field"], p["message"]) for p in response.json["problems"]
    ] == csv_problems


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ([{"employee_id": "E1"}], 400, 'Send an object with one field, "employees"'),
        ({"employees": {"E1": {}}}, 400, 'Send an object with one field, "employees"'),
        ({"employees": [], "extra": 1}, 400, 'Send an object with one field, "employees"'),
        ({"employees": []}, 400, "The list of employees is empty."),
        ({"employees": [{}] * 10_001}, 413, "10001 employees in one request; send at most 10000."),
        ({"employees": [1, None]}, 400, "2 problems found"),
    ],
)
def test_a_batch_that_is_not_a_list_of_employees_is_refused(api, synced, body, status, detail):
    response = api.post("/api/v1/employees", json=body)
    assert response.status_code == status
    assert detail in response.json["detail"]
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_batch_with_invite_emails_only_the_new_hires(api, synced, smtp_server):
    api.put("/api/v1/employees/E1", json=ana())
    employees = [
        {"employee_id": "E1", **ana(full_name="Ana Lima-Souza")},
        {"employee_id": "E2", **ana(email="ben@example.com", full_name="Ben B")},
    ]
    response = api.post("/api/v1/employees?invite=1", json={"employees": employees})
    assert response.json["invited"] == 1
    response.close()  # the mail goes once the response has been sent
    assert [rcpt for _, (rcpt,) in smtp_server.envelopes] == ["ben@example.com"]


# -- reading employees -----------------------------------------------------------------------


@pytest.fixture
def staff(api, synced):
    """Five people: three in Stores (one terminated), one in Online, one with no department."""
    employees = [
        {"employee_id": f"S{n}", **ana(email=f"s{n}@example.com", full_name=f"Store {n}")}
        for n in range(1, 4)
    ] + [
        {
            "employee_id": "O1",
            **ana(email="o1@example.com", full_name="On Line", department="Online"),
        },
        {"employee_id": "N1", **ana(email="n1@example.com", full_name="No Dept", department=None)},
    ]
    employees[2]["status"] = "terminated"
    assert api.post("/api/v1/employees", json={"employees": employees}).status_code == 200


def test_list_pages_through_everyone_in_a_stable_order(api, staff):
    first = api.get("/api/v1/employees?per_page=2").json
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (5, 3, 1, 2)
    ids = []
    for page in (1, 2, 3):
        ids += [
            e["employee_id"]
            for e in api.get(f"/api/v1/employees?per_page=2&page={page}").json["employees"]
        ]
    assert ids == ["S1", "S2", "S3", "O1", "N1"]
    assert api.get("/api/v1/employees?per_page=2&page=4").json["employees"] == []


def follow(api, url: str) -> tuple[list[str], list[dict]]:
    """Follow `next` from `url` to the last page; return the employee ids and each answer."""
    ids, answers = [], []
    while url is not None:
        answer = api.get(url).json
        answers.append(answer)
        ids += [e["employee_id"] for e in answer["employees"]]
        url = answer["next"]
    return ids, answers


def test_next_links_page_through_everyone_once_by_keyset(api, staff):
    ids, answers = follow(api, "/api/v1/employees?per_page=2")
    assert ids == ["S1", "S2", "S3", "O1", "N1"]
    assert [a["next"] is None for a in answers] == [False, False, True]
    # The first answer is also page 1 (with its count); the rest are read after a cursor.
    assert (answers[0]["page"], answers[0]["pages"], answers[0]["total"]) == (1, 3, 5)
    assert all(set(a) == {"employees", "per_page", "next"} for a in answers[1:])
    assert re.fullmatch(r"/api/v1/employees\?per_page=2&after=\d+", answers[0]["next"])


def test_next_links_keep_the_filters(api, staff):
    ids, answers = follow(api, "/api/v1/employees?department=Stores&status=active&per_page=1")
    assert ids == ["S1", "S2"]
    assert "department=Stores" in answers[0]["next"] and "status=active" in answers[0]["next"]
    ids, _ = follow(api, "/api/v1/employees?department=-&after=0")
    assert ids == ["N1"]


def test_a_numbered_page_links_the_page_after_it_by_keyset(api, staff):
    second = api.get("/api/v1/employees?per_page=2&page=2").json
    after_it = api.get(second["next"]).json
    third = api.get("/api/v1/employees?per_page=2&page=3").json
    assert after_it["employees"] == third["employees"] and third["next"] is None
    assert api.get("/api/v1/employees?per_page=2&page=4").json["next"] is None


def test_a_cursor_past_the_end_is_an_empty_last_page(api, staff):
    assert api.get("/api/v1/employees?after=2147483647").json == {
        "employees": [],
        "per_page": 100,
        "next": None,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("department=Stores", ["S1", "S2", "S3"]),
        ("department=Stores&status=active", ["S1", "S2"]),
        ("status=terminated", ["S3"]),
        ("department=-", ["N1"]),
        ("department=Nowhere", []),
    ],
)
def test_list_filters_by_department_and_status(api, staff, query, expected):
    response = api.get(f"/api/v1/employees?{query}")
    assert [e["employee_id"] for e in response.json["employees"]] == expected
    assert response.json["total"] == len(expected)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=0", "page", "'0' is not a whole number from 1 to 1000000"),
        ("page=two", "page", "'two' is not a whole number from 1 to 1000000"),
        ("per_page=1001", "per_page", "'1001' is not a whole number from 1 to 1000"),
        ("per_page=-5", "per_page", "'-5' is not a whole number from 1 to 1000"),
        ("status=gone", "status", "'gone' is not one of active, terminated"),
        ("after=-1", "after", "'-1' is not a whole number from 0 to 2147483647"),
        ("after=x", "after", "'x' is not a whole number from 0 to 2147483647"),
        ("after=2147483648", "after", "'2147483648' is not a whole number from 0 to 2147483647"),
        ("after=" + "9" * 30, "after", f"'{'9' * 30}' is not a whole number from 0 to 2147483647"),
        (
            "after=3&page=2",
            "page",
            "give either after (the cursor of the next page) or page, not both",
        ),
    ],
)
def test_list_refuses_bad_query_parameters(api, staff, query, field, message):
    response = api.get(f"/api/v1/employees?{query}")
    assert response.status_code == 400
    assert response.json["detail"] == "Some query parameters are not valid."
    assert response.json["problems"] == [{"field": field, "message": message}]


def test_one_employee_can_be_read_back_and_put_again_unchanged(api, staff):
    shown = api.get("/api/v1/employees/O1").json
    assert shown["department"] == "Online" and shown["status"] == "active"
    assert api.put("/api/v1/employees/O1", json=shown).status_code == 200
    assert api.get("/api/v1/employees/O1").json == shown


def test_an_unknown_employee_is_not_found(api, staff):
    response = api.get("/api/v1/employees/NOPE")
    assert response.status_code == 404
    assert response.json == {
        "error": "not_found",
        "detail": "No employee has the employee_id 'NOPE'.",
    }


def test_a_person_added_by_someone_else_mid_request_is_a_conflict_and_nothing_changes(
    api, app, synced
):
    """Another instance inserts the same email between this request's check and its write."""

    def other_instance_first(_conn, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO users") and not raced:
            raced.append(True)
            with db.engine.begin() as other:
                other.execute(
                    db.insert(User).values(email="ana@example.com", full_name="Ana Elsewhere")
                )

    raced: list[bool] = []
    event.listen(db.engine, "before_cursor_execute", other_instance_first)
    try:
        response = api.put("/api/v1/employees/E1", json=ana())
    finally:
        event.remove(db.engine, "before_cursor_execute", other_instance_first)
    assert raced and response.status_code == 409
    assert response.json["error"] == "conflict"
    assert "Send the request again" in response.json["detail"]
    assert [u.full_name for u in db.session.scalars(select(User))] == ["Ana Elsewhere"]
    assert not db.session.scalar(select(AuditEvent.id).where(AuditEvent.action.like("person.%")))
