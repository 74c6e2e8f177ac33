"""Reading the HR system's CSV export: `lms.imports.csvfile.parse_csv`, no database."""

from datetime import date

import pytest

from lms.imports.csvfile import parse_csv
from tests.hr.importing import HEADER, csv_bytes, row


def errors_of(data: bytes) -> list[str]:
    return [str(e) for e in parse_csv(data).errors]


def test_a_clean_file_gives_one_clean_row_per_record():
    parsed = parse_csv(
        csv_bytes(
            row(), row("E2", "ben@example.com", "Ben Okafor", manager_email="ana@example.com")
        )
    )
    assert parsed.errors == [] and not parsed.is_fatal
    ana, ben = parsed.rows
    assert (ana.line, ana.employee_id, ana.email, ana.full_name) == (
        2,
        "E1",
        "ana@example.com",
        "Ana Lima",
    )
    assert (ana.department, ana.role, ana.hire_date) == ("Stores", "Cashier", date(2026, 3, 2))
    assert ana.manager_email is None and not ana.is_terminated
    assert (ben.line, ben.manager_email) == (3, "ana@example.com")


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_utf8_with_or_without_bom_and_any_line_ending_read_the_same(bom, newline):
    parsed = parse_csv(csv_bytes(row(), row("E2", "ben@example.com"), bom=bom, newline=newline))
    assert parsed.errors == []
    assert [(r.line, r.employee_id) for r in parsed.rows] == [(2, "E1"), (3, "E2")]


def test_columns_may_come_in_any_order_and_header_case():
    header = "Manager_Email,hire_date,ROLE,department,full_name,email,employee_id"
    parsed = parse_csv(
        csv_bytes(",2026-03-02,Cashier,Stores,Ana Lima,ana@example.com,E1", header=header)
    )
    assert parsed.errors == []
    only = parsed.rows[0]
    assert (only.employee_id, only.email, only.role, only.hire_date) == (
        "E1",
        "ana@example.com",
        "Cashier",
        date(2026, 3, 2),
    )


def test_quoted_fields_hold_commas_quotes_and_line_breaks_and_lines_stay_physical():
    data = csv_bytes(
        'E1,ana@example.com,"Lima, Ana",Stores,"Cashier, ""senior""",2026-03-02,',
        'E2,ben@example.com,"Ben\nOkafor",Stores,"Night\r\nshift\nlead",2026-03-02,',
        "E3,cy@example.com,Cy,Stores,Cashier,2026-13-01,",
        newline="\r\n",
    )
    parsed = parse_csv(data)
    assert [(r.line, r.employee_id) for r in parsed.rows] == [(2, "E1"), (3, "E2"), (7, "E3")]
    assert parsed.rows[0].full_name == "Lima, Ana"
    assert parsed.rows[0].role == 'Cashier, "senior"'
    assert parsed.rows[1].full_name == "Ben Okafor"  # whitespace in names is collapsed
    assert parsed.rows[1].role == "Night shift lead"
    assert [str(e) for e in parsed.errors] == ["line 7: hire_date: 2026-13-01 is not a real date"]


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ødegård",
        "Nguyễn Thị Minh Khai",
        "Лев Толстой",
        "محمد علي",
        "山田 太郎",
        "דוד כהן",
        "Σωκράτης Παπαδόπουλος",
        "अनीता देसाई",
        "김민준",
        "Siobhán Ní Bhriain",
    ],
)
def test_names_in_any_script_are_kept_exactly(name):
    parsed = parse_csv(csv_bytes(row(full_name=name)))
    assert parsed.errors == [] and parsed.rows[0].full_name == name


def test_blank_lines_are_skipped_without_shifting_line_numbers():
    parsed = parse_csv(
        csv_bytes("", row(), ",,,,,,", "", row("E2", "ben@example.com", hire_date="bad"))
    )
    assert [r.line for r in parsed.rows] == [3, 6]
    assert errors_of(
        csv_bytes("", row(), ",,,,,,", "", row("E2", "ben@example.com", hire_date="bad"))
    ) == ["line 6: hire_date: 'bad' is not a date; use YYYY-MM-DD"]


