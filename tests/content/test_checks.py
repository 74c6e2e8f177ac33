"""Item-writing rules of check-content, one table per rule (lms/content/checks.py)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from lms.content.checks import (
    check_above_choices,
    check_absolute_words,
    check_longest_correct,
    check_minutes,
    check_modules,
    check_repeated_choices,
    check_repeated_questions,
    is_longest_correct,
    normalise,
)
from lms.content.loader import ChoiceSpec, ModuleSpec, QuestionSpec, load_content
from tests.factories import write_module


def question(*choices: str, kind: str = "single", prompt: str = "What do you do?", line: int = 10):
    """A question whose choices are texts; a leading '*' marks a correct one."""
    specs = [
        ChoiceSpec(text.removeprefix("*"), text.startswith("*"), line=line + 2 + n)
        for n, text in enumerate(choices)
    ]
    return QuestionSpec(prompt=prompt, type=kind, explain="", choices=specs, line=line)


def base_module() -> ModuleSpec:
    """A module as the loader makes it (whatever fields it grows), to vary with replace()."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "content"
        write_module(root, "m", text="---\ntitle: T\nversion: 1\nattestation: A.\n---\n# T\n")
        return load_content(root).modules["m"]


BASE = base_module()


def module(questions=(), path="content/modules/m.md", minutes=3, minutes_line=6, words=600):
    return replace(
        BASE,
        path=path,
        questions=list(questions),
        quiz_line=13,
        minutes=minutes,
        minutes_line=minutes_line,
        words=words,
    )


LONG = question("*Acknowledge them and serve them next", "Carry on", "Ask them to wait")
SHORT = question("*Greet them", "Carry on with the large order", "Ask them to wait outside")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (LONG, True),
        (SHORT, False),
        (question("*Same length", "Same length!"), False),  # one character longer: wrong one
        (question("*Tie ab", "Tie cd"), False),  # a tie gives nothing away
        (question("*Ask  a   manager", "Ask a manager?"), False),  # spacing does not count
        (question("*Listening first", "Serving quickly", kind="multiple"), False),
    ],
)
def test_is_longest_correct(q, expected):
    assert is_longest_correct(q) is expected


@pytest.mark.parametrize(
    ("longest", "short", "multiple", "warned"),
    [
        (0, 5, 0, False),
        (3, 7, 0, False),  # 30 %: at the limit, allowed
        (1, 2, 0, True),  # 33 %
        (4, 6, 0, True),
        (1, 0, 0, True),  # a single question, and it gives itself away
        (3, 7, 5, False),  # multiple-answer questions are not counted either way
        (0, 0, 3, False),  # no single-answer questions
    ],
)
def test_longest_correct_share_above_thirty_percent_is_flagged(longest, short, multiple, warned):
    multi = question("*Listen first", "*Give them space", "Serve big spenders", kind="multiple")
    warnings = check_longest_correct(
        module([LONG] * longest + [SHORT] * short + [multi] * multiple)
    )
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].line == 13  # the module's quiz line
        share = round(100 * longest / (longest + short))
        assert f"longest in {longest} of {longest + short} single-answer questions" in (
            warnings[0].message
        )
        assert f"({share} %;" in warnings[0].message


def test_longest_correct_names_the_questions():
    [warning] = check_longest_correct(module([SHORT, LONG, SHORT, LONG]))
    assert str(warning) == (
        "content/modules/m.md:13: warning: the correct choice is the longest in 2 of 4 "
        "single-answer questions (50 %; questions 2, 4); keep it to 30 % or less so that "
        "picking the longest choice does not pass"
    )


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("All of the above", True),
        ("None of the above.", True),
        ("all the above", True),
        ("Both of the above", True),
        ("NONE OF THESE", True),
        ("All of them", True),
        ("Call a manager; all of the above apply", True),
        ("Tell them all of these steps now", False),  # "all of these" inside a sentence
        ("Check the list above the till", False),
        ("Above all, listen", False),
    ],
)
def test_all_or_none_of_the_above(text, warned):
    q = question("*Listen", "Interrupt", text)
    warnings = check_above_choices(module([q]))
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].line == q.choices[2].line
        assert warnings[0].message.startswith("question 1: choice ")


@pytest.mark.parametrize(
    ("choices", "words"),
    [
        (
            ("*Ask what they need", "Always refuse", "Never answer"),
            "'always' in choice 2; 'never' in choice 3",
        ),
        (("*Ask what they need", "Only take cash"), "'only' in choice 2"),
        (("*Ask what they need", "Tell no one"), "'no one' in choice 2"),
        (("*Ask what they need", "Tell no   one"), "'no one' in choice 2"),
        (
            ("*Ask what they need", "Refuse under no circumstances, ever"),
            "'under no circumstances' in choice 2",
        ),
        (
            ("*Ask what they need", "It is completely and totally fine"),
            "'completely', 'totally' in choice 2",
        ),
        (("*Ask what they need", "Do nothing at all, after all it is every store"), None),
        (("*Always ask what they need", "Never answer"), None),  # a right choice has one too
        (("*Ask what they need", "Wait for them"), None),
        (("*Ask what they need", "Offer a lonely smile"), None),  # 'only' inside a word
        (("*Ask what they need", "Allow a refund"), None),
    ],
)
def test_absolute_words_only_in_wrong_choices(choices, words):
    warnings = check_absolute_words(module([question(*choices)]))
    if words is None:
        assert warnings == []
    else:
        [warning] = warnings
        assert warning.line == 10
        assert f"({words})" in warning.message


