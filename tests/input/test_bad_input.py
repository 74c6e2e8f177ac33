"""Input the database cannot hold, or that overflows later, is a clear 4xx and writes nothing.

Each case was a 500 (or, on SQLite, silently stored) before: NUL bytes, dates past
any sane range, integers past 64 bits, CR/LF in `?next=`, bytes that are not UTF-8
in a CSV header, lone surrogates and absurdly deep JSON in an API body, and query
parameters the API does not know.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.imports.csvfile import parse_csv
from lms.models import AuditEvent, StagedImport, User
from tests.hr.importing import HEADER, csv_bytes, row


def snapshot() -> dict[str, list]:
    """Every row of every table but the API tokens (whose last use any request notes)."""
    db.session.expire_all()
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
        if table.name != "api_tokens"
    }


def people() -> int:
    return db.session.scalar(select(func.count(User.id)))


# -- NUL bytes: one check in the request pipeline ---------------------------------------------


NUL_REQUESTS = [
    ("GET", "/modules/dig%00nity", {}),
    ("GET", "/hr/people?q=a%00b", {}),
    ("GET", "/hr/people?a%00b=1", {}),
    ("GET", "/verify?code=K7QD%009XRM", {}),
    ("POST", "/modules/dignity/sign", {"data": {"full_name": "Erin\x00Example"}}),
    ("POST", "/login", {"data": {"email": "hr@example.com\x00", "password": "x"}}),
]


@pytest.mark.parametrize(("method", "url", "kwargs"), NUL_REQUESTS)
def test_a_nul_byte_anywhere_in_a_page_request_is_a_400(org, login, method, url, kwargs):
    client = login(org.hr)
    before = snapshot()
    response = client.open(url, method=method, **kwargs)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "NUL" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_nul_byte_in_an_uploaded_files_name_is_a_400(org, login):
    client = login(org.hr)
    data = {"file": (io.BytesIO(csv_bytes(row())), "hires\x00.csv")}
    response = client.post("/hr/import/", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(StagedImport.id))) == 0


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/v1/employees?department=Sto%00res", None),
        ("GET", "/api/v1/employees/E%001", None),
        (
            "PUT",
            "/api/v1/employees/E9",
            {"email": "a@example.com", "full_name": "A\x00B", "hire_date": "2026-01-05"},
        ),
        (
            "POST",
            "/api/v1/employees",
            {
                "employees": [
                    {
                        "employee_id": "E9\x00",
                        "email": "a@example.com",
                        "full_name": "Ana",
                        "hire_date": "2026-01-05",
                    }
                ]
            },
        ),
    ],
)
def test_a_nul_byte_anywhere_in_an_api_request_is_a_json_400(api, synced, method, url, body):
    before = snapshot()
    response = api.request(method, url, json=body)
    assert response.status_code == 400
    assert "NUL" in response.json["detail"]
    assert snapshot() == before


def test_a_nul_byte_in_a_csv_cell_is_that_cells_error(synced):
    parsed = parse_csv(csv_bytes(row(full_name="Ana\x00Lima")))
    assert [str(e) for e in parsed.errors] == [
        "line 2: full_name: contains a NUL character (byte 0x00), which cannot be stored"
    ]


def test_a_nul_byte_in_a_csv_is_refused_by_the_import_command(runner, tmp_path, synced):
    path = tmp_path / "hires.csv"
    path.write_bytes(csv_bytes(row(department="Sto\x00res")))
    count = people()
    result = runner.invoke(args=["lms", "import-hires", str(path)])
    assert result.exit_code != 0
    assert "line 2: department: contains a NUL character" in result.output
    assert people() == count


# -- dates past any sane range ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_a_hire_date_outside_the_sane_range_is_a_csv_row_error(text):
    parsed = parse_csv(csv_bytes(row(hire_date=text)))
    assert [str(e) for e in parsed.errors] == [
        f"line 2: hire_date: {text} is outside the dates Attest accepts (1900-01-01 to 2199-12-31)"
    ]


def test_a_far_future_hire_date_is_refused_by_the_api(api, synced):
    before = snapshot()
    response = api.put(
        "/api/v1/employees/E8",
        json={"email": "b@example.com", "full_name": "Bo", "hire_date": "9999-12-31"},
    )
    assert response.status_code == 400
    assert response.json["problems"][0]["field"] == "hire_date"
    assert "outside the dates Attest accepts" in response.json["problems"][0]["message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    ["/api/v1/compliance?as_of=9999-12-31", "/api/v1/employees/H1/transcript?as_of=9999-12-31"],
)
def test_a_far_future_as_of_is_refused_by_the_api(api, org, url):
    response = api.get(url)
    assert response.status_code == 400
    assert response.json["problems"][0]["field"] == "as_of"


@pytest.mark.parametrize(
    "url",
    [
        "/hr/?as_of=9999-12-31",
        "/hr/assignments?as_of=9999-12-31",
        "/hr/assignments?due_to=9999-12-31",
        "/hr/assignments.csv?expires_from=0001-01-01",
        "/hr/modules/dignity?as_of=9999-12-31",
        "/hr/modules/dignity.csv?as_of=9999-12-31",
        "/hr/people/1?as_of=9999-12-31",
    ],
)
def test_a_far_future_filter_date_is_a_400_on_hr_pages(org, login, url):
    response = login(org.hr).get(url)
    assert response.status_code == 400
    assert "1900-01-01 to 2199-12-31" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "args",
    [
        [
            "lms",
            "create-user",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--hire-date",
            "9999-12-31",
        ],
        ["lms", "renew", "--as-of", "9999-12-31", "--dry-run"],
    ],
)
def test_a_far_future_date_is_refused_by_the_cli(runner, synced, args):
    count = people()
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert "outside the dates Attest accepts" in result.output
    assert people() == count


# -- integers past 64 bits --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/attempts/99999999999999999999"),
        ("POST", "/attempts/99999999999999999999"),
        ("GET", "/attempts/9223372036854775808/result"),
        ("GET", "/hr/people/99999999999999999999"),
        ("GET", "/hr/people/99999999999999999999.csv"),
        ("POST", "/hr/people/1/assignments/99999999999999999999/exemption"),
        ("POST", "/hr/import/people/99999999999999999999/invite"),
    ],
)
def test_an_id_past_the_database_range_is_a_404(org, login, method, url):
    response = login(org.hr).open(url, method=method)
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "9" * 5000, "-1", "²"])
@pytest.mark.parametrize(
    "url", ["/hr/people", "/hr/assignments", "/hr/audit", "/hr/modules/dignity"]
)
def test_a_page_number_out_of_range_shows_the_nearest_page(org, login, url, page):
    response = login(org.hr).get(f"{url}?page={page}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "cursor", ["after=99999999999999999999", "before=9223372036854775808", "after=²", "before=-1"]
)
@pytest.mark.parametrize("url", ["/hr/people", "/hr/assignments", "/hr/modules/dignity"])
def test_a_keyset_cursor_that_is_no_id_is_ignored(org, login, url, cursor):
    # A number past the id columns' range overflowed SQLite's driver: a 500.
    response = login(org.hr).get(f"{url}?{cursor}")
    assert response.status_code == 200


@pytest.mark.parametrize("manager", ["99999999999999999999", "9" * 5000, "²", "0"])
def test_a_manager_filter_past_the_id_range_is_a_400(org, login, manager):
    response = login(org.hr).get(f"/hr/assignments.csv?manager={manager}")
    assert response.status_code == 400
    assert "Choose a manager by name, email or employee number" in response.get_data(as_text=True)


def test_confirming_an_upload_id_past_the_id_range_is_a_400(org, login):
    data = {"staged_id": "99999999999999999999", "digest": "0" * 64}
    response = login(org.hr).post("/hr/import/confirm", data=data)
    assert response.status_code == 400


@pytest.mark.parametrize("page", ["99999999999999999999", "9" * 5000, "²", "1e3"])
def test_an_api_page_number_out_of_range_is_a_json_400(api, synced, page):
    response = api.get(f"/api/v1/employees?page={page}")
    assert response.status_code == 400
    assert response.json["problems"][0]["field"] == "page"


# -- CR/LF in ?next= --------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20x=1", "/ok%0a", "/%09tab", "/%7f"])
def test_a_next_url_with_control_characters_is_ignored(org, login, auth, target):
    client = login(org.hr)
    response = client.get(f"/login?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/hr/"  # HR's own landing page, not the target


def test_safe_next_refuses_control_characters():
    from lms.ops.redirects import safe_next

    assert safe_next("/hr/\r\nX: y") is None
    assert safe_next("/hr/people?q=ok") == "/hr/people?q=ok"


# -- CSV headers that are not UTF-8 text, and binary uploads ----------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"employee_id,em\xffail,full_name\n",
            'line 1: column 2: not UTF-8 (byte 0xFF); save the file as "CSV UTF-8"',
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            'line 1: column 1: not UTF-8 (byte 0x89); save the file as "CSV UTF-8"',
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
            "line 1: file: this is not a CSV text file (it holds byte 0x03); export the people as CSV",
        ),
        (
            bytes(range(256)),
            "line 1: file: this is not a CSV text file (it holds byte 0x00); export the people as CSV",
        ),
    ],
)
def test_a_header_that_is_not_utf8_text_is_a_clear_line_numbered_error(data, message):
    parsed = parse_csv(data)
    assert parsed.is_fatal
    assert str(parsed.errors[0]) == message
    assert all("\udc80" > c or c > "\udcff" for e in parsed.errors for c in str(e))


@pytest.mark.parametrize(
    "data",
    [b"employee_id,em\xffail\nx\n", bytes(range(256)), b"\x00" * 100, HEADER.encode() + b"\x00\n"],
)
def test_uploading_binary_or_a_bad_header_shows_the_problem(org, login, data):
    client = login(org.hr)
    form = {"file": (io.BytesIO(data), "hires.csv")}
    response = client.post("/hr/import/", data=form, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "line 1:" in response.get_data(as_text=True)


def test_the_import_command_reports_a_bad_header_byte(runner, tmp_path, synced):
    path = tmp_path / "hires.csv"
    path.write_bytes(b"employee_id,em\xffail,full_name\n")
    result = runner.invoke(args=["lms", "import-hires", str(path)])
    assert result.exit_code != 0
    assert "line 1: column 2: not UTF-8 (byte 0xFF)" in result.output


# -- API bodies: lone surrogates, deep nesting ------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"email": "c@example.com", "full_name": "A\\ud800", "hire_date": "2026-01-05"}',
        '{"email": "c@example.com", "full_name": "Ana", "hire_date": "2026-01-05", "\\udfff": "x"}',
    ],
)
def test_a_lone_surrogate_in_an_api_body_is_a_json_400(api, synced, body):
    before = snapshot()
    response = api.put("/api/v1/employees/E7", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_deeply_nested_json_is_a_json_400(api, synced, depth):
    before = snapshot()
    body = '{"employees": ' + "[" * depth + "]" * depth + "}"
    response = api.post("/api/v1/employees", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json["detail"]
    assert snapshot() == before


# -- unknown API query parameters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "name"),
    [
        ("GET", "/api/v1/employees?departmnet=Stores", "departmnet"),
        ("GET", "/api/v1/employees/H1?verbose=1", "verbose"),
        ("GET", "/api/v1/compliance?as_of=2026-01-01&moduel=dignity", "moduel"),
        ("GET", "/api/v1/modules?archived=true", "archived"),
        ("GET", "/api/v1/certificates/K7QD9XRMP2VAT3NB?x=1", "x"),
        ("PUT", "/api/v1/employees/E5?invites=true", "invites"),
    ],
)
def test_an_unknown_api_query_parameter_is_a_json_400_naming_it(api, org, method, url, name):
    before = snapshot()
    response = api.request(
        method, url, json={"email": "e@example.com", "full_name": "E", "hire_date": "2026-01-05"}
    )
    assert response.status_code == 400
    assert response.json["problems"] == [
        {
            "field": name,
            "message": "unknown query parameter; this operation takes "
            + response.json["problems"][0]["message"].split("takes ")[1],
        }
    ]
    assert name in response.json["detail"]
    assert snapshot() == before


def test_the_unknown_parameter_message_lists_the_known_ones(api, synced):
    response = api.get("/api/v1/employees?departmnet=Stores")
    assert response.json["problems"][0]["message"] == (
        "unknown query parameter; this operation takes department, status, after, page, per_page"
    )


def test_a_known_parameter_still_works(api, org):
    response = api.get("/api/v1/employees?department=Stores")
    assert response.status_code == 200
    assert {e["department"] for e in response.json["employees"]} == {"Stores"}


def test_nothing_is_audited_for_refused_input(api, synced):
    count = db.session.scalar(select(func.count(AuditEvent.id)))
    api.put("/api/v1/employees/E1\x00", json={"email": "x@example.com"})
    assert db.session.scalar(select(func.count(AuditEvent.id))) == count
