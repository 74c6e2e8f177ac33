"""Item analysis rules: the point-biserial from sums, and each flag at its boundary."""

from math import sqrt

import pytest

from lms.analysis.rules import (
    DISTRACTOR_FLAG,
    NEGATIVE_FLAG,
    TOO_EASY_FLAG,
    TOO_HARD_FLAG,
    ChoiceCount,
    Sums,
    item_flags,
    point_biserial,
    share_right,
    wrong_choice_beats_right,
)


def sums_of(xs, ys) -> Sums:
    return Sums(
        len(xs),
        sum(xs),
        sum(ys),
        sum(x * y for x, y in zip(xs, ys, strict=True)),
        sum(y * y for y in ys),
    )


@pytest.mark.parametrize(
    ("xs", "ys", "expected"),
    [
        # right answers go with high rest scores: a perfect separation
        ([1, 1, 0, 0], [3, 3, 1, 1], 1.0),
        ([1, 1, 0, 0], [1, 1, 3, 3], -1.0),
        # n=10, Σx=5, Σy=18, Σxy=10, Σy²=34: (100 − 90) / √(25 · 16) = 0.5
        ([1] * 5 + [0] * 5, [2, 2, 2, 2, 2, 2, 1, 1, 2, 2], 0.5),
        # n=10, Σx=2, Σy=15, Σxy=2, Σy²=25: (20 − 30) / √(16 · 25) = −0.5
        ([0] * 8 + [1, 1], [2] * 5 + [1] * 5, -0.5),
        ([1, 1, 1], [0, 1, 2], None),  # everyone right: nothing to separate
        ([0, 0, 0], [0, 1, 2], None),  # everyone wrong
        ([1, 0, 1], [2, 2, 2], None),  # the rest scores are all the same
        ([1], [2], None),  # a single answer
        ([], [], None),  # never drawn
    ],
)
def test_point_biserial(xs, ys, expected):
    r = point_biserial(sums_of(xs, ys))
    if expected is None:
        assert r is None
    else:
        assert r == pytest.approx(expected)


def test_point_biserial_agrees_with_pearson_on_uneven_data():
    xs, ys = [0] * 8 + [1, 1], [3, 3, 3, 3, 3, 2, 1, 1, 1, 1]
    # n=10, Σx=2, Σy=21, Σxy=2, Σy²=53: (20 − 42) / √(16 · 89)
    assert point_biserial(sums_of(xs, ys)) == pytest.approx(-22 / sqrt(16 * 89))


def test_share_right():
    assert share_right(Sums(4, 3, 0, 0, 0)) == 0.75
    assert share_right(Sums()) is None


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([(5, True), (6, False)], True),
        ([(6, True), (6, False)], False),  # as often is not more often
        ([(9, True), (1, False), (0, False)], False),
        # multiple answers: beats the least-picked right choice
        ([(10, True), (4, True), (5, False)], True),
        ([(10, True), (5, True), (5, False)], False),
        ([(3, True)], False),  # no wrong choice
    ],
)
def test_wrong_choice_beats_right(counts, expected):
    assert wrong_choice_beats_right([ChoiceCount(n, ok) for n, ok in counts]) is expected


FAIR = [ChoiceCount(6, True), ChoiceCount(4, False)]


@pytest.mark.parametrize(
    ("xs", "ys", "choices", "expected"),
    [
        # 20 answers, 19 right = 95 %: not "too easy" (more than 95 % is)
        ([1] * 19 + [0], [2] * 19 + [1], FAIR, []),
        ([1] * 20, [2] * 20, FAIR, [TOO_EASY_FLAG]),  # 100 %, discrimination undefined
        # 10 answers, 3 right = 30 %: not "too hard" (fewer than 30 % is)
        ([1] * 3 + [0] * 7, [2] * 3 + [1] * 7, FAIR, []),
        ([1] * 2 + [0] * 8, [2] * 2 + [1] * 8, FAIR, [TOO_HARD_FLAG]),
        ([1] * 5 + [0] * 5, [1] * 5 + [2] * 5, FAIR, [NEGATIVE_FLAG]),
        (
            [1] * 5 + [0] * 5,
            [2] * 5 + [1] * 5,
            [ChoiceCount(5, True), ChoiceCount(6, False)],
            [DISTRACTOR_FLAG],
        ),
        # fewer than 10 answers: shown, not judged
        ([1] * 9, [2] * 9, FAIR, []),
        ([0] * 9, [2] * 9, [ChoiceCount(0, True), ChoiceCount(9, False)], []),
        (
            [1] * 2 + [0] * 8,
            [1] * 2 + [2] * 8,
            [ChoiceCount(2, True), ChoiceCount(8, False)],
            [TOO_HARD_FLAG, NEGATIVE_FLAG, DISTRACTOR_FLAG],
        ),
    ],
)
def test_item_flags(xs, ys, choices, expected):
    assert item_flags(sums_of(xs, ys), choices) == expected
