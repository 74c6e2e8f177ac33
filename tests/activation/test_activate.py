"""/activate: employee number + code, then a password; clear refusals, throttled, once only."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.activation.operations import MALFORMED, NO_MATCH, check_code, issue_letters
from lms.extensions import db
from lms.models import AuditEvent, User, UserToken
from lms.models.base import utcnow
from lms.people.invitations import use_token

NEW_PASSWORD = "tidal basin lantern orchard"


def print_letter(user) -> str:
    [letter] = issue_letters(
        [user], now=utcnow(), base_url="http://attest.test", actor_id=None, filters={}, source="cli"
    )
    db.session.commit()
    return letter.code


def activate(client, employee_id, code, password=NEW_PASSWORD, confirm=None, ip="192.0.2.9"):
    data = {
        "employee_id": employee_id,
        "code": code,
        "password": password,
        "confirm": confirm if confirm is not None else password,
    }
    return client.post("/activate", data=data, environ_base={"REMOTE_ADDR": ip})


def text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def test_the_letters_address_prefills_the_code(client, team):
    code = print_letter(team["sam"])
    page = client.get(f"/activate?code={code}")
    assert f'value="{code}"' in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"


def test_activating_sets_the_password_signs_in_and_is_audited(client, auth, team):
    code = print_letter(team["sam"])
    typed = code.lower().replace("-", " ")  # as typed by hand
    response = activate(client, "E-sam", typed)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Your password is set" in page and "E-sam" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activation.accepted"))
    assert event.user_id == team["sam"].id
    auth.logout()
    assert auth.login("E-sam", NEW_PASSWORD).status_code == 302
    # A used code cannot be used again, even by its owner.
    client.post("/logout")
    response = activate(client, "E-sam", code, password="another long passphrase here")
    assert response.status_code == 401
    assert "already been used" in text(response)


@pytest.mark.parametrize("employee_id", ["E-tia", "E-nobody", "E-erin", "e-sam"])
def test_a_code_with_the_wrong_employee_number_gets_the_same_answer(client, team, employee_id):
    code = print_letter(team["sam"])
    response = activate(client, employee_id, code)
    assert response.status_code == 401
    assert NO_MATCH in text(response)
    db.session.expire_all()
    assert db.session.get(User, team["sam"].id).password_hash is None


def test_a_wrong_code_gets_the_same_answer_as_an_unknown_employee(client, team):
    print_letter(team["sam"])
    known = text(activate(client, "E-sam", "K7QD-9XRM-P2VA-T3NB"))
    unknown = text(activate(client, "E-nobody", "K7QD-9XRM-P2VA-T3NB"))
    assert NO_MATCH in known and NO_MATCH in unknown
    strip = lambda page: page.replace("E-sam", "").replace("E-nobody", "")  # noqa: E731
    assert strip(known) == strip(unknown)


def test_a_malformed_code_says_what_a_code_looks_like(client, team):
    response = activate(client, "E-sam", "12345")
    assert response.status_code == 401 and MALFORMED in text(response)


def test_an_expired_code_says_so(client, team):
    code = print_letter(team["sam"])
    db.session.execute(update(UserToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = activate(client, "E-sam", code)
    assert response.status_code == 401 and "has expired" in text(response)


def test_a_replaced_code_no_longer_works(client, team):
    old = print_letter(team["sam"])
    new = print_letter(team["sam"])
    assert "already been used or replaced" in text(activate(client, "E-sam", old))
    assert activate(client, "E-sam", new).status_code == 302


def test_a_weak_password_is_refused_and_the_code_still_works(client, team):
    code = print_letter(team["sam"])
    response = activate(client, "E-sam", code, password="password1234")
    assert response.status_code == 200 and 'class="error"' in text(response)
    response = activate(client, "E-sam", code, confirm="something else entirely")
    assert "The two passwords differ." in text(response)
    assert activate(client, "E-sam", code).status_code == 302


def test_a_terminated_person_cannot_activate(client, team):
    code = print_letter(team["sam"])
    team["sam"].is_active = False
    db.session.commit()
    assert NO_MATCH in text(activate(client, "E-sam", code))


@pytest.fixture
def limited(app_with, team):
    return app_with(RATELIMIT_ENABLED=True)


def test_guesses_at_one_employee_number_are_throttled_from_any_address(limited, team):
    # Ids read here, in the test's own app context: an expired object refreshed inside the
    # other app's context would borrow a connection from that app's pool and leave it open.
    sam_id, tia_id = team["sam"].id, team["tia"].id
    with limited.app_context():
        code = print_letter(db.session.get(User, sam_id))
    client = limited.test_client()
    guesses = [
        activate(client, "E-sam", f"K7QD-9XRM-P2VA-T{n:03d}", ip=f"203.0.113.{n}").status_code
        for n in range(11)
    ]
    assert guesses == [401] * 10 + [429]
    # The right code waits out the window too; another person is not held up.
    assert activate(limited.test_client(), "E-sam", code, ip="198.51.100.1").status_code == 429
    with limited.app_context():
        tia_code = print_letter(db.session.get(User, tia_id))
    assert activate(limited.test_client(), "E-tia", tia_code, ip="203.0.113.1").status_code == 302


def test_one_address_is_throttled_across_employee_numbers(limited, team):
    client = limited.test_client()
    statuses = [
        activate(client, f"E-{n}", "K7QD-9XRM-P2VA-T3NB", ip="192.0.2.77").status_code
        for n in range(31)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:30]


def test_a_code_claimed_by_another_request_after_the_check_changes_nothing(team):
    """The claim is the UPDATE, as for links (lms.people.invitations.use_token)."""
    code = print_letter(team["sam"])
    found, user = check_code("E-sam", code, utcnow())
    # Another instance passed the same checks and claimed the code first.
    db.session.execute(update(UserToken).where(UserToken.id == found.id).values(used_at=utcnow()))
    before = (user.password_hash, user.session_version)
    assert use_token(found, user, NEW_PASSWORD, utcnow()) is False
    db.session.commit()
    db.session.refresh(user)
    assert (user.password_hash, user.session_version) == before
