import random

import pytest

from lms.audience import matches_audience
from lms.grading import (
    AnswerError,
    Grade,
    Unanswered,
    check_answers,
    draw_questions,
    grade_attempt,
    names_match,
    unanswered_message,
)

POOL = {1: [11, 12, 13], 2: [21, 22, 23], 3: [31, 32], 4: [41, 42]}
DRAWN = [
    {"question_id": 1, "choice_ids": [12, 11, 13]},
    {"question_id": 2, "choice_ids": [23, 21, 22]},
]
CORRECT = {"1": [11], "2": [21, 22]}


def test_draw_takes_the_asked_number_and_shuffles_choices():
    drawn = draw_questions(POOL, 2, random.Random(4))
    assert len(drawn) == 2
    for item in drawn:
        assert sorted(item["choice_ids"]) == POOL[item["question_id"]]


def test_draw_without_count_takes_the_whole_pool():
    assert {d["question_id"] for d in draw_questions(POOL, None, random.Random(1))} == set(POOL)


def test_draws_differ_between_attempts():
    draws = {
        tuple(d["question_id"] for d in draw_questions(POOL, 2, random.Random(n)))
        for n in range(20)
    }
    assert len(draws) > 3


@pytest.mark.parametrize(
    ("submitted", "message"),
    [
        ({"1": ["11"]}, "question 2 has no answer"),
        ({"1": ["11"], "2": []}, "question 2 has no answer"),
        ({"1": ["21"], "2": ["21"]}, "question 1: an answer is not one of its choices"),
        ({"1": ["x"], "2": ["21"]}, "question 1: an answer is not a choice"),
        ({"1": ["11"], "2": ["21"], "3": ["31"]}, "question 3 is not part of this attempt"),
    ],
)
def test_check_answers_refuses_what_does_not_fit_the_attempt(submitted, message):
    with pytest.raises(AnswerError, match=message):
        check_answers(DRAWN, submitted)


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        ({"1": ["11"], "2": ["22", "21"]}, {"1": [11], "2": [21, 22]}),
        ({"1": ["11", "11"], "2": ["22"]}, {"1": [11], "2": [22]}),  # a choice sent twice
        # every choice ticked is an answer (graded wrong), not a bad sheet
        (
            {"1": ["13", "12", "11"], "2": ["21", "22", "23"]},
            {"1": [11, 12, 13], "2": [21, 22, 23]},
        ),
    ],
)
def test_check_answers_returns_ids(submitted, expected):
    assert check_answers(DRAWN, submitted) == expected


@pytest.mark.parametrize(
    ("submitted", "numbers", "message"),
    [
        ({"1": ["11"]}, [2], "question 2 has no answer"),
        ({}, [1, 2], "questions 1 and 2 have no answer"),
        ({"1": [], "2": []}, [1, 2], "questions 1 and 2 have no answer"),
    ],
)
def test_check_answers_names_every_unanswered_question(submitted, numbers, message):
    with pytest.raises(Unanswered) as raised:
        check_answers(DRAWN, submitted)
    assert raised.value.numbers == numbers and str(raised.value) == message
    assert raised.value.question_ids == [str(DRAWN[n - 1]["question_id"]) for n in numbers]


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ([3], "question 3 has no answer"),
        ([1, 4], "questions 1 and 4 have no answer"),
        ([1, 2, 5], "questions 1, 2 and 5 have no answer"),
    ],
)
def test_unanswered_message(numbers, message):
    assert unanswered_message(numbers) == message


@pytest.mark.parametrize(
    ("answers", "score", "passed"),
    [
        ({"1": [11], "2": [21, 22]}, 100, True),
        ({"1": [11], "2": [21]}, 50, False),  # multiple is all-or-nothing
        ({"1": [11], "2": [21, 22, 23]}, 50, False),
        ({"1": [12], "2": [23]}, 0, False),
        ({"1": [11]}, 50, False),  # a question left out is wrong
    ],
)
def test_grade_attempt(answers, score, passed):
    grade = grade_attempt(answers, CORRECT, pass_mark=80)
    assert (grade.score, grade.passed) == (score, passed)
    assert grade.results == {
        qid: sorted(answers.get(qid, ())) == sorted(right) for qid, right in CORRECT.items()
    }


@pytest.mark.parametrize(
    ("right", "asked", "score"),
    [(2, 3, 66), (1, 3, 33), (5, 6, 83), (1, 7, 14), (3, 3, 100), (0, 4, 0)],
)
def test_the_score_is_the_percentage_right_rounded_down(right, asked, score):
    correct = {str(n): [n] for n in range(asked)}
    answers = {str(n): [n if n < right else -1] for n in range(asked)}
    grade = grade_attempt(answers, correct, pass_mark=score)
    assert type(grade.score) is int and grade.score == score and grade.passed
    assert not grade_attempt(answers, correct, pass_mark=score + 1).passed


def test_a_quiz_with_no_questions_scores_full_marks():
    assert grade_attempt({}, {}, pass_mark=100) == Grade(results={}, score=100, passed=True)


def test_pass_mark_is_inclusive():
    correct = {str(n): [n] for n in range(5)}
    answers = {str(n): [n] for n in range(4)} | {"4": [99]}
    assert grade_attempt(answers, correct, pass_mark=80).passed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Erin Example", True),
        ("  erin   EXAMPLE ", True),
        ("Erin", False),
        ("", False),
        ("Erin Exampel", False),
    ],
)
def test_signature_must_be_the_full_name(typed, expected):
    assert names_match(typed, "Erin Example") is expected


@pytest.mark.parametrize(
    ("audience", "department", "role", "expected"),
    [
        ({"all": True}, None, None, True),
        ({"departments": ["Stores"]}, "stores", "Cashier", True),
        ({"departments": ["Stores"]}, "Online", "Cashier", False),
        ({"roles": ["Cashier"]}, "Online", "Cashier", True),
        ({"departments": ["Stores"], "roles": ["Cashier"]}, "Stores", "Manager", False),
        ({"departments": ["Stores"]}, None, None, False),
        ({}, "Stores", "Cashier", False),
        # no department or role is in no list, whatever the names in it
        ({"departments": ["XXXX"]}, None, "Cashier", False),
        ({"roles": ["XXXX"]}, "Stores", None, False),
    ],
)
def test_matches_audience(audience, department, role, expected):
    assert matches_audience(audience, department, role) is expected