@pytest.mark.parametrize(
    ("value", "terminated", "error"),
    [
        ("", False, None),
        ("active", False, None),
        ("terminated", True, None),
        ("Terminated", True, None),
        (" ACTIVE ", False, None),
        ("left", False, "line 2: status: 'left' is not a status; use active or terminated"),
    ],
)
def test_status_is_optional_and_either_active_or_terminated(value, terminated, error):
    parsed = parse_csv(csv_bytes(row() + "," + value, header=HEADER + ",status"))
    assert [str(e) for e in parsed.errors] == ([error] if error else [])
    if not error:
        assert parsed.rows[0].is_terminated is terminated


def test_emails_are_normalised_to_lower_case():
    parsed = parse_csv(
        csv_bytes(row(email=" Ana.Lima@Example.COM ", manager_email="Boss@Example.com"))
    )
    assert (parsed.rows[0].email, parsed.rows[0].manager_email) == (
        "ana.lima@example.com",
        "boss@example.com",
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            row(hire_date="03/02/2026"),
            "line 2: hire_date: '03/02/2026' is not a date; use YYYY-MM-DD",
        ),
        (row(hire_date="2026-3-2"), "line 2: hire_date: '2026-3-2' is not a date; use YYYY-MM-DD"),
        (row(hire_date="20260302"), "line 2: hire_date: '20260302' is not a date; use YYYY-MM-DD"),
        (
            row(hire_date="2026-03-02T09:00"),
            "line 2: hire_date: '2026-03-02T09:00' is not a date; use YYYY-MM-DD",
        ),
        (row(hire_date="2026-02-29"), "line 2: hire_date: 2026-02-29 is not a real date"),
        (row(hire_date=""), "line 2: hire_date: a value is required"),
        (row(employee_id=" "), "line 2: employee_id: a value is required"),
        (row(full_name=""), "line 2: full_name: a value is required"),
        (
            row(email="ana.example.com"),
            "line 2: email: 'ana.example.com' is not an email address (An email address must have an @-sign.)",
        ),
        (
            row(manager_email="boss@"),
            "line 2: manager_email: 'boss@' is not an email address (There must be something after the @-sign.)",
        ),
        (row(full_name="x" * 201), "line 2: full_name: longer than 200 characters"),
        (row(employee_id="9" * 65), "line 2: employee_id: longer than 64 characters"),
        (
            row(manager_email="b" * 243 + "@example.com"),
            "line 2: manager_email: longer than 254 characters",
        ),
        (row() + ",extra", "line 2: row: 8 values, but the header has 7 columns"),
        ("E1,ana@example.com,Ana", "line 2: row: 3 values, but the header has 7 columns"),
        (
            'E1,ana@example.com,"Ana" Lima,Stores,Cashier,2026-03-02,',
            "line 2: row: ',' expected after '\"'",
        ),
    ],
)
def test_every_bad_value_is_reported_as_line_column_problem(line, expected):
    assert errors_of(csv_bytes(line)) == [expected]


def test_an_empty_email_is_someone_without_email_and_neither_is_refused():
    assert errors_of(csv_bytes(row(email=""))) == []
    assert errors_of(csv_bytes(row(employee_id="", email=""))) == [
        "line 2: employee_id: a value is required",
        "line 2: email: empty, and so is employee_id: a person needs an employee_id "
        "(and an email if they have one)",
    ]


@pytest.mark.parametrize(
    ("employee_id", "full_name"),
    [("E1", "x" * 200), ("9" * 64, "Ana Lima")],
)
def test_values_as_long_as_their_column_allows_are_kept(employee_id, full_name):
    parsed = parse_csv(csv_bytes(row(employee_id=employee_id, full_name=full_name)))
    assert parsed.errors == []
    assert (parsed.rows[0].employee_id, parsed.rows[0].full_name) == (employee_id, full_name)


