"""The learner's cached pages: never stale, per person, and with each session's own CSRF token.

The revision triggers are checked table by table (one person's change moves only their
revision; a content change moves everyone's), then the pages are driven through the
writes that bypass the ORM (bulk UPDATEs, as renewal and HR tools issue).
"""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete, insert, select, update

from lms.extensions import db
from lms.learn.operations import current_version
from lms.models import Assignment, Attempt, Module, ModuleVersion, User
from lms.models.base import utcnow, utctoday
from lms.models.revisions import PAUSES, revisions_raised_once
from lms.web import pagecache
from tests.conftest import IsolatedClient
from tests.engines import listening
from tests.factories import PASSWORD, make_employee


@pytest.fixture
def erin(synced):
    return make_employee(hire_date=utctoday())


@pytest.fixture
def sam(synced):
    return make_employee(email="sam@example.com", full_name="Sam Other", hire_date=utctoday())


def revs() -> dict[str, int]:
    db.session.expire_all()
    return dict(db.session.execute(select(User.email, User.training_rev)).all())


def erins_assignment() -> Assignment:
    erin = select(User.id).where(User.email == "erin@example.com").scalar_subquery()
    return db.session.scalar(select(Assignment).where(Assignment.user_id == erin))


def new_attempt(assignment: Assignment) -> dict:
    return {
        "assignment_id": assignment.id,
        "user_id": assignment.user_id,
        "module_version_id": current_version(assignment.module_id).id,
        "cycle": assignment.cycle,
        "drawn": [],
    }