def test_absolute_words_in_multiple_answer_questions():
    q = question("*Listen", "*Give them space", "Always serve big spenders", kind="multiple")
    assert len(check_absolute_words(module([q]))) == 1


@pytest.mark.parametrize(
    ("minutes", "words", "warned"),
    [
        (3, 600, False),  # exactly the reading time
        (5, 600, False),  # off by 2 minutes: not more than 2
        (6, 600, True),  # off by 3 minutes, more than 2 and more than 50 %
        (1, 600, False),  # off by 2
        (7, 600, True),  # the shipped modules before the rewrite
        (15, 2000, False),  # 10 minutes; off by 5 = 50 %
        (16, 2000, True),  # off by 6 > 50 %
        (4, 2000, True),  # off by 6
        (2, 20, False),  # 0.1 minute: off by 1.9
        (3, 20, True),
        (1, 0, False),
    ],
)
def test_minutes_far_from_reading_time(minutes, words, warned):
    warnings = check_minutes(module(minutes=minutes, words=words))
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].line == 6
        assert warnings[0].message.startswith(
            f"'minutes' is {minutes} but the body is {words} words"
        )


def test_minutes_worked_out_by_the_loader_is_never_flagged():
    assert check_minutes(module(minutes=9, words=600, minutes_line=None)) == []


def test_minutes_warning_suggests_the_reading_time():
    [warning] = check_minutes(module(minutes=8, words=612))
    assert warning.message == (
        "'minutes' is 8 but the body is 612 words, about 3 minutes at 200 words a minute; "
        "set it to 3 or leave it out to have it worked out"
    )


@pytest.mark.parametrize(
    ("choices", "repeats"),
    [
        (("*Ask a manager", "Ask a manager."), [(2, 1)]),
        (("*Ask a manager", "ask  A manager!"), [(2, 1)]),
        (("Wait", "*Ask a manager", "Refuse", "ASK A MANAGER", "Ask, a manager"), [(4, 2), (5, 2)]),
        (("*Ask a manager", "Ask the manager"), []),
        (("*Ａｓｋ", "Ask"), [(2, 1)]),  # full-width letters fold to the same text
    ],
)
def test_choice_repeated_within_a_question(choices, repeats):
    q = question(*choices)
    warnings = check_repeated_choices(module([q]))
    assert [(w.line, w.message.split(" repeats choice ")[1]) for w in warnings] == [
        (q.choices[later - 1].line, str(first)) for later, first in repeats
    ]


@pytest.mark.parametrize(
    ("first", "second", "warned"),
    [
        (
            "A customer asks for a refund. What now?",
            "A customer asks for a refund. What now?",
            True,
        ),
        (
            "A customer asks for a refund. What now?",
            "a customer asks for a refund - what now",
            True,
        ),
        (
            "A customer asks for a refund. What now?",
            "A customer asks for an exchange. What now?",
            False,
        ),
    ],
)
def test_same_question_in_two_modules(first, second, warned):
    one = module([question("*a", "b", prompt=first, line=14)], path="content/modules/one.md")
    two = module([question("*a", "b", prompt=second, line=30)], path="content/modules/two.md")
    warnings = check_repeated_questions([one, two])
    if not warned:
        assert warnings == []
        return
    assert [str(w) for w in warnings] == [
        "content/modules/one.md:14: warning: question 1 is also asked at content/modules/two.md:30; ask it once",
        "content/modules/two.md:30: warning: question 1 is also asked at content/modules/one.md:14; ask it once",
    ]


def test_same_question_twice_in_one_module():
    q1, q2 = question("*a", "b", line=14), question("*c", "d", line=22)
    warnings = check_repeated_questions([module([q1, q2])])
    assert [w.line for w in warnings] == [14, 22]
    assert "question 2 is also asked at content/modules/m.md:14" in warnings[1].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Ask a Manager. ", "ask a manager"),
        ("Don't—ever!", "don t ever"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_check_modules_sorts_by_path_and_line():
    q = question("*Ask what they need to do next", "Always refuse", "All of the above")
    warnings = check_modules(
        [
            module([q], path="content/modules/b.md", minutes=9),
            module([q], path="content/modules/a.md"),
        ]
    )
    keys = [(w.path, w.line) for w in warnings]
    assert keys == sorted(keys)
    assert keys[0][0] == "content/modules/a.md"
    assert "content/modules/b.md" in {w.path for w in warnings}


def test_a_module_without_a_quiz_has_no_quiz_warnings():
    assert check_modules([module([])]) == []
