"""Item analysis reads: a fixed number of SQL statements, whatever the number of attempts.

The counting is done by the database (GROUP BY over `attempt_answers` and
`attempt_picks`, read from their covering indexes); Python only turns the
sums into shares and correlations (`lms.analysis.rules`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.analysis.rules import ChoiceCount, Sums, item_flags, point_biserial, share_right
from lms.extensions import db
from lms.models import AttemptAnswer, AttemptPick, Choice, Module, ModuleVersion, Question


@dataclass
class ChoiceFigures:
    choice: Choice
    picked: int
    share: float | None  # of the times the question was drawn


@dataclass
class QuestionFigures:
    question: Question
    source: str  # "content/modules/x.md:12", where an author finds it
    drawn: int
    right: int
    share_right: float | None
    discrimination: float | None
    choices: list[ChoiceFigures]
    flags: list[str] = field(default_factory=list)


@dataclass
class VersionAnalysis:
    version: ModuleVersion
    slug: str
    attempts: int
    questions: list[QuestionFigures]

    @property
    def flagged(self) -> list[QuestionFigures]:
        return [q for q in self.questions if q.flags]


def quiz_versions() -> list[tuple[ModuleVersion, str]]:
    """Return every module revision with a quiz and its slug, current ones first, in one query."""
    rows = db.session.execute(
        select(ModuleVersion, Module.slug)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(ModuleVersion.question_count > 0)
        .order_by(Module.slug, ModuleVersion.revision.desc())
    ).all()
    return [(version, slug) for version, slug in rows]


def answer_sums(version_id: int) -> dict[int, Sums]:
    """Return the five sums of each question of a module revision, by question id (one query).

    The database counts answers per (question, right or not, attempt's right answers):
    a few hundred groups, read in the covering index's own order with nothing to
    compute per row. Summing the products in SQL row by row took 107 ms on SQLite for
    the busiest revision of the 10,000-employee demo (~100,000 answers); this takes 24.
    """
    rows = db.session.execute(
        select(
            AttemptAnswer.question_id,
            AttemptAnswer.is_correct,
            AttemptAnswer.attempt_right,
            func.count(),
        )
        .where(AttemptAnswer.module_version_id == version_id)
        .group_by(AttemptAnswer.question_id, AttemptAnswer.is_correct, AttemptAnswer.attempt_right)
    )
    totals: dict[int, list[int]] = {}
    for question_id, is_correct, attempt_right, count in rows:
        x = 1 if is_correct else 0
        y = attempt_right - x  # the rest of the attempt
        sums = totals.setdefault(question_id, [0, 0, 0, 0, 0])
        sums[0] += count
        sums[1] += x * count
        sums[2] += y * count
        sums[3] += x * y * count
        sums[4] += y * y * count
    return {qid: Sums(*sums) for qid, sums in totals.items()}


def pick_counts(version_id: int) -> dict[int, int]:
    """Return how often each choice of a module revision was picked, by choice id (one query)."""
    return dict(
        db.session.execute(
            select(AttemptPick.choice_id, func.count())
            .where(AttemptPick.module_version_id == version_id)
            .group_by(AttemptPick.choice_id)
        ).all()
    )


def version_analysis(version_id: int) -> VersionAnalysis | None:
    """Return the figures and flags of every question of one module revision, in five queries."""
    row = db.session.execute(
        select(ModuleVersion, Module.slug)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(ModuleVersion.id == version_id)
    ).first()
    if row is None:
        return None
    version, slug = row
    questions = db.session.scalars(
        select(Question)
        .options(selectinload(Question.choices))
        .where(Question.module_version_id == version_id)
        .order_by(Question.position)
    ).all()
    sums, picks = answer_sums(version_id), pick_counts(version_id)
    path = version.source_path or f"content/modules/{slug}.md"
    figures = [question_figures(q, sums.get(q.id, Sums()), picks, path) for q in questions]
    per_attempt = min(version.questions_per_attempt or len(questions), len(questions)) or 1
    attempts = sum(f.drawn for f in figures) // per_attempt
    return VersionAnalysis(version=version, slug=slug, attempts=attempts, questions=figures)


def question_figures(
    question: Question, sums: Sums, picks: dict[int, int], path: str
) -> QuestionFigures:
    """Combine one question's sums and its choices' pick counts into its figures and flags."""
    choices = [
        ChoiceFigures(c, picks.get(c.id, 0), picks.get(c.id, 0) / sums.n if sums.n else None)
        for c in question.choices
    ]
    counts = [ChoiceCount(f.picked, f.choice.is_correct) for f in choices]
    return QuestionFigures(
        question=question,
        source=f"{path}:{question.line}" if question.line else path,
        drawn=sums.n,
        right=sums.x,
        share_right=share_right(sums),
        discrimination=point_biserial(sums),
        choices=choices,
        flags=item_flags(sums, counts),
    )


CSV_COLUMNS = [
    "module",
    "version",
    "revision",
    "question",
    "source",
    "prompt",
    "type",
    "drawn",
    "right",
    "share_right",
    "discrimination",
    "flags",
    "choice",
    "choice_text",
    "is_correct",
    "picked",
    "share_picked",
]


def rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def csv_rows(analysis: VersionAnalysis) -> Iterator[list[Any]]:
    """Yield one row per choice, its question's figures repeated (CSV_COLUMNS)."""
    v = analysis.version
    for number, q in enumerate(analysis.questions, start=1):
        for position, c in enumerate(q.choices, start=1):
            yield [
                analysis.slug,
                v.version,
                v.revision,
                number,
                q.source,
                q.question.prompt,
                q.question.type,
                q.drawn,
                q.right,
                rounded(q.share_right, 4),
                rounded(q.discrimination, 4),
                "; ".join(q.flags),
                position,
                c.choice.text,
                "yes" if c.choice.is_correct else "no",
                c.picked,
                rounded(c.share, 4),
            ]
