"""New passwords: at least 12 characters, not common or breached (zxcvbn), no composition rules."""

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import User
from lms.models.base import utcnow
from lms.people.invitations import INVITE, RESET, issue_token
from lms.people.passwords import MAX_LENGTH, password_problem
from tests.factories import make_employee

GUESSABLE = "This password is too easy to guess"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("aaaaaaaaaaaa", GUESSABLE),
        ("password1234", GUESSABLE),
        ("qwertyuiopasdf", GUESSABLE),
        ("123456789012", GUESSABLE),
        ("iloveyou2024!", GUESSABLE),
        ("short", "Use at least 12 characters."),
        ("x" * (MAX_LENGTH + 1), f"Use at most {MAX_LENGTH} characters."),
        ("correct horse battery", None),
        ("my cat sleeps on the radiator", None),
        ("all lowercase no digits or symbols", None),  # no composition rules
        ("a long passphrase of many words " * 4, None),  # past what is scored: still fine
    ],
)
def test_password_rules(password, problem):
    found = password_problem(password)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)


def test_the_refusal_says_why():
    assert 'Repeats like "aaa" are easy to guess.' in password_problem("aaaaaaaaaaaa")
    assert "common password" in password_problem("password1234")


def test_a_password_made_of_the_persons_own_name_is_refused():
    known = ["Zebulon Quixotic", "zebulon.quixotic@example.com"]
    assert password_problem("zebulonquixotic", []) is None
    assert password_problem("zebulonquixotic", known).startswith(GUESSABLE)


@pytest.mark.parametrize("purpose", [INVITE, RESET])
def test_an_emailed_link_refuses_a_breached_password(app, client, purpose):
    erin = make_employee()
    token = issue_token(erin, purpose, utcnow())
    db.session.commit()
    before = erin.password_hash
    response = client.post(
        f"/{purpose}/{token}", data={"password": "password1234", "confirm": "password1234"}
    )
    assert response.status_code == 200 and GUESSABLE in response.get_data(as_text=True)
    assert db.session.scalar(select(User.password_hash).where(User.id == erin.id)) == before


@pytest.mark.parametrize("command", ["create-user", "create-admin"])
def test_the_cli_refuses_a_breached_password(runner, app, command):
    result = runner.invoke(
        args=[
            "lms",
            command,
            "--email",
            "a@example.com",
            "--name",
            "Ann Other",
            "--password-stdin",
        ],
        input="aaaaaaaaaaaa\n",
    )
    assert result.exit_code != 0 and GUESSABLE in result.output, result.output
    assert db.session.scalar(select(User).where(User.email == "a@example.com")) is None


def test_scoring_a_long_password_never_fails(app, client):
    """zxcvbn refuses over 72 characters; only that many are scored."""
    erin = make_employee()
    token = issue_token(erin, RESET, utcnow())
    db.session.commit()
    long = re.sub(r"\s", "-", "a long passphrase made of many words " * 3)[:MAX_LENGTH]
    response = client.post(f"/reset/{token}", data={"password": long, "confirm": long})
    assert response.status_code == 302
