"""Write a graded attempt's answers as rows item analysis can group (flushes only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lms.database import insert_rows
from lms.models import AttemptAnswer, AttemptPick


def answer_rows(
    attempt_id: int,
    module_version_id: int,
    answers: Mapping[str, Sequence[int]],
    results: Mapping[str, bool],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the `attempt_answers` and `attempt_picks` rows of one graded attempt."""
    right = sum(1 for ok in results.values() if ok)
    answer_list = [
        {
            "attempt_id": attempt_id,
            "question_id": int(qid),
            "module_version_id": module_version_id,
            "is_correct": bool(ok),
            "attempt_right": right,
        }
        for qid, ok in results.items()
    ]
    picks = [
        {
            "attempt_id": attempt_id,
            "choice_id": int(choice_id),
            "question_id": int(qid),
            "module_version_id": module_version_id,
        }
        for qid, choice_ids in answers.items()
        for choice_id in choice_ids
    ]
    return answer_list, picks


def insert_answer_rows(answers: list[dict[str, Any]], picks: list[dict[str, Any]]) -> None:
    """Insert answer and pick rows in bulk (`insert_rows`: COPY on PostgreSQL), 50,000 at a time."""
    for table, rows in ((AttemptAnswer.__table__, answers), (AttemptPick.__table__, picks)):
        for start in range(0, len(rows), 50_000):
            insert_rows(table, rows[start : start + 50_000])


def record_answers(
    attempt_id: int,
    module_version_id: int,
    answers: Mapping[str, Sequence[int]],
    results: Mapping[str, bool],
) -> None:
    """Record a just-graded attempt for item analysis, in the grading transaction."""
    insert_answer_rows(*answer_rows(attempt_id, module_version_id, answers, results))