WRITES = {
    "insert an attempt": lambda a: insert(Attempt).values(new_attempt(a)),
    "bulk-update assignments": lambda a: (
        update(Assignment)
        .where(Assignment.id == a.id)
        .values(extra_attempts=Assignment.extra_attempts + 1)
    ),
    "delete attempts": lambda a: delete(Attempt).where(Attempt.assignment_id == a.id),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_a_change_to_ones_training_raises_only_ones_own_revision(app, erin, sam, write):
    assignment = erins_assignment()
    if write == "delete attempts":
        db.session.execute(WRITES["insert an attempt"](assignment))
        db.session.commit()
    before = revs()
    db.session.execute(WRITES[write](assignment))
    db.session.commit()
    after = revs()
    assert after["erin@example.com"] > before["erin@example.com"]
    assert after["sam@example.com"] == before["sam@example.com"]


def test_a_bulk_write_raises_each_named_person_once_and_then_the_triggers_resume(app, erin, sam):
    assignment = erins_assignment()
    before = revs()
    with revisions_raised_once([erin.id]):
        for write in WRITES.values():  # three rows written, in two tables
            db.session.execute(write(assignment))
        db.session.flush()
        assert revs() == before  # standing aside while the block writes
    after = revs()
    assert after["erin@example.com"] == before["erin@example.com"] + 1
    assert after["sam@example.com"] == before["sam@example.com"]
    db.session.execute(WRITES["bulk-update assignments"](assignment))
    db.session.commit()
    assert revs()["erin@example.com"] == after["erin@example.com"] + 1  # row triggers again
    assert db.session.execute(select(PAUSES)).all() == []


def test_a_failed_bulk_write_leaves_the_triggers_on_even_if_committed_anyway(app, erin, sam):
    assignment = erins_assignment()
    with pytest.raises(RuntimeError), revisions_raised_once([erin.id]):
        db.session.execute(WRITES["insert an attempt"](assignment))
        raise RuntimeError("the import failed half-way")
    db.session.commit()  # a careless caller: what was written stays, the pause must not
    before = revs()
    db.session.execute(WRITES["bulk-update assignments"](assignment))
    db.session.commit()
    assert revs()["erin@example.com"] == before["erin@example.com"] + 1
    assert db.session.execute(select(PAUSES)).all() == []


def test_a_change_to_the_content_raises_everyones_revision(app, erin, sam):
    before = revs()
    db.session.execute(update(Module).values(is_archived=Module.is_archived))
    db.session.commit()
    after = revs()
    assert all(after[email] > before[email] for email in before)


def test_dashboard_follows_a_bulk_update_at_once(client, auth, erin):
    auth.login()
    assert "Not started" in client.get("/").get_data(as_text=True)
    # As HR tools and renewal do: one UPDATE, no ORM objects, nothing told the cache.
    db.session.execute(
        update(Assignment).values(exempt_reason="Trained elsewhere", exempt_at=db.func.now())
    )
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Not started" not in page
    assert "Exempt" in page


def test_module_page_follows_a_new_version_of_the_content(client, auth, erin):
    auth.login()
    assert "Every Customer Served with Dignity" in client.get("/modules/dignity").get_data(
        as_text=True
    )
    db.session.execute(
        update(ModuleVersion).where(ModuleVersion.is_current).values(title="Dignity, revised")
    )
    db.session.commit()
    page = client.get("/modules/dignity").get_data(as_text=True)
    assert "Dignity, revised" in page
    assert "<title>Dignity, revised · Attest</title>" in page


def test_a_second_view_is_served_from_the_cache_with_one_query(
    app, client, auth, erin, count_queries
):
    auth.login()
    client.get("/")
    cache = app.extensions[pagecache.EXTENSION]
    hits = cache.hits
    counter, response = count_queries(lambda: client.get("/"))
    assert response.status_code == 200
    assert cache.hits == hits + 1
    assert counter.count == 1, counter.statements  # the signed-in user, nothing else


def test_a_flashed_message_shows_once_and_the_page_is_then_served_from_the_cache(
    app, client, auth, erin
):
    auth.login()
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Welcome back, Erin.")]
    cache = app.extensions[pagecache.EXTENSION]
    hits = cache.hits
    assert "Welcome back, Erin." in client.get("/").get_data(as_text=True)
    assert cache.hits == hits + 1  # the content came from the cache, laid out afresh
    again = client.get("/").get_data(as_text=True)
    assert "Welcome back, Erin." not in again and "My training" in again
    assert cache.hits == hits + 2  # the whole page, kept from before the message


def test_the_navigation_follows_a_new_report_without_a_change_to_ones_training(
    client, auth, erin, sam
):
    auth.login()
    assert "My team" not in client.get("/").get_data(as_text=True)
    db.session.execute(update(User).where(User.id == sam.id).values(manager_id=erin.id))
    db.session.commit()
    assert "My team" in client.get("/").get_data(as_text=True)


def test_people_never_see_each_others_pages(client, auth, erin, sam):
    db.session.execute(
        update(Assignment)
        .where(Assignment.user_id == sam.id)
        .values(exempt_reason="Trained elsewhere", exempt_at=db.func.now())
    )
    db.session.commit()
    auth.login("sam@example.com")
    assert "Exempt" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("erin@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "Erin Example" in page and "Sam Other" not in page
    assert "Not started" in page and "Exempt" not in page


def test_the_page_moves_on_with_the_day(client, auth, erin, monkeypatch):
    db.session.execute(update(Assignment).values(due_date=utctoday()))
    db.session.commit()
    auth.login()
    assert "Overdue" not in client.get("/").get_data(as_text=True)
    tomorrow = utctoday() + timedelta(days=1)
    monkeypatch.setattr(pagecache, "utctoday", lambda: tomorrow)
    monkeypatch.setattr("lms.learn.routes.utctoday", lambda: tomorrow)
    assert "Overdue" in client.get("/").get_data(as_text=True)


def test_a_renamed_person_sees_their_new_name_in_the_cached_page(client, auth, erin):
    # A passed quiz: the page shows the signing form, with the name as its placeholder.
    passed = new_attempt(erins_assignment()) | {"submitted_at": db.func.now(), "passed": True}
    db.session.execute(insert(Attempt).values(passed | {"score": 100}))
    db.session.commit()
    auth.login()
    assert 'placeholder="Erin Example"' in client.get("/modules/dignity").get_data(as_text=True)
    db.session.execute(update(User).values(full_name="Erin Renamed"))
    db.session.commit()
    assert 'placeholder="Erin Renamed"' in client.get("/modules/dignity").get_data(as_text=True)


def csrf_tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)) | set(
        re.findall(r'name="csrf_token" value="([^"]+)"', page)
    )


