"""Quiz posts that do not fit the attempt are refused and record nothing."""

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Attempt, Question
from tests.factories import make_employee
from tests.learn.test_flow import answers_for, start


@pytest.fixture
def attempt(synced, client, auth):
    make_employee()
    auth.login()
    return start(client)


def assert_not_recorded(attempt_id):
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).submitted_at is None


def test_a_choice_from_another_question_is_refused(client, attempt):
    data = answers_for(attempt)
    first, second = attempt.drawn[0], attempt.drawn[1]
    data[f"q{first['question_id']}"] = [str(second["choice_ids"][0])]
    response = client.post(f"/attempts/{attempt.id}", data=data)
    assert response.status_code == 400
    assert "question 1: an answer is not one of its choices" in response.get_data(as_text=True)
    assert_not_recorded(attempt.id)


def test_a_question_that_was_not_drawn_is_refused(client, attempt):
    drawn = {item["question_id"] for item in attempt.drawn}
    other = db.session.scalar(select(Question.id).where(Question.id.not_in(drawn)))
    data = answers_for(attempt) | {f"q{other}": ["1"]}
    response = client.post(f"/attempts/{attempt.id}", data=data)
    assert response.status_code == 400
    assert f"question {other} is not part of this attempt" in response.get_data(as_text=True)
    assert_not_recorded(attempt.id)


def test_a_missing_answer_is_refused_and_the_others_kept_on_the_page(client, attempt):
    data = answers_for(attempt)
    kept_key, kept_value = next(iter(data.items()))
    del data[f"q{attempt.drawn[1]['question_id']}"]
    response = client.post(f"/attempts/{attempt.id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "question 2 has no answer" in page
    assert f'value="{kept_value[0]}"\n        id="c{kept_value[0]}" checked' in page
    # the unanswered one is marked, the answered one is not
    assert '<a href="#question-2">Question 2</a>' in page
    assert 'href="#question-1"' not in page
    assert 'id="question-2" aria-describedby="question-2-error"' in page
    assert 'id="question-1" aria-describedby' not in page
    assert_not_recorded(attempt.id)


def test_every_unanswered_question_is_listed_linked_and_marked(client, attempt):
    response = client.post(f"/attempts/{attempt.id}", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "questions 1 and 2 have no answer" in page
    for n in (1, 2):
        assert f'<a href="#question-{n}">Question {n}</a>' in page
        assert f'id="question-{n}" aria-describedby="question-{n}-error"' in page
        assert f'<p class="error" id="question-{n}-error">Not answered' in page
    choices = [c for item in attempt.drawn for c in item["choice_ids"]]
    assert page.count('aria-invalid="true"') == len(choices)
    assert_not_recorded(attempt.id)


def test_a_tampered_attempt_id_is_not_found(client, attempt):
    assert client.post("/attempts/999999", data=answers_for(attempt)).status_code == 404
    assert client.get("/attempts/999999/result").status_code == 404
    assert_not_recorded(attempt.id)


def test_another_employees_attempt_is_not_found(client, auth, attempt):
    auth.logout()
    make_employee(email="olu@example.com", full_name="Olu Other")
    auth.login("olu@example.com")
    assert client.get(f"/attempts/{attempt.id}").status_code == 404
    assert client.post(f"/attempts/{attempt.id}", data=answers_for(attempt)).status_code == 404
    assert client.get(f"/attempts/{attempt.id}/result").status_code == 404
    assert_not_recorded(attempt.id)


def test_submitting_twice_records_once(client, attempt):
    right = answers_for(attempt)
    client.post(f"/attempts/{attempt.id}", data=right)
    db.session.expire_all()
    submitted_at = db.session.get(Attempt, attempt.id).submitted_at
    response = client.post(f"/attempts/{attempt.id}", data=answers_for(attempt, right=False))
    assert response.headers["Location"] == f"/attempts/{attempt.id}/result"
    db.session.expire_all()
    again = db.session.get(Attempt, attempt.id)
    assert again.score == 100 and again.submitted_at == submitted_at


def test_the_database_update_records_a_race_once(app, attempt):
    from lms.learn.operations import submit_attempt

    stale = db.session.get(Attempt, attempt.id)
    assert submit_attempt(stale, {k[1:]: v for k, v in answers_for(attempt).items()}) is True
    assert submit_attempt(stale, {k[1:]: v for k, v in answers_for(attempt).items()}) is False


def test_an_unassigned_module_is_not_found(client, attempt):
    assert client.get("/modules/not-mine").status_code == 404
    assert client.post("/modules/not-mine/quiz").status_code == 404


def test_quiz_post_without_csrf_token_is_refused(app, client, attempt):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/attempts/{attempt.id}", data=answers_for(attempt))
    assert response.status_code == 400
    assert_not_recorded(attempt.id)


def test_two_racing_starts_open_one_attempt(synced, client, auth):
    from lms.learn.operations import start_attempt
    from lms.learn.queries import progress_for_slug
    from lms.models.base import utctoday

    erin = make_employee()
    first = progress_for_slug(erin.id, "dignity", utctoday())
    second = progress_for_slug(erin.id, "dignity", utctoday())  # read before the first commits
    opened = start_attempt(first, utctoday())
    db.session.commit()
    assert start_attempt(second, utctoday()).id == opened.id
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 1


def test_a_submission_costs_a_fixed_number_of_statements(client, attempt, count_queries):
    """The user, the attempt with its assignment and module (one joined query), the
    version, the right answers, the update, the answers and picks for item analysis
    (one bulk insert each), and the audit chain's head and new link: no reloads after
    the commit. PostgreSQL adds the audit chain's lock."""
    right = answers_for(attempt)
    counter, response = count_queries(lambda: client.post(f"/attempts/{attempt.id}", data=right))
    assert response.status_code == 302
    expected = 10 if db.engine.dialect.name == "postgresql" else 9
    assert counter.count == expected, counter.statements
