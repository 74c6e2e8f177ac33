"""Grading rules hold for any quiz and any answer sheet (DESIGN.md, "Grading")."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.grading import AnswerError, check_answers, draw_questions, grade_attempt
from tests.input.properties import PURE


@st.composite
def quizzes(draw):
    """A pool: question id -> (choice ids, the correct ones), ids unique across the pool."""
    count = draw(st.integers(1, 12))
    pool, correct, next_id = {}, {}, 1000
    for question_id in range(1, count + 1):
        size = draw(st.integers(2, 6))
        choices = list(range(next_id, next_id + size))
        next_id += size
        right = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=size, unique=True))
        pool[question_id], correct[str(question_id)] = choices, sorted(right)
    return pool, correct


@st.composite
def answered(draw):
    """A quiz, its draw for one attempt, and an answer sheet picking from each question's choices."""
    pool, correct = draw(quizzes())
    per_attempt = draw(st.none() | st.integers(1, len(pool)))
    drawn = draw_questions(pool, per_attempt, random.Random(draw(st.integers(0, 2**32))))
    sheet = {
        str(item["question_id"]): draw(
            st.lists(st.sampled_from(item["choice_ids"]), min_size=1, unique=True)
        )
        for item in drawn
    }
    return drawn, {q: correct[q] for q in sheet}, sheet


@PURE
@given(answered(), st.integers(0, 100))
def test_the_score_is_the_percentage_right_rounded_down(case, pass_mark):
    drawn, correct, sheet = case
    grade = grade_attempt(
        check_answers(drawn, {q: list(map(str, c)) for q, c in sheet.items()}), correct, pass_mark
    )
    right = sum(set(sheet[q]) == set(correct[q]) for q in correct)
    assert 0 <= grade.score <= 100
    assert grade.score == 100 * right // len(correct)  # rounded down, never up
    assert grade.score * len(correct) <= 100 * right < (grade.score + 1) * len(correct)
    assert grade.passed == (grade.score >= pass_mark)
    assert (grade.score == 100) == (right == len(correct))


@PURE
@given(answered())
def test_a_multiple_answer_question_scores_only_with_exactly_its_correct_choices(case):
    drawn, correct, sheet = case
    grade = grade_attempt(sheet, correct, 100)
    for question, picked in sheet.items():
        assert grade.results[question] == (set(picked) == set(correct[question]))
        if set(picked) < set(correct[question]) or set(picked) > set(correct[question]):
            assert not grade.results[question]  # some right is not enough, nor all plus more


@PURE
@given(quizzes(), st.none() | st.integers(1, 20), st.integers(0, 2**32))
def test_a_draw_is_distinct_questions_each_with_all_its_choices(quiz, count, seed):
    pool, _ = quiz
    drawn = draw_questions(pool, count, random.Random(seed))
    ids = [item["question_id"] for item in drawn]
    assert len(ids) == len(set(ids)) == min(count or len(pool), len(pool))
    for item in drawn:
        assert sorted(item["choice_ids"]) == sorted(pool[item["question_id"]])


# Any answer sheet a browser could send: names and values are any text.
sheets = st.dictionaries(
    st.text(max_size=8) | st.integers(0, 3000).map(str),
    st.lists(st.text(max_size=8) | st.integers(-5, 3000).map(str), max_size=4),
    max_size=6,
)


@PURE
@given(answered(), sheets)
def test_any_answer_sheet_is_checked_or_refused_with_answer_error(case, sheet):
    drawn, correct, _ = case
    try:
        answers = check_answers(drawn, sheet)
    except AnswerError as exc:
        assert str(exc)
        return
    choices = {str(item["question_id"]): set(item["choice_ids"]) for item in drawn}
    assert set(answers) == set(choices)
    for question, picked in answers.items():
        assert picked and set(picked) <= choices[question]
    assert 0 <= grade_attempt(answers, correct, 80).score <= 100


@pytest.mark.parametrize("value", ["٣", "²", "1_000", " 7 ", "9" * 5000, "+1"])
def test_odd_digits_in_an_answer_are_refused_not_crashed(value):
    drawn = [{"question_id": 1, "choice_ids": [11, 12]}]
    with pytest.raises(AnswerError):
        check_answers(drawn, {"1": [value]})
