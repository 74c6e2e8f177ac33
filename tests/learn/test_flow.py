"""A new hire reads, passes the quiz, signs and is complete."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from lms.dates import format_date
from lms.extensions import db
from lms.models import Assignment, Attempt, Attestation, Choice, Completion
from lms.models.base import utctoday
from lms.periods import add_months
from tests.factories import QUIZ, make_employee


@pytest.fixture
def erin(synced):
    return make_employee(hire_date=utctoday())


def start(client, slug="dignity"):
    response = client.post(f"/modules/{slug}/quiz")
    assert response.status_code == 302
    return db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()


def answers_for(attempt, right=True):
    """Form data answering every drawn question, all right or all wrong."""
    data = {}
    for item in attempt.drawn:
        correct = db.session.scalars(
            select(Choice.id).where(Choice.question_id == item["question_id"], Choice.is_correct)
        ).all()
        wrong = [c for c in item["choice_ids"] if c not in correct]
        data[f"q{item['question_id']}"] = [str(c) for c in (correct if right else wrong[:1])]
    return data


def test_new_hire_sees_dashboard_with_due_date_and_progress(client, auth, erin):
    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert "Every Customer Served with Dignity" in page
    assert "0 of 1 modules complete" in page
    assert "Not started" in page
    due = date.fromordinal(utctoday().toordinal() + 30)
    assert f"Due {format_date(due)}" in page


def test_module_page_renders_body_toc_and_reading_time(client, auth, erin):
    auth.login()
    page = client.get("/modules/dignity").get_data(as_text=True)
    assert '<h2 id="why-it-matters">Why it matters</h2>' in page
    assert 'href="#why-it-matters"' in page
    assert "5 min read" in page
    assert "Take the quiz" in page


def test_the_quiz_page_holds_no_answers_or_explanations(client, auth, erin):
    auth.login()
    attempt = start(client)
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert len(attempt.drawn) == 2
    for question in QUIZ:
        assert question["explain"] not in page
    assert "correct" not in page.lower()


def test_full_walk_pass_sign_complete(client, auth, erin):
    auth.login()
    attempt = start(client)
    response = client.post(f"/attempts/{attempt.id}", data=answers_for(attempt))
    assert response.headers["Location"] == f"/attempts/{attempt.id}/result"
    result = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Passed" in result and "100%" in result
    assert "Sign the attestation" in result
    response = client.post("/modules/dignity/sign", data={"full_name": "erin example"})
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "1 of 1 modules complete" in page
    completion = db.session.scalar(select(Completion))
    # completed on time: one year after the due date
    assert completion.expires_on == add_months(date.fromordinal(utctoday().toordinal() + 30), 12)
    assert f"Valid until {format_date(completion.expires_on)}" in page
    attestation = db.session.scalar(select(Attestation))
    assert attestation.version == 1
    assert attestation.text == "I will treat every customer with dignity."
    assert attestation.typed_name == "erin example"
    assert attestation.ip_address == "127.0.0.1"
    assert attestation.user_agent.startswith("Werkzeug")
    assert completion.score == 100 and completion.attempt_id == attempt.id


def test_signing_with_another_name_is_refused(client, auth, erin):
    auth.login()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt))
    response = client.post("/modules/dignity/sign", data={"full_name": "Erin Exampel"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = "Type your full name exactly as we have it: Erin Example."
    # at the field: described by its error, marked invalid, focused, with what was typed kept
    field = re.search(r"<input[^>]*id=\"full_name\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="full_name-error"' in field
    assert "autofocus" in field and 'value="Erin Exampel"' in field
    assert f'<span class="error" id="full_name-error">{message}</span>' in page
    # and in the error summary at the top, linking to the field
    summary = page.index('class="error-summary"')
    assert summary < page.index("<article") < page.index('id="full_name"')
    assert f'<a href="#full_name">{message}</a>' in page
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0
    # the form posts back to its own place on the page
    assert 'action="/modules/dignity/sign#sign"' in page


def test_signing_with_no_name_shows_the_error_at_the_field(client, auth, erin):
    auth.login()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt))
    response = client.post("/modules/dignity/sign", data={"full_name": "  "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<a href="#full_name">Type your full name to sign.</a>' in page
    assert 'aria-invalid="true"' in page
    # the refused page is not cached: the module page is clean again
    again = client.get("/modules/dignity").get_data(as_text=True)
    assert "error-summary" not in again and 'aria-invalid="true"' not in again


def test_signing_before_passing_is_refused(client, auth, erin):
    auth.login()
    page = client.post(
        "/modules/dignity/sign", data={"full_name": "Erin Example"}, follow_redirects=True
    )
    assert "Pass the quiz before you sign" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attestation)) == 0


def test_failed_attempt_shows_feedback_and_counts(client, auth, erin):
    auth.login()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt, right=False))
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Not passed this time" in page and "0%" in page
    assert "Incorrect" in page and "your answer" in page and "correct answer" in page
    drawn_explains = [q["explain"] for q in QUIZ if q["explain"] in page]
    assert len(drawn_explains) == 2
    assert "You have 1 attempt left." in page
    assert "Try again" in page
    dashboard = client.get("/").get_data(as_text=True)
    assert "In progress" in dashboard
    assert ">Continue</a>" in dashboard and ">Start</a>" not in dashboard  # not "Start" again


def test_new_attempt_draws_afresh_and_attempts_run_out(client, auth, erin):
    auth.login()
    first = start(client)
    client.post(f"/attempts/{first.id}", data=answers_for(first, right=False))
    second = start(client)
    assert second.id != first.id
    client.post(f"/attempts/{second.id}", data=answers_for(second, right=False))
    page = client.get("/").get_data(as_text=True)
    assert (
        'No attempts left.</span> <a href="/modules/dignity#next">Ask HR for more attempts</a>'
        in page
    )
    response = client.post("/modules/dignity/quiz", follow_redirects=True)
    assert "You have used every attempt for this module: you can ask HR for more." in (
        response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2


def test_hr_granted_attempts_unlock_the_quiz(client, auth, erin):
    auth.login()
    for _ in range(2):
        attempt = start(client)
        client.post(f"/attempts/{attempt.id}", data=answers_for(attempt, right=False))
    db.session.execute(db.update(Assignment).values(extra_attempts=1))
    db.session.commit()
    assert start(client).submitted_at is None


def test_starting_twice_resumes_the_open_attempt(client, auth, erin):
    auth.login()
    assert start(client).id == start(client).id


def test_module_without_quiz_is_read_and_signed(client, auth, app, content_dir, runner):
    from tests.factories import write_module, write_program

    write_module(content_dir, "welcome", quiz=None, renew_every=None, window=None)
    write_program(content_dir, modules=["dignity", "welcome"])
    runner.invoke(args=["lms", "sync-content"])
    make_employee()
    auth.login()
    page = client.get("/modules/welcome").get_data(as_text=True)
    assert "Sign the attestation" in page and "Take the quiz" not in page
    client.post("/modules/welcome/sign", data={"full_name": "Erin Example"})
    completion = db.session.scalar(select(Completion))
    assert completion.expires_on is None and completion.score is None
    assert "Does not expire" in client.get("/").get_data(as_text=True)


def test_a_second_signature_racing_the_first_is_refused_not_a_500(client, auth, erin):
    from lms.learn.operations import TrainingError, sign_attestation
    from lms.learn.queries import progress_for_slug

    auth.login()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt))
    db.session.expire_all()
    stale = progress_for_slug(erin.id, "dignity", utctoday())  # read before the first signature
    assert stale.step == "sign"
    assert (
        client.post("/modules/dignity/sign", data={"full_name": "Erin Example"}).status_code == 302
    )
    with pytest.raises(TrainingError, match="just been signed"):
        sign_attestation(stale, erin, "Erin Example", ip_address=None, user_agent=None)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    assert db.session.scalar(select(func.count()).select_from(Attestation)) == 1


@pytest.mark.parametrize(("version", "signable"), [(1, True), (2, False)])
def test_a_pass_counts_only_for_the_version_it_was_taken_on(
    client, auth, erin, runner, content_dir, version, signable
):
    from tests.factories import module_text, write_module

    auth.login()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt))
    # an edit that keeps the version (a typo) or raises it (a material change)
    changes = "Reworded the summary." if version > 1 else None
    write_module(content_dir, text=module_text(version=version, summary="Edited.", changes=changes))
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    client.post("/modules/dignity/sign", data={"full_name": "Erin Example"})
    completions = db.session.scalar(select(func.count()).select_from(Completion))
    assert completions == (1 if signable else 0)
    if not signable:
        page = client.get("/modules/dignity").get_data(as_text=True)
        assert "Take the quiz" in page and "1 attempt left" in page


def test_the_quiz_page_says_which_attempt_this_is(client, auth, erin):
    auth.login()
    attempt = start(client)
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "This is attempt 1 of 2: if you do not pass, you have 1 more." in page
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt, right=False))
    second = start(client)
    page = client.get(f"/attempts/{second.id}").get_data(as_text=True)
    assert "This is attempt 2 of 2: your last one." in page


def test_select_all_that_apply_is_said_once(client, auth, app, content_dir, runner):
    from tests.factories import QUIZ, write_module, write_program

    said = dict(QUIZ[1], q="Which of these show dignity? (select all that apply)")
    write_module(content_dir, "dignity", quiz=[said, QUIZ[1] | {"q": "Which are kind?"}])
    write_program(content_dir, modules=["dignity"])
    runner.invoke(args=["lms", "sync-content"])
    make_employee()
    auth.login()
    attempt = start(client)
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert page.count("(select all that apply)") == 2  # once for each question, never twice
    assert "Which are kind? <span" in page


def test_after_a_pass_the_attestation_comes_before_the_review(client, auth, erin):
    auth.login()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt))
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "One step left:" in page
    form = page.index('action="/modules/dignity/sign#sign"')
    assert form < page.index("Question by question") < page.index('class="card question')


def test_after_a_fail_trying_again_comes_before_the_review(client, auth, erin):
    auth.login()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=answers_for(attempt, right=False))
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert page.index('value="Try again"') < page.index('class="card question')
