"""Item analysis figures and flags, as plain functions of counts (docs/item-analysis.md).

Discrimination is the point-biserial correlation between a question's score
(1 right, 0 wrong) and the rest-of-attempt score (how many of the attempt's
other questions were right): the "corrected item-total" correlation, which
leaves the question out of the total so it does not correlate with itself.
It is computed from five sums SQL gives in one GROUP BY.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt

MIN_DRAWN = 10  # below this many answers a question is shown but not judged
TOO_EASY = 0.95  # answered right by more than this share
TOO_HARD = 0.30  # answered right by less than this share

TOO_EASY_FLAG = "too easy"
TOO_HARD_FLAG = "too hard"
NEGATIVE_FLAG = "negative discrimination"
DISTRACTOR_FLAG = "a wrong choice beats the right one"
FLAGS = (TOO_EASY_FLAG, TOO_HARD_FLAG, NEGATIVE_FLAG, DISTRACTOR_FLAG)


@dataclass(frozen=True)
class Sums:
    """Over one question's answers: n, Σx, Σy, Σxy and Σy² (x: the question's score, y: the rest)."""

    n: int = 0
    x: int = 0
    y: int = 0
    xy: int = 0
    yy: int = 0


def share_right(sums: Sums) -> float | None:
    """Return the share of answers that were right, None when never drawn."""
    return sums.x / sums.n if sums.n else None


def point_biserial(sums: Sums) -> float | None:
    """Return Pearson's r between x (0/1) and y from their sums; None when it is undefined.

    r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)), and x² = x. Undefined
    when everyone got the question right (or wrong), or the rest scores are all
    equal: there is nothing to separate.
    """
    n = sums.n
    spread_x = n * sums.x - sums.x * sums.x
    spread_y = n * sums.yy - sums.y * sums.y
    if n < 2 or spread_x <= 0 or spread_y <= 0:
        return None
    return (n * sums.xy - sums.x * sums.y) / sqrt(spread_x * spread_y)


@dataclass(frozen=True)
class ChoiceCount:
    picked: int
    is_correct: bool


def wrong_choice_beats_right(choices: Sequence[ChoiceCount]) -> bool:
    """Return whether some wrong choice was picked more often than a right one.

    For a multiple-answer question, more often than its least-picked right choice.
    """
    right = [c.picked for c in choices if c.is_correct]
    wrong = [c.picked for c in choices if not c.is_correct]
    return bool(right and wrong) and max(wrong) > min(right)


def item_flags(sums: Sums, choices: Sequence[ChoiceCount]) -> list[str]:
    """Return the flags of one question; none until it has been answered `MIN_DRAWN` times."""
    if sums.n < MIN_DRAWN:
        return []
    share = sums.x / sums.n
    discrimination = point_biserial(sums)
    flags = []
    if share > TOO_EASY:
        flags.append(TOO_EASY_FLAG)
    if share < TOO_HARD:
        flags.append(TOO_HARD_FLAG)
    if discrimination is not None and discrimination < 0:
        flags.append(NEGATIVE_FLAG)
    if wrong_choice_beats_right(choices):
        flags.append(DISTRACTOR_FLAG)
    return flags
