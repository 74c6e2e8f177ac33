"""Server-side sessions: signing out ends a session for good, and every session ends on its own."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import text

from lms.extensions import db
from tests.factories import PASSWORD, make_employee


def sign_in(client, remember=False, email="erin@example.com"):
    data = {"email": email, "password": PASSWORD} | ({"remember": "y"} if remember else {})
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found is not None else None


def replay(browser, **cookies):
    """A browser holding only these copied cookies."""
    thief = browser()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def opened_cookies(app) -> dict:
    return app.session_interface._for_keys(app)[2]


def test_a_session_cookie_copied_before_signing_out_is_refused_after(app, client, erin, browser):
    sign_in(client)
    stolen = cookie(client, "session")
    assert is_signed_in(replay(browser, session=stolen))
    assert client.post("/logout").status_code == 302
    assert not is_signed_in(client)
    # The worker still has the cookie's signature checked and remembered: the
    # database's record of the session is what refuses it.
    assert stolen in opened_cookies(app)
    assert not is_signed_in(replay(browser, session=stolen))


def test_a_remember_me_cookie_copied_before_signing_out_is_refused_after(client, erin, browser):
    sign_in(client, remember=True)
    stolen = cookie(client, "remember_token")
    assert stolen and is_signed_in(replay(browser, remember_token=stolen))
    client.post("/logout")
    assert cookie(client, "remember_token") is None
    assert not is_signed_in(replay(browser, remember_token=stolen))


def test_remember_me_cookies_are_new_on_every_sign_in(client, erin, browser):
    values = set()
    for _ in range(3):
        one = browser()
        sign_in(one, remember=True)
        values.add(cookie(one, "remember_token"))
    assert len(values) == 3


def test_the_database_holds_only_a_hash_of_what_the_cookies_carry(app, client, erin):
    sign_in(client, remember=True)
    remembered = cookie(client, "remember_token")
    token = remembered.split("|")[0]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 256 random bits
    rows = db.session.execute(text("SELECT token_hash, is_remembered FROM user_sessions")).all()
    assert len(rows) == 1 and rows[0].is_remembered
    assert token not in rows[0].token_hash and len(rows[0].token_hash) == 64


def test_signing_out_ends_the_persons_other_sessions_too(client, erin, browser):
    # DESIGN "Signing in": signing out ends every other session, remembered ones included.
    phone, laptop = browser(), browser()
    sign_in(phone)
    sign_in(laptop, remember=True)
    kept = cookie(laptop, "remember_token")
    sign_in(client)
    client.post("/logout")
    assert not is_signed_in(phone) and not is_signed_in(laptop)
    assert not is_signed_in(replay(browser, remember_token=kept))


def test_signing_out_leaves_other_peoples_sessions_alone(client, erin, browser):
    make_employee(email="sam@example.com", full_name="Sam Other")
    sam = browser()
    sign_in(sam, email="sam@example.com")
    sign_in(client)
    client.post("/logout")
    assert is_signed_in(sam)


def test_a_remembered_sign_in_lasts_the_remember_days_and_no_longer(app, client, erin, browser):
    assert app.config["LMS_REMEMBER_DAYS"] == 30
    sign_in(client, remember=True)
    kept = cookie(client, "remember_token")
    with time_machine.travel(timedelta(days=29, hours=23)):
        assert is_signed_in(replay(browser, remember_token=kept))
    with time_machine.travel(timedelta(days=30, minutes=1)):
        assert not is_signed_in(replay(browser, remember_token=kept))
        assert not is_signed_in(client)


def test_a_plain_sign_in_ends_on_its_own_after_the_session_hours(app, client, erin):
    assert app.config["LMS_SESSION_HOURS"] == 12
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=31)  # Flask's default
    sign_in(client)
    with time_machine.travel(timedelta(hours=11, minutes=59)):
        assert is_signed_in(client)
    with time_machine.travel(timedelta(hours=12, minutes=1)):
        assert not is_signed_in(client)


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_raising_session_version_ends_every_session_and_remember_me_token(
    client, erin, browser, how
):
    """Other code (leavers in the import, a change of email) relies on exactly this."""
    sign_in(client, remember=True)
    kept = cookie(client, "remember_token")
    other = browser()
    sign_in(other)
    if how == "orm":
        erin.session_version += 1
    else:
        db.session.execute(
            text("UPDATE users SET session_version = session_version + 1 WHERE id = :id"),
            {"id": erin.id},
        )
    db.session.commit()
    assert not is_signed_in(client) and not is_signed_in(other)
    assert not is_signed_in(replay(browser, remember_token=kept))
    sign_in(browser())  # a new sign-in works under the new version


def test_end_all_sessions_raises_session_version_for_each_person(client, erin, browser):
    from lms.people.operations import end_all_sessions

    sign_in(client, remember=True)
    end_all_sessions([erin.id])
    db.session.commit()
    assert not is_signed_in(client)


def test_a_cookie_from_before_server_side_sessions_is_refused(app, client, erin, count_queries):
    # The old cookie named "user id:session_version": it names no session now.
    with client.session_transaction() as old:
        old["_user_id"] = f"{erin.id}:{erin.session_version}"
    counter, response = count_queries(lambda: client.get("/"))
    assert response.status_code == 302 and counter.count == 0


def test_signing_in_again_clears_the_person_s_ended_sessions(client, erin, browser):
    for _ in range(3):
        one = browser()
        sign_in(one)
        one.post("/logout")
    sign_in(client)
    count = db.session.execute(text("SELECT count(*) FROM user_sessions")).scalar()
    assert count == 1


def test_a_signed_in_page_still_reads_the_person_and_session_in_one_statement(
    client, erin, count_queries
):
    sign_in(client, remember=True)
    client.get("/")
    counter, response = count_queries(lambda: client.get("/"))
    assert response.status_code == 200
    (statement,) = [s for s in counter.statements if "user_sessions" in s]
    assert "users" in statement and counter.count == 1, counter.statements


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page).group(1)


def test_the_csrf_token_from_before_sign_in_is_refused_after(app, client, erin):
    app.config["WTF_CSRF_ENABLED"] = True
    before = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"email": "erin@example.com", "password": PASSWORD, "csrf_token": before}
    assert client.post("/login", data=data).status_code == 302
    # Whoever saw the sign-in page's token (it sits in the page) cannot act for Erin now.
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert is_signed_in(client)
    after = csrf_token(client.get("/").get_data(as_text=True))
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
    assert not is_signed_in(client)
