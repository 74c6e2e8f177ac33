"""What the content property tests found, pinned: each is a located problem, not a crash."""

from __future__ import annotations

import pytest

from lms.content.loader import load_content
from lms.periods import parse_period
from tests.factories import module_text, write_module, write_program


def errors_of(root) -> list[str]:
    return [str(e) for e in load_content(root).errors]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"version": 10**30},
            "content/modules/dignity.md:3: 'version' must be at most 2147483647, not "
            + str(10**30),
        ),
        (
            {"attempts": 2**31},
            "content/modules/dignity.md:10: 'attempts' must be at most 2147483647, not 2147483648",
        ),
        (
            {"renew_every": "99999 years"},
            "content/modules/dignity.md:7: 'renew_every': '99999 years' is longer than 100 years",
        ),
        (
            {"title": "Dig\x00nity"},
            "content/modules/dignity.md:2: text contains a NUL character (\\0), which cannot be stored",
        ),
        (
            {"body": "# T\n\nBo\x00dy\n"},
            "content/modules/dignity.md:39: contains a NUL character, which cannot be stored",
        ),
    ],
)
def test_a_module_setting_out_of_range_is_a_located_problem(content_dir, overrides, expected):
    write_module(content_dir, text=module_text(**overrides))
    assert expected in errors_of(content_dir)


def test_a_nul_byte_in_a_program_file_is_a_located_problem(content_dir):
    (content_dir / "programs" / "onboarding.yaml").write_bytes(b"title: On\nmodules:\x00 []\n")
    assert errors_of(content_dir) == [
        "content/programs/onboarding.yaml:2: contains a NUL character, which cannot be stored"
    ]


def test_a_program_due_in_more_than_ten_years_is_refused(content_dir):
    write_program(content_dir, due_days=10**6)
    assert errors_of(content_dir) == [
        "content/programs/onboarding.yaml:5: 'due_days' must be at most 3650, not 1000000"
    ]


@pytest.mark.parametrize(
    ("text", "days"), [("100 years", 36500), ("1200 months", 36000), ("5214 weeks", 36498)]
)
def test_periods_up_to_a_century_are_accepted(text, days):
    from lms.periods import approximate_days

    assert approximate_days(parse_period(text)) == days


@pytest.mark.parametrize("text", ["101 years", "36501 days", "99999 years", "1217 months"])
def test_periods_longer_than_a_century_are_refused(text):
    with pytest.raises(ValueError, match="is longer than 100 years"):
        parse_period(text)
