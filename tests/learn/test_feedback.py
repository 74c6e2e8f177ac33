"""Per-choice feedback: a choice's `why` is shown after submission to whoever picked it, never before."""

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Attempt, Choice
from lms.models.base import utctoday
from tests.factories import make_employee, module_text, write_module, write_program

WHY_GUESS = "A guess that turns out wrong costs more trust than saying you will check."
WHY_CHECK = "Finding out and coming back is what honesty looks like at the counter."
WHY_WAIT = "Making someone wait unseen tells them they do not count."
QUIZ = [
    {
        "q": "A customer asks a question you cannot answer. What do you do?",
        "choices": [
            {"text": "Guess, to keep things moving", "why": WHY_GUESS},
            {"text": "Say you will find out, then do", "correct": True, "why": WHY_CHECK},
            "Tell them to look it up",
        ],
        "explain": "Honesty means saying what you do not know and then finding out.",
    },
    {
        "q": "Someone walks in while you are busy. What does the policy ask?",
        "choices": [
            {"text": "Acknowledge them now", "correct": True},
            {"text": "Carry on until you are free", "why": WHY_WAIT},
        ],
        "explain": "Every visitor is acknowledged promptly.",
    },
]
WHYS = (WHY_GUESS, WHY_CHECK, WHY_WAIT)


@pytest.fixture
def content_dir(tmp_path):
    root = tmp_path / "content"
    write_module(root, text=module_text(quiz=QUIZ, questions_per_attempt=None))
    write_program(root)
    return root


@pytest.fixture
def erin(synced):
    return make_employee(hire_date=utctoday())


def choice_id(text: str) -> int:
    return db.session.scalar(select(Choice.id).where(Choice.text == text))


def start(client) -> Attempt:
    assert client.post("/modules/dignity/quiz").status_code == 302
    return db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()


def test_sync_stores_each_choices_why(synced):
    assert db.session.scalar(select(Choice.why).where(Choice.text == "Acknowledge them now")) == ""
    assert db.session.scalar(select(Choice.why).where(Choice.text.startswith("Guess"))) == WHY_GUESS


def test_the_quiz_page_holds_no_why(client, auth, erin):
    auth.login()
    attempt = start(client)
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Guess, to keep things moving" in page
    for why in WHYS:
        assert why not in page


def test_the_result_shows_the_why_of_each_picked_choice_only(client, auth, erin):
    auth.login()
    attempt = start(client)
    questions = {item["question_id"]: item for item in attempt.drawn}
    first, second = sorted(questions)
    data = {
        f"q{first}": [str(choice_id("Guess, to keep things moving"))],
        f"q{second}": [str(choice_id("Acknowledge them now"))],
    }
    response = client.post(f"/attempts/{attempt.id}", data=data)
    assert response.status_code == 302
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert WHY_GUESS in page  # picked, with feedback
    assert WHY_CHECK not in page  # the right answer's why, not picked
    assert WHY_WAIT not in page  # not picked
    assert "About your answer:" in page
    assert page.count("About your answer:") == 1


def test_why_text_is_escaped(client, auth, content_dir, runner, erin):
    quiz = [dict(QUIZ[0]), QUIZ[1]]
    quiz[0]["choices"] = [
        {"text": "Guess, to keep things moving", "why": "<script>alert(1)</script> never"},
        *QUIZ[0]["choices"][1:],
    ]
    write_module(
        content_dir, text=module_text(quiz=quiz, questions_per_attempt=None, summary="Edited.")
    )
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    auth.login()
    attempt = start(client)
    data = {}
    for item in attempt.drawn:
        texts = dict(
            db.session.execute(
                select(Choice.id, Choice.text).where(Choice.id.in_(item["choice_ids"]))
            ).all()
        )
        pick = next(i for i, t in texts.items() if t.startswith(("Guess", "Acknowledge")))
        data[f"q{item['question_id']}"] = [str(pick)]
    client.post(f"/attempts/{attempt.id}", data=data)
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; never" in page
    assert "<script>alert(1)" not in page
