"""Quiz rules: drawing questions for an attempt, checking and grading answers."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class AnswerError(ValueError):
    """A submitted answer sheet that does not fit the attempt it claims to answer."""


class Unanswered(AnswerError):
    """Some drawn questions have no answer: `numbers` (1-based, in the order shown) and
    `question_ids` (text) name every one, so the page can list and mark them all."""

    def __init__(self, numbers: Sequence[int], question_ids: Sequence[str]) -> None:
        self.numbers, self.question_ids = list(numbers), list(question_ids)
        super().__init__(unanswered_message(self.numbers))


def unanswered_message(numbers: Sequence[int]) -> str:
    """ "question 2 has no answer", "questions 1 and 3 have no answer", "questions 1, 2 and 4 ..."."""
    if len(numbers) == 1:
        return f"question {numbers[0]} has no answer"
    listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
    return f"questions {listed} have no answer"


@dataclass(frozen=True)
class Grade:
    results: dict[str, bool]  # question id (as text) -> answered correctly
    score: int  # percent, rounded down
    passed: bool


def draw_questions(
    pool: Mapping[int, Sequence[int]], count: int | None, rng: random.Random
) -> list[dict[str, object]]:
    """Draw `count` questions (all when None) from the pool and shuffle their choices.

    `pool` maps question id to its choice ids. Each attempt gets its own draw
    and order, which the attempt keeps so it can be shown and graded again.
    """
    ids = list(pool)
    chosen = rng.sample(ids, k=min(count or len(ids), len(ids)))
    drawn = []
    for question_id in chosen:
        choice_ids = list(pool[question_id])
        rng.shuffle(choice_ids)
        drawn.append({"question_id": question_id, "choice_ids": choice_ids})
    return drawn


def check_answers(
    drawn: Sequence[Mapping[str, object]], submitted: Mapping[str, Sequence[str]]
) -> dict[str, list[int]]:
    """Return the answers as choice ids per question, or raise AnswerError saying what is wrong.

    `submitted` maps each question id (text) to the choice ids picked (text).
    Every drawn question must be answered, only with its own choices, and
    nothing else may be answered.
    """
    expected = {str(item["question_id"]): item["choice_ids"] for item in drawn}
    extra = sorted(set(submitted) - set(expected))
    if extra:
        raise AnswerError(f"question {extra[0]} is not part of this attempt")
    answers: dict[str, list[int]] = {}
    missing: list[tuple[int, str]] = []
    for number, (question_id, choice_ids) in enumerate(expected.items(), start=1):
        picked = submitted.get(question_id) or []
        if not picked:
            missing.append((number, question_id))
            continue
        try:
            picked_ids = sorted({int(value) for value in picked})
        except ValueError:
            raise AnswerError(f"question {number}: an answer is not a choice") from None
        if not set(picked_ids) <= set(choice_ids):  # type: ignore[arg-type]
            raise AnswerError(f"question {number}: an answer is not one of its choices")
        answers[question_id] = picked_ids
    if missing:
        raise Unanswered([n for n, _ in missing], [q for _, q in missing])
    return answers


def grade_attempt(
    answers: Mapping[str, Sequence[int]],
    correct: Mapping[str, Sequence[int]],
    pass_mark: int,
) -> Grade:
    """Grade checked answers: a question scores only when exactly its correct choices are picked.

    Multiple-answer questions are all-or-nothing (DESIGN.md). The score is the
    percentage of questions right, rounded down; the attempt passes at or above
    `pass_mark`.
    """
    results = {qid: set(answers.get(qid, ())) == set(correct[qid]) for qid in correct}
    score = (100 * sum(results.values())) // len(results) if results else 100
    return Grade(results=results, score=score, passed=score >= pass_mark)


def names_match(typed: str, full_name: str) -> bool:
    """Return whether a typed signature is the person's full name (case and spacing aside)."""

    def normal(text: str) -> str:
        return " ".join(text.split()).casefold()

    return bool(normal(typed)) and normal(typed) == normal(full_name)
