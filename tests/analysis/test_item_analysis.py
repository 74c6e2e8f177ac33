"""Item analysis end to end: attempts graded through the quiz, figures read back from HR's page and CSV.

The ten crafted attempts (every question is drawn every time; x = right):

    attempt   Q1  Q2  Q3  Q4   total
    1-4        1   0   1   1     3
    5          1   0   1   1     3
    6          1   0   0   1     2
    7-8        1   0   0   0     1
    9-10       1   1   0   0     2

Q1 (A right, B, C): all right, 100 %: too easy; discrimination undefined.
Q2 (D right, E): 2 right, 20 %: too hard; E picked 8 times against D's 2; rest scores
    (total − x) 3,3,3,3,3,2,1,1,1,1: n=10, Σx=2, Σy=21, Σxy=2, Σy²=53,
    r = (10·2 − 2·21) / √((10·2 − 4)(10·53 − 441)) = −22 / √(16·89) ≈ −0.583: negative.
Q3 (multiple: F and G right, H): 5 right (F+G), 5 wrong (F+H): 50 %; F 10, G 5, H 5
    (H as often as G, not more); rest 2,2,2,2,2,2,1,1,2,2: Σy=18, Σxy=10, Σy²=34,
    r = (100 − 90) / √(25·16) = 0.5. No flag.
Q4 (I right, J): 6 right, 60 %; rest 2,2,2,2,2,1,1,1,2,2: Σy=17, Σxy=11, Σy²=31,
    r = (110 − 102) / √(24·21) ≈ 0.356. No flag.
"""

import csv
import io
import random
from math import sqrt

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learn.operations import (
    current_version,
    cycle_attempts,
    progress_of,
    start_attempt,
    submit_attempt,
)
from lms.models import Assignment, Choice, ModuleVersion, Question
from lms.models.base import utctoday
from tests.factories import make_employee, module_text, write_module, write_program

QUIZ = [
    {"q": "Q1 everyone knows", "choices": [{"text": "A", "correct": True}, "B", "C"]},
    {"q": "Q2 the trap", "choices": [{"text": "D", "correct": True}, "E"]},
    {
        "q": "Q3 select all",
        "type": "multiple",
        "choices": [{"text": "F", "correct": True}, {"text": "G", "correct": True}, "H"],
    },
    {"q": "Q4 the fair one", "choices": [{"text": "I", "correct": True}, "J"]},
]
PICKS = (
    [["A", "E", "FG", "I"]] * 5
    + [["A", "E", "FH", "I"]]
    + [["A", "E", "FH", "J"]] * 2
    + [["A", "D", "FH", "J"]] * 2
)


@pytest.fixture
def content_dir(tmp_path):
    root = tmp_path / "content"
    write_module(
        root, text=module_text(quiz=QUIZ, questions_per_attempt=None, pass_mark=50, attempts=None)
    )
    write_program(root)
    return root


@pytest.fixture
def hr(synced):
    return make_employee(email="hr@example.com", full_name="Hana Hr", is_hr=True)


def take_quiz(user, letters: list[str]) -> None:
    """Start and submit an attempt as `user`, picking the choices named by their texts."""
    assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == user.id))
    version = current_version(assignment.module_id)
    progress = progress_of(assignment, version, cycle_attempts(assignment), utctoday())
    attempt = start_attempt(progress, utctoday(), random.Random(user.id))
    ids = dict(db.session.execute(select(Choice.text, Choice.id)).all())
    prompts = dict(db.session.execute(select(Question.id, Question.prompt)).all())
    submitted = {}
    for item in attempt.drawn:
        number = int(prompts[item["question_id"]][1]) - 1
        submitted[str(item["question_id"])] = [str(ids[c]) for c in letters[number]]
    assert submit_attempt(attempt, submitted)
    db.session.commit()


def take_crafted_attempts(start: int = 0, times: int = 1) -> None:
    for round_ in range(times):
        for n, letters in enumerate(PICKS, start=start + round_ * len(PICKS)):
            user = make_employee(email=f"p{n}@example.com", full_name=f"Person {n}")
            take_quiz(user, letters)


def version_id() -> int:
    return db.session.scalar(select(ModuleVersion.id).where(ModuleVersion.is_current))


def line_of(content_dir, prompt: str) -> int:
    text = (content_dir / "modules" / "dignity.md").read_text().splitlines()
    return next(n for n, line in enumerate(text, start=1) if line.strip() == f"- q: {prompt}")