def test_an_employee_id_is_kept_as_the_hr_system_wrote_it_inside_its_outer_spaces():
    # Rows upsert by employee_id: changing a character inside it would make a new person.
    parsed = parse_csv(
        csv_bytes('" E  1\r\nB ",ana@example.com,"Ana\r\nLima",Stores,Cashier,2026-03-02,')
    )
    assert parsed.errors == []
    assert (parsed.rows[0].employee_id, parsed.rows[0].full_name) == ("E  1\r\nB", "Ana Lima")


def test_a_row_with_the_wrong_number_of_values_does_not_stop_the_rows_after_it():
    parsed = parse_csv(csv_bytes("E1,ana@example.com", row("E2", "ben@example.com")))
    assert [str(e) for e in parsed.errors] == [
        "line 2: row: 2 values, but the header has 7 columns"
    ]
    assert [(r.line, r.employee_id) for r in parsed.rows] == [(3, "E2")]


def test_a_row_may_have_several_problems_and_all_are_listed():
    assert errors_of(csv_bytes(row(email="nope", hire_date="2026/03/02", manager_email="x"))) == [
        "line 2: email: 'nope' is not an email address (An email address must have an @-sign.)",
        "line 2: hire_date: '2026/03/02' is not a date; use YYYY-MM-DD",
        "line 2: manager_email: 'x' is not an email address (An email address must have an @-sign.)",
    ]


