"""Email changes by import: never an HR user's, never by email match, and each one ends sessions."""

from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEvent, OutboxMessage, User
from lms.models.base import utcnow
from lms.people.invitations import INVITE, RESET, find_token, issue_token
from tests.hr.importing import csv_bytes, row


def run_import(runner, tmp_path, *lines: str):
    path = tmp_path / "hires.csv"
    path.write_bytes(csv_bytes(*lines))
    return runner.invoke(args=["lms", "import-hires", str(path)])


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_an_import_cannot_change_an_hr_users_email(runner, tmp_path, org):
    result = run_import(runner, tmp_path, row("H1", "mallory@evil.example", "Hana Reyes", "People"))
    assert result.exit_code == 1
    assert (
        "line 2: email: hr@example.com is an HR user: an import or the API cannot change an HR "
        "user's email (to mallory@evil.example); they change it themselves, signed in"
    ) in result.output
    assert "nothing was imported" in result.output
    assert fresh(org.hr).email == "hr@example.com"


def test_an_import_changing_an_email_signs_out_retires_links_and_queues_a_notice(
    runner, tmp_path, org
):
    ada = org.emp_a1
    version = ada.session_version
    reset = issue_token(ada, RESET, utcnow())
    invite = issue_token(ada, INVITE, utcnow())
    db.session.commit()
    line = row("A1", "ada.a@example.com", "Ada Adeyemi", "Stores", manager_email="lee@example.com")
    result = run_import(runner, tmp_path, line)
    assert result.exit_code == 0, result.output
    assert "email changes: 1, each signed out everywhere" in result.output
    ada = fresh(ada)
    assert ada.email == "ada.a@example.com" and ada.session_version == version + 1
    assert (
        find_token(reset, RESET, utcnow()) is None and find_token(invite, INVITE, utcnow()) is None
    )
    [notice] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email_changed")
    ).all()
    assert (notice.to_email, notice.to_user_id, notice.about_user_id) == (
        "ada@example.com",
        None,
        ada.id,
    )
    assert "an import of the HR system's employee file" in " ".join(notice.text_body.split())
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.email_changed"))
    assert (event.user_id, event.details["source"]) == (ada.id, "cli")


def test_set_employee_id_links_someone_added_by_hand_and_the_import_then_updates_them(
    runner, tmp_path, org
):
    lee = org.lead_a  # added by hand: no employee_id
    line = row("L1", "lee@example.com", "Lee Lead", "Online", manager_email="sam@example.com")
    refused = run_import(runner, tmp_path, line)
    assert refused.exit_code == 1
    assert "flask lms set-employee-id lee@example.com L1" in refused.output
    assert fresh(lee).employee_id is None

    linked = runner.invoke(args=["lms", "set-employee-id", "Lee@Example.com", "L1"])
    assert linked.exit_code == 0 and "lee@example.com now has the employee id L1" in linked.output
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "person.employee_id_set")
    )
    assert (event.user_id, event.details["employee_id"]) == (lee.id, "L1")

    assert run_import(runner, tmp_path, line).exit_code == 0
    assert fresh(lee).department == "Online"


def test_set_employee_id_refuses_to_relink_or_take_a_used_id(runner, org):
    taken = runner.invoke(args=["lms", "set-employee-id", "lee@example.com", "A1"])
    assert taken.exit_code == 1 and "someone else has the employee id A1" in taken.output
    relink = runner.invoke(args=["lms", "set-employee-id", "ada@example.com", "A9"])
    assert relink.exit_code == 1 and "already has the employee id A1" in relink.output
    nobody = runner.invoke(args=["lms", "set-employee-id", "zed@example.com", "Z1"])
    assert nobody.exit_code == 1 and "no one has the email zed@example.com" in nobody.output


def test_the_upload_page_refuses_an_hr_users_email_change_as_a_row_problem(org, login):
    import io

    client = login(org.hr)
    data = csv_bytes(row("H1", "mallory@evil.example", "Hana Reyes", "People"))
    page = client.post(
        "/hr/import/",
        data={"file": (io.BytesIO(data), "hires.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "hr@example.com is an HR user" in page and "mallory@evil.example" in page
    assert fresh(org.hr).email == "hr@example.com"


def test_the_upload_page_says_what_an_email_change_will_do_before_hr_confirms(org, login):
    import io

    client = login(org.hr)
    line = row("A1", "ada.a@example.com", "Ada Adeyemi", "Stores", manager_email="lee@example.com")
    page = client.post(
        "/hr/import/",
        data={"file": (io.BytesIO(csv_bytes(line)), "hires.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1 person&#39;s email changes: each is signed out everywhere" in page
    assert fresh(org.emp_a1).email == "ada@example.com", "nothing changes before HR confirms"
