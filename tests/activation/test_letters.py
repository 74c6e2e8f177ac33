"""Printing activation letters: the CLI, HR's page and a manager's, one A4 page per person."""

import re

from sqlalchemy import select

from lms.activation.rules import code_hash, normalise_code
from lms.extensions import db
from lms.models import AuditEvent, UserToken
from tests.activation.conftest import code_on, login, page_qr, pdf_pages
from tests.factories import PASSWORD


def letters(runner, tmp_path, *options):
    out = tmp_path / "letters.pdf"
    result = runner.invoke(args=["lms", "activation-letters", "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return out.read_bytes(), result.output


def test_the_cli_prints_one_page_per_person_without_email(runner, tmp_path, team, app):
    pdf, output = letters(runner, tmp_path)
    assert "3 activation letter(s) written" in output
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) == 3
    # Ordered by department, then name: Delivery's Uma, then Stores' Sam and Tia.
    assert ["Uma Drive" in pages[0], "Sam Till" in pages[1], "Tia Till" in pages[2]] == [True] * 3
    sam = pages[1]
    assert app.config["LMS_ORG_NAME"].upper() in sam and "E-sam" in sam and "Valid until" in sam
    code = code_on(sam)
    # The QR code is the activation address with the same code.
    assert page_qr(pdf, tmp_path, page=2) == [f"http://attest.test/activate?code={code}"]
    # Stored hashed, 30 days, one per person.
    token = db.session.scalar(
        select(UserToken).where(UserToken.token_hash == code_hash(normalise_code(code)))
    )
    assert token.user_id == team["sam"].id and token.purpose == "activate"
    assert (token.expires_at - token.created_at).days == 30
    assert code.replace("-", "") not in {
        t.token_hash for t in db.session.scalars(select(UserToken))
    }
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "activation.letters_generated")
    )
    assert event.details == {"count": 3, "source": "cli", "department": None, "new_only": False}


def test_a_new_letter_retires_the_old_code(runner, tmp_path, team):
    first = code_on(
        pdf_pages(letters(runner, tmp_path, "--department", "Delivery")[0], tmp_path)[0]
    )
    second = code_on(
        pdf_pages(letters(runner, tmp_path, "--department", "Delivery")[0], tmp_path)[0]
    )
    assert first != second
    tokens = {
        t.token_hash: t
        for t in db.session.scalars(select(UserToken))
        if t.user_id == team["uma"].id
    }
    assert tokens[code_hash(normalise_code(first))].used_at is not None  # retired
    assert tokens[code_hash(normalise_code(second))].used_at is None


def test_new_only_skips_people_who_had_a_letter_or_signed_up(runner, tmp_path, team):
    letters(runner, tmp_path, "--department", "Delivery")
    team["tia"].password_hash = "x"  # Tia signed up some other way (a password set by hand)
    db.session.commit()
    pdf, output = letters(runner, tmp_path, "--new-only")
    assert "1 activation letter(s)" in output
    assert "Sam Till" in pdf_pages(pdf, tmp_path)[0]
    out = tmp_path / "none.pdf"
    result = runner.invoke(
        args=["lms", "activation-letters", "--department", "Nowhere", "--out", str(out)]
    )
    assert result.exit_code == 0 and "no one without email matches" in result.output
    assert not out.exists()


def post_letters(client, **data):
    page = client.get("/hr/letters").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post("/hr/letters", data={"csrf_token": csrf, **data})


def test_hr_prints_everyone_or_one_person_from_the_page(client, team, tmp_path):
    login(client, "hr@example.com", PASSWORD)
    page = client.get("/hr/letters").get_data(as_text=True)
    assert page.count("needs an activation letter") == 3 and "Erin" not in page
    response = post_letters(client)
    assert response.mimetype == "application/pdf"
    assert 'filename="activation-letters.pdf"' in response.headers["Content-Disposition"]
    assert len(pdf_pages(response.data, tmp_path)) == 3
    response = post_letters(client, user_id=str(team["sam"].id))
    pages = pdf_pages(response.data, tmp_path)
    assert len(pages) == 1 and "Sam Till" in pages[0]
    page = client.get("/hr/letters").get_data(as_text=True)
    assert "printed" in page and "Print a new letter" in page


def test_a_letter_for_someone_with_an_email_is_refused_clearly(client, team):
    login(client, "hr@example.com", PASSWORD)
    response = post_letters(client, user_id=str(team["erin"].id))
    assert response.status_code == 302
    page = client.get("/hr/letters").get_data(as_text=True)
    assert (
        "Erin Example has an email address (erin@example.com): send them an invitation instead"
        in page
    )
    assert db.session.scalar(select(UserToken.id).where(UserToken.purpose == "activate")) is None


def test_a_manager_prints_their_own_team_only(client, team, tmp_path):
    login(client, "mona@example.com", PASSWORD)
    page = client.get("/hr/letters").get_data(as_text=True)
    assert "Sam Till" in page and "Tia Till" in page and "Uma Drive" not in page
    pages = pdf_pages(post_letters(client).data, tmp_path)
    assert len(pages) == 2 and not any("Uma" in p for p in pages)
    assert post_letters(client, user_id=str(team["uma"].id)).status_code == 404
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "activation.letters_generated")
    ).one()
    assert event.actor_id == team["mona"].id
    assert event.details["count"] == 2 and event.details["scope"] == "team"
    login(client, "priya@example.com", PASSWORD)
    page = client.get("/hr/letters").get_data(as_text=True)
    assert "Uma Drive" in page and "Sam Till" not in page
    team["erin"].password_hash = team["hana"].password_hash
    db.session.commit()
    login(client, "erin@example.com", PASSWORD)  # manages no one
    assert client.get("/hr/letters").status_code == 403