def test_each_session_gets_its_own_working_csrf_token_from_a_cached_page(app, erin):
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = IsolatedClient
    browsers = [app.test_client(), app.test_client()]  # two browsers, two sessions
    tokens = []
    for browser in browsers:
        login = browser.get("/login").get_data(as_text=True)
        (token,) = csrf_tokens(login)
        response = browser.post(
            "/login",
            data={"email": "erin@example.com", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    for browser in browsers:
        page = browser.get("/modules/dignity").get_data(as_text=True)
        assert pagecache.CSRF_PLACEHOLDER not in page
        found = csrf_tokens(page)
        assert len(found) == 1, found  # the sign-out form's and the quiz form's agree
        tokens.append(found.pop())
    assert app.extensions[pagecache.EXTENSION].hits >= 1  # the second browser hit the cache
    assert tokens[0] != tokens[1]
    # Each browser's token works for itself and not for the other.
    refused = browsers[0].post("/modules/dignity/quiz", data={"csrf_token": tokens[1]})
    assert refused.status_code == 400
    started = browsers[1].post("/modules/dignity/quiz", data={"csrf_token": tokens[1]})
    assert started.status_code == 302 and "/attempts/" in started.headers["Location"]


def test_the_cache_keeps_within_its_byte_budget():
    cache = pagecache.FragmentCache(max_bytes=100)
    for n in range(10):
        cache.put(("page", n), {"content": "x" * 30})
    assert cache.size <= 100 and len(cache) == 3
    assert cache.get(("page", 9)) is not None and cache.get(("page", 0)) is None
    cache.put(("big",), {"content": "x" * 101})
    assert cache.get(("big",)) is None


def test_a_sessions_signed_csrf_token_is_reused_only_while_tokens_never_expire(app, erin):
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = IsolatedClient
    browser = app.test_client()
    (token,) = csrf_tokens(browser.get("/login").get_data(as_text=True))
    browser.post(
        "/login", data={"email": "erin@example.com", "password": PASSWORD, "csrf_token": token}
    )
    first = csrf_tokens(browser.get("/").get_data(as_text=True)).pop()
    with time_machine.travel(utcnow() + timedelta(seconds=5), tick=False):
        second = csrf_tokens(browser.get("/").get_data(as_text=True)).pop()
    assert first == second  # signed once for this session's secret, not again 5 s later
    started = browser.post("/modules/dignity/quiz", data={"csrf_token": second})
    assert started.status_code == 302 and "/attempts/" in started.headers["Location"]
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    with time_machine.travel(utcnow() + timedelta(seconds=10), tick=False):
        third = csrf_tokens(browser.get("/").get_data(as_text=True)).pop()
    assert third != second  # a fresh signature, with its own timestamp


def test_a_page_is_rendered_from_reads_outside_a_transaction_on_a_server(client, auth, erin):
    # BEGIN and ROLLBACK around a render's SELECTs were two of an uncached dashboard's
    # five round trips on PostgreSQL. SQLite begins only before a write: none there either.
    auth.login()
    seen = []

    def note(conn, _cursor, statement, *_):
        driver = conn.connection.driver_connection
        open_transaction = (
            not driver.autocommit if hasattr(driver, "autocommit") else driver.in_transaction
        )
        seen.append((statement.split()[0], open_transaction))

    with listening("before_cursor_execute", note):
        assert client.get("/").status_code == 200
        assert client.get("/modules/dignity").status_code == 200
    assert len(seen) >= 4 and all(word == "SELECT" for word, _ in seen)
    assert not any(open_transaction for _, open_transaction in seen)
    with db.engine.connect() as connection:  # the pool's connections are back to normal
        assert getattr(connection.connection.driver_connection, "autocommit", False) is False
