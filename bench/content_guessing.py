"""How far "always pick the longest choice" gets someone who never read the module.

    python bench/content_guessing.py [CONTENT_DIR]      (default: this checkout's content/)

Reads `content/` through the project's loader and prints, per module with a quiz:

- longest right: of the single-answer questions, how many have the correct choice
  as the longest one by characters (a tie for longest counts as a share: 1/t);
- shortest right: the same for the shortest choice, so a rewrite that only moved
  the tell from longest to shortest shows;
- first try: the exact probability that a guesser who always picks the longest
  choice passes a first attempt, over every equally likely draw of
  `questions_per_attempt` questions from the pool (`lms.grading.draw_questions`
  samples without replacement), with the app's own grading (`grade_attempt`:
  percent right rounded down, passing at or above `pass_mark`). On a
  multiple-answer question the guesser ticks only the longest choice, which scores
  only when that is the question's one correct choice. A tie for longest is broken
  at random, so such a question scores with probability 1/t, not 0 or 1;
- within attempts: the chance of passing in the module's allowed attempts, each a
  fresh draw (1 - (1 - first try) ** attempts; unlimited attempts print "-").

Exact: each draw's chance is summed with fractions over every subset size and
score (a dynamic programme over the pool), then divided by C(pool, drawn).
"""

from __future__ import annotations

import sys
from fractions import Fraction
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lms.content.loader import ModuleSpec, QuestionSpec, load_content  # noqa: E402
from lms.grading import grade_attempt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def longest_success(question: QuestionSpec, pick=max) -> Fraction:
    """Return the chance that ticking only the longest choice (ties at random) scores.

    `pick=min` gives the same for the shortest choice.
    """
    longest = pick(len(choice.text) for choice in question.choices)
    tied = [choice for choice in question.choices if len(choice.text) == longest]
    correct = sum(choice.is_correct for choice in question.choices)
    if correct != 1:
        return Fraction(0)  # one ticked choice cannot match several correct ones
    return Fraction(sum(choice.is_correct for choice in tied), len(tied))


def passes(right: int, drawn: int, pass_mark: int) -> bool:
    """Return whether `right` out of `drawn` passes, graded exactly as the app grades."""
    answers = {str(n): [1] for n in range(drawn)}
    correct = {str(n): [1] if n < right else [2] for n in range(drawn)}
    return grade_attempt(answers, correct, pass_mark).passed


def first_try_pass(spec: ModuleSpec) -> Fraction:
    """Return the exact first-attempt pass chance of always picking the longest choice."""
    chances = [longest_success(q) for q in spec.questions]
    drawn = min(spec.questions_per_attempt or len(chances), len(chances))
    # ways[j][r]: summed over every j-subset of the questions seen so far, the chance of r right.
    ways = [[Fraction(0)] * (drawn + 1) for _ in range(drawn + 1)]
    ways[0][0] = Fraction(1)
    for chance in chances:
        for j in range(drawn - 1, -1, -1):
            for r in range(j, -1, -1):
                if ways[j][r]:
                    ways[j + 1][r + 1] += ways[j][r] * chance
                    ways[j + 1][r] += ways[j][r] * (1 - chance)
    total = sum(ways[drawn][r] for r in range(drawn + 1) if passes(r, drawn, spec.pass_mark))
    return total / comb(len(chances), drawn)


def right_share(spec: ModuleSpec, pick=max) -> tuple[Fraction, int]:
    """Return (questions whose correct choice is the longest, single-answer questions).

    `pick=min` counts the questions whose correct choice is the shortest.
    """
    singles = [q for q in spec.questions if q.type == "single"]
    return sum((longest_success(q, pick) for q in singles), Fraction(0)), len(singles)


def share(part: Fraction, whole: int) -> str:
    return f"{float(part):g}/{whole} = {float(part / whole) if whole else 0:.0%}"


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "content"
    content = load_content(root)
    for error in content.errors:
        print(error, file=sys.stderr)
    if content.errors:
        sys.exit(1)
    header = (
        "module",
        "v",
        "pool",
        "drawn",
        "pass",
        "longest right",
        "shortest right",
        "first try",
        "in attempts",
    )
    rows = []
    totals = [Fraction(0), 0]
    for slug, spec in sorted(content.modules.items()):
        if not spec.questions:
            continue
        longest, singles = right_share(spec)
        shortest, _ = right_share(spec, min)
        totals[0] += longest
        totals[1] += singles
        first = first_try_pass(spec)
        within = "-" if spec.attempts is None else f"{float(1 - (1 - first) ** spec.attempts):.1%}"
        drawn = min(spec.questions_per_attempt or len(spec.questions), len(spec.questions))
        rows.append(
            (
                slug,
                str(spec.version),
                str(len(spec.questions)),
                str(drawn),
                f"{spec.pass_mark}%",
                share(longest, singles),
                share(shortest, singles),
                f"{float(first):.1%}",
                within,
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    if totals[1]:
        print(
            f"\nall modules: the correct choice is the longest in {float(totals[0]):g} of "
            f"{totals[1]} single-answer questions ({float(totals[0] / totals[1]):.0%})"
        )


if __name__ == "__main__":
    main()