def test_a_quote_never_closed_is_reported_where_it_starts():
    data = csv_bytes(
        row(),
        'E2,ben@example.com,"Ben Okafor,Stores,Cashier,2026-03-02,',
        row("E3", "cy@example.com"),
    )
    parsed = parse_csv(data)
    assert [str(e) for e in parsed.errors] == [
        'line 3: row: a quoted value is never closed (a missing ")'
    ]
    assert [r.line for r in parsed.rows] == [2]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ["line 1: file: the file is empty; the first line must be the header row"]),
        (
            b"\xef\xbb\xbf",
            ["line 1: file: the file is empty; the first line must be the header row"],
        ),
        (b" \r\n\n", ["line 1: file: the file is empty; the first line must be the header row"]),
        (
            HEADER.encode("utf-16"),
            ['line 1: file: the file is UTF-16; save it as "CSV UTF-8" and try again'],
        ),
        (
            b"\xff\xfe" + HEADER.encode("utf-16-le"),
            ['line 1: file: the file is UTF-16; save it as "CSV UTF-8" and try again'],
        ),
        (
            b"\xfe\xff" + HEADER.encode("utf-16-be"),
            ['line 1: file: the file is UTF-16; save it as "CSV UTF-8" and try again'],
        ),
        (b'"employee_id,email\n', ['line 1: row: a quoted value is never closed (a missing ")']),
        (
            csv_bytes(row(), header="employee_id,email,full_name,department,role,hire_date"),
            ["line 1: manager_email: missing required column"],
        ),
        (
            csv_bytes(row() + ",100", header=HEADER + ",salary"),
            [
                "line 1: salary: unknown column; the columns are employee_id, email, full_name, "
                "department, role, hire_date, manager_email, status"
            ],
        ),
        (
            csv_bytes(row() + ",x@example.com", header=HEADER + ",Email"),
            ["line 1: email: this column appears twice in the header"],
        ),
        (
            csv_bytes(row() + ",", header=HEADER + ","),
            ["line 1: column 8: the header names no column here"],
        ),
        (
            csv_bytes("ana@example.com,Ana", header="email,full_name"),
            [
                "line 1: employee_id: missing required column",
                "line 1: department: missing required column",
                "line 1: role: missing required column",
                "line 1: hire_date: missing required column",
                "line 1: manager_email: missing required column",
            ],
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_fatal_with_its_problems_listed(data, expected):
    parsed = parse_csv(data)
    assert parsed.is_fatal and parsed.rows == []
    assert [str(e) for e in parsed.errors] == expected


def test_a_header_with_no_rows_is_not_an_error():
    parsed = parse_csv(csv_bytes())
    assert parsed.errors == [] and parsed.rows == [] and not parsed.is_fatal


def test_bytes_that_are_not_utf8_are_reported_in_their_row_and_column():
    data = csv_bytes(
        row(), row("E2", "jose@example.com", "José Núñez"), row("E3", "cy@example.com")
    )
    latin1 = data.decode().encode("latin-1")
    parsed = parse_csv(latin1)
    assert [str(e) for e in parsed.errors] == [
        'line 3: full_name: not UTF-8 (byte 0xE9); save the file as "CSV UTF-8"'
    ]
    assert [(r.line, r.full_name) for r in parsed.rows] == [
        (2, "Ana Lima"),
        (3, None),
        (4, "Ana Lima"),
    ]
    assert not parsed.is_fatal


# -- plain addresses: checked without email_validator, with its answer -------------------------

PLAIN_CASES = [
    ("ana@example.com", "ana@example.com"),
    ("Ana.Lima@Example.COM", "ana.lima@example.com"),
    ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
    ("a_b-c@my-host.example.org", "a_b-c@my-host.example.org"),
    ("x" * 64 + "@example.com", "x" * 64 + "@example.com"),
    ("x" * 65 + "@example.com", None),  # local part too long: email_validator says so
    ("ana@localhost", None),  # no dot, and special-use
    ("ana@host.test", None),  # special-use names are email_validator's to refuse
    ("ana@host.LOCAL", None),
    ("ana@xn--bcher-kva.example", None),  # IDNA: email_validator decodes and checks it
    ("ana@example.123", None),  # a numeric top-level label
    ("ana@-bad.example.com", None),
    ("ana@bad-.example.com", None),
    ("ana..lima@example.com", None),
    (".ana@example.com", None),
    ("ana.@example.com", None),
    ('"ana"@example.com', None),
    ("ana@[192.0.2.1]", None),
    ("zoë@example.com", None),
    ("ana@exämple.com", None),
    ("ana@example.com.", None),
    ("ana@", None),
    ("@example.com", None),
    ("ana", None),
]


@pytest.mark.parametrize(("text", "expected"), PLAIN_CASES)
def test_plain_addresses_are_checked_without_email_validator(text, expected):
    from email_validator import EmailNotValidError, validate_email

    from lms.imports.csvfile import plain_email

    assert plain_email(text) == expected
    if expected is not None:
        assert validate_email(text, check_deliverability=False).normalized.lower() == expected
    else:  # refused here: email_validator decides, as before
        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            pass


def test_the_plain_path_knows_email_validators_special_use_names():
    import email_validator

    from lms.imports.csvfile import SPECIAL_USE

    assert set(email_validator.SPECIAL_USE_DOMAIN_NAMES) == SPECIAL_USE


def test_whatever_the_plain_path_accepts_email_validator_accepts_the_same():
    from email_validator import EmailNotValidError, validate_email
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from lms.imports.csvfile import plain_email

    label = st.text(alphabet="abcXYZ019-_.+", min_size=1, max_size=70)
    domain = st.lists(
        st.text(alphabet="abcXYZ09-", min_size=1, max_size=66), min_size=1, max_size=4
    )
    tld = st.sampled_from(["com", "ORG", "uk", "test", "local", "c", "123", "xn--p1ai", "co1"])

    @settings(max_examples=400, deadline=None)
    @given(label, domain, tld)
    def check(local, labels, top):
        text = f"{local}@{'.'.join([*labels, top])}"
        plain = plain_email(text)
        if plain is None:
            return
        try:
            expected = validate_email(text, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise AssertionError(f"{text!r} accepted here, refused by email_validator") from exc
        assert plain == expected

    check()