def test_figures_and_flags_match_the_hand_count(client, auth, hr, content_dir):
    take_crafted_attempts()
    open_user = make_employee(email="open@example.com", full_name="Open Attempt")
    assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == open_user.id))
    progress = progress_of(assignment, current_version(assignment.module_id), [], utctoday())
    start_attempt(progress, utctoday())  # open, never submitted: not counted
    db.session.commit()

    auth.login(email="hr@example.com")
    response = client.get(f"/hr/item-analysis/{version_id()}.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_choice = {r["choice_text"]: r for r in rows}
    figures = {
        r["prompt"][:2]: (int(r["drawn"]), int(r["right"]), r["share_right"], r["flags"])
        for r in rows
    }
    assert figures == {
        "Q1": (10, 10, "1.0", "too easy"),
        "Q2": (
            10,
            2,
            "0.2",
            "too hard; negative discrimination; a wrong choice beats the right one",
        ),
        "Q3": (10, 5, "0.5", ""),
        "Q4": (10, 6, "0.6", ""),
    }
    assert by_choice["A"]["discrimination"] == ""
    assert float(by_choice["D"]["discrimination"]) == pytest.approx(-22 / sqrt(16 * 89), abs=1e-4)
    assert float(by_choice["F"]["discrimination"]) == pytest.approx(0.5)
    assert float(by_choice["I"]["discrimination"]) == pytest.approx(8 / sqrt(24 * 21), abs=1e-4)
    picked = {text: int(r["picked"]) for text, r in by_choice.items()}
    assert picked == {
        "A": 10,
        "B": 0,
        "C": 0,
        "D": 2,
        "E": 8,
        "F": 10,
        "G": 5,
        "H": 5,
        "I": 6,
        "J": 4,
    }
    assert by_choice["E"]["is_correct"] == "no" and by_choice["D"]["is_correct"] == "yes"
    assert by_choice["E"]["share_picked"] == "0.8"
    line = line_of(content_dir, "Q2 the trap")
    assert by_choice["D"]["source"] == f"content/modules/dignity.md:{line}"

    page = client.get(f"/hr/item-analysis/{version_id()}").get_data(as_text=True)
    assert "10 submitted attempts" in page
    assert "4 questions in the pool" in page and "2 flagged" in page
    assert f"<code>content/modules/dignity.md:{line}</code>" in page
    assert "−0.58" in page or "-0.58" in page


def test_flagged_only_lists_the_flagged_questions(client, auth, hr):
    take_crafted_attempts()
    auth.login(email="hr@example.com")
    page = client.get(f"/hr/item-analysis/{version_id()}?flagged=1").get_data(as_text=True)
    assert "Q1 everyone knows" in page and "Q2 the trap" in page
    assert "Q3 select all" not in page and "Q4 the fair one" not in page


def test_pages_hold_twenty_questions(client, auth, tmp_path, content_dir, runner, hr):
    quiz = [
        {"q": f"Question number {n}", "choices": [{"text": "yes", "correct": True}, "no"]}
        for n in range(1, 26)
    ]
    write_module(content_dir, text=module_text(quiz=quiz, questions_per_attempt=5))
    assert runner.invoke(args=["lms", "sync-content"]).exit_code == 0
    auth.login(email="hr@example.com")
    first = client.get(f"/hr/item-analysis/{version_id()}").get_data(as_text=True)
    assert "Question number 20<" in first and "Question number 21<" not in first
    assert "1–20 of 25 questions" in first
    second = client.get(f"/hr/item-analysis/{version_id()}?page=2").get_data(as_text=True)
    assert "Question number 21<" in second and "Question number 20<" not in second
    beyond = client.get(f"/hr/item-analysis/{version_id()}?page=9&flagged=x")
    assert beyond.status_code == 200
    assert "No questions on this page" in beyond.get_data(as_text=True)
    for bad in ("page=-3", "page=abc", "page=99999999999999999999"):
        assert client.get(f"/hr/item-analysis/{version_id()}?{bad}").status_code == 200


def test_the_query_count_does_not_grow_with_the_attempts(client, auth, hr, count_queries):
    auth.login(email="hr@example.com")
    url = f"/hr/item-analysis/{version_id()}"
    client.get(url)  # warm: the session's person, templates
    take_crafted_attempts()
    small, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    take_crafted_attempts(start=100, times=3)
    large, response = count_queries(lambda: client.get(url))
    assert "40 submitted attempts" in response.get_data(as_text=True)
    assert large.count == small.count
    csv_small, _ = count_queries(lambda: client.get(url + ".csv").get_data())
    assert csv_small.count <= small.count


def test_the_index_lists_quiz_revisions_and_hr_has_a_nav_link(client, auth, hr):
    auth.login(email="hr@example.com")
    page = client.get("/hr/item-analysis").get_data(as_text=True)
    assert f'href="/hr/item-analysis/{version_id()}"' in page
    assert "Every Customer Served with Dignity" in page
    assert 'href="/hr/item-analysis">Item analysis</a>' in client.get("/hr/").get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/hr/item-analysis", "/hr/item-analysis/{id}", "/hr/item-analysis/{id}.csv"]
)
def test_only_hr_may_open_item_analysis(client, auth, hr, path):
    make_employee(email="mona@example.com", full_name="Mona Manager")
    make_employee(
        email="erin@example.com", full_name="Erin Example", manager_email="mona@example.com"
    )
    url = path.format(id=version_id())
    assert client.get(url).status_code == 302  # signed out: to the login page
    auth.login(email="mona@example.com")  # a manager
    assert client.get(url).status_code == 403
    assert 'href="/hr/item-analysis"' not in client.get("/hr/").get_data(as_text=True)
    client.post("/logout")
    auth.login(email="erin@example.com")  # an employee
    assert client.get(url).status_code == 403


def test_an_unknown_revision_is_a_404(client, auth, hr):
    auth.login(email="hr@example.com")
    assert client.get("/hr/item-analysis/999999").status_code == 404
    assert client.get("/hr/item-analysis/999999.csv").status_code == 404
