"""Content validation, check by check: each broken file and the exact `path:line: message` it gives.

A table per kind of file; the lines are the file's own (line 1 is the opening `---`).
Each check a loosened rule would let through (bad data loaded silently) has a row.
"""

import hashlib
from pathlib import Path

import pytest

from lms.content.loader import load_content
from lms.content.yamlfile import ContentError, FileChecker, Node, parse_yaml
from lms.periods import Period

# Lines 2-4; a row's extra front matter starts on line 5.
FRONT = "title: T\nversion: 1\nattestation: I agree.\n"
QUIZ_OK = "quiz:\n  - q: Which?\n    choices:\n      - text: A\n        correct: true\n      - B\n"


def module(front: str, body: str = "# T\n\nBody.\n") -> str:
    return f"---\n{front}---\n{body}"


def errors_in(root: Path) -> list[str]:
    return [str(e) for e in load_content(root).errors]


def module_errors(tmp_path: Path, text: str | bytes, name: str = "m.md") -> list[str]:
    path = tmp_path / "content" / "modules" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    prefix = f"content/modules/{name}:"
    found = errors_in(tmp_path / "content")
    assert all(e.startswith(prefix) for e in found), found
    return [e.removeprefix(prefix) for e in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the file's frame
        ("", ["1: a module starts with '---' and YAML front matter"]),
        ("title: T\n---\n", ["1: a module starts with '---' and YAML front matter"]),
        ("---\ntitle: T\n", ["1: front matter is not closed by a '---' line"]),
        ("---\n---\n# T\n", ["2: front matter is empty"]),
        ("---\n- a\n---\n# T\n", ["2: front matter must be a mapping of keys to values"]),
        (
            "---\ntitle: [\n---\n# T\n",
            ["3: invalid YAML: expected the node content, but found '<stream end>'"],
        ),
        # a character YAML refuses before parsing (a control character pasted from a document)
        (
            module("title: T\nversion: 1\nattestation: I \x07 agree.\n"),
            ["4: invalid YAML: unacceptable character #x0007: special characters are not allowed"],
        ),
        # a value YAML reads as a date or number but cannot make one of
        (
            module(FRONT + "summary: 2026-13-45\n"),
            ["5: invalid YAML: '2026-13-45' is not a valid timestamp"],
        ),
        (
            module(FRONT + "quiz:\n  - q: !!bool maybe\n"),
            ["6: invalid YAML: 'maybe' is not a valid bool"],
        ),
        (module(FRONT + "summary: !!set [a]\n"), ["5: invalid YAML: this is not a valid set"]),
        ("---\n- !!set [a]\n---\n# T\n", ["2: invalid YAML: this is not a valid set"]),
        ("--- \n" + FRONT + "---  \n# T\n", []),  # spaces after the fences
        (module(FRONT, body=""), ["5: the module has no body after the front matter"]),
        (module(FRONT, body="\n  \n"), ["7: the module has no body after the front matter"]),
        # required and optional text
        (module("version: 1\nattestation: x\n"), ["2: 'title' is required"]),
        (module("title: T\nversion: 1\n"), ["2: 'attestation' is required"]),
        (module("title: 5\nversion: 1\nattestation: x\n"), ["2: 'title' must be non-empty text"]),
        (
            module("title: '  '\nversion: 1\nattestation: x\n"),
            ["2: 'title' must be non-empty text"],
        ),
        (module(FRONT + "summary: ''\n"), ["5: 'summary' must be non-empty text"]),
        # numbers, each with its range
        (module("title: T\nattestation: x\n"), ["2: 'version' is required"]),
        (
            module("title: T\nversion: 0\nattestation: x\n"),
            ["3: 'version' must be a whole number of at least 1, not 0"],
        ),
        (
            module("title: T\nversion: true\nattestation: x\n"),
            ["3: 'version' must be a whole number of at least 1, not True"],
        ),
        (
            module("title: T\nversion: '2'\nattestation: x\n"),
            ["3: 'version' must be a whole number of at least 1, not '2'"],
        ),
        (
            module(FRONT + "minutes: 0\n"),
            ["5: 'minutes' must be a whole number of at least 1, not 0"],
        ),
        (module(FRONT + "minutes: 1\nattempts: 1\n"), []),
        (module(FRONT + "pass_mark: 101\n"), ["5: 'pass_mark' must be at most 100, not 101"]),
        (
            module(FRONT + "pass_mark: -1\n"),
            ["5: 'pass_mark' must be a whole number from 0 to 100, not -1"],
        ),
        (module(FRONT + "pass_mark: 100\n"), []),
        (
            module(FRONT + "attempts: 0\n"),
            ["5: 'attempts' must be a whole number of at least 1, not 0"],
        ),
        (
            module(FRONT + "questions_per_attempt: 0\n"),
            ["5: 'questions_per_attempt' must be a whole number of at least 1, not 0"],
        ),
        (
            module(FRONT + "questions_per_attempt: 2\n" + QUIZ_OK),
            ["5: 'questions_per_attempt' is 2 but the quiz has only 1 questions"],
        ),
        (module(FRONT + "questions_per_attempt: 1\n" + QUIZ_OK), []),
        (
            module(FRONT + "retrain_on_change: yes please\n"),
            ["5: 'retrain_on_change' must be true or false"],
        ),
        (
            module(FRONT + "retrain_on_change: 1\n"),
            ["5: 'retrain_on_change' must be true or false"],
        ),
        # periods
        (
            module(FRONT + "renew_every: yearly\n"),
            [
                "5: 'renew_every': 'yearly' is not a period; write a positive number and a unit, like '1 year' or '30 days'"
            ],
        ),
        (
            module(FRONT + "window: 30 days\n"),
            ["5: 'window' needs 'renew_every'; one-time training has no renewal"],
        ),
        (module(FRONT + "renew_every: 1 year\nwindow: 11 months\n"), []),
        (
            module(FRONT + "renew_every: 1 year\nwindow: 0 days\n"),
            [
                "6: 'window': '0 days' is not a period; write a positive number and a unit, like '1 year' or '30 days'"
            ],
        ),
        # keys
        (
            module(FRONT + "colour: red\n"),
            [
                "5: unknown key 'colour' in module front matter; allowed: attempts, attestation, changes, minutes, pass_mark, questions_per_attempt, quiz, renew_every, retrain_on_change, summary, title, version, window"
            ],
        ),
        (module(FRONT + "title: U\n"), ["5: duplicate key 'title'"]),
    ],
)
def test_each_problem_of_a_module_is_reported_at_its_line(tmp_path, text, expected):
    assert module_errors(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("quiz", "expected"),
    [
        ("quiz: nope\n", ["5: 'quiz' must be a list of questions"]),
        ("quiz:\n  - just text\n", ["6: question 1 must be a mapping with 'q' and 'choices'"]),
        (
            "quiz:\n  - just text\n  - q: Two?\n    choices: [A, B]\n",
            [
                "6: question 1 must be a mapping with 'q' and 'choices'",
                "8: question 2 has no correct choice",
            ],
        ),
        (
            QUIZ_OK + "  - q: Two?\n    hint: x\n    choices: [A, {text: B, correct: true}]\n",
            ["12: unknown key 'hint' in question 2; allowed: choices, explain, q, type"],
        ),
        ("quiz:\n  - choices: [A, {text: B, correct: true}]\n", ["6: 'q' is required"]),
        (
            "quiz:\n  - q: Which?\n    explain: ''\n    choices: [A, {text: B, correct: true}]\n",
            ["7: 'explain' must be non-empty text"],
        ),
        (
            "quiz:\n  - q: Which?\n    type: several\n    choices: [A, {text: B, correct: true}]\n",
            ["7: question 1: type must be 'single' or 'multiple', not 'several'"],
        ),
        # choices
        ("quiz:\n  - q: Which?\n", ["6: question 1 needs a list of at least 2 choices"]),
        (
            "quiz:\n  - q: Which?\n    choices: [{text: A, correct: true}]\n",
            ["7: question 1 needs a list of at least 2 choices"],
        ),
        (
            "quiz:\n  - q: Which?\n    choices: A or B\n",
            ["7: question 1 needs a list of at least 2 choices"],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - 42\n      - text: A\n        correct: true\n",
            ["8: question 1: a choice must be text or a mapping with 'text' and 'correct'"],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - 42\n      - B\n      - {text: A, correct: true}\n      - b\n",
            [
                "8: question 1: a choice must be text or a mapping with 'text' and 'correct'",
                "11: question 1: choice 'b' appears twice",
            ],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - {text: A, correct: true}\n      - {text: B}\n",
            [],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - '  '\n      - text: A\n        correct: true\n",
            ["8: question 1: a choice must be text or a mapping with 'text' and 'correct'"],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - text: A\n        correct: yes please\n      - B\n",
            [
                "8: question 1: 'correct' must be true or false",
                "7: question 1 has no correct choice",
            ],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - text: A\n        correct: true\n        note: x\n      - B\n",
            ["10: unknown key 'note' in a choice of question 1; allowed: correct, text, why"],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - correct: true\n      - B\n",
            ["8: 'text' is required"],
        ),
        # a choice without usable text is reported once, not also as a duplicate of another
        (
            "quiz:\n  - q: Which?\n    choices:\n      - {text: 5}\n      - {text: ' ', correct: true}\n      - B\n",
            ["8: 'text' must be non-empty text", "9: 'text' must be non-empty text"],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - text: Sure\n        correct: true\n      - ' sure '\n",
            ["10: question 1: choice 'sure' appears twice"],
        ),
        # correct answers
        ("quiz:\n  - q: Which?\n    choices: [A, B]\n", ["7: question 1 has no correct choice"]),
        (
            "quiz:\n  - q: Which?\n    type: multiple\n    choices:\n      - {text: A, correct: true}\n      - {text: B, correct: true}\n",
            ["8: question 1: every choice is correct; add a wrong one"],
        ),
        (
            "quiz:\n  - q: Which?\n    type: multiple\n    choices:\n      - {text: A, correct: true}\n      - {text: B, correct: true}\n      - C\n",
            [],
        ),
        (
            "quiz:\n  - q: Which?\n    type: multiple\n    choices:\n      - {text: A, correct: true}\n      - B\n",
            [],
        ),
        (
            "quiz:\n  - q: Which?\n    choices:\n      - {text: A, correct: true}\n      - {text: B, correct: false}\n",
            [],
        ),
    ],
)
def test_each_problem_of_a_quiz_is_reported_at_its_line(tmp_path, quiz, expected):
    assert module_errors(tmp_path, module(FRONT + quiz)) == expected


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "Bad_Name.md",
            module(FRONT).encode(),
            ["1: file name 'Bad_Name.md' must be a slug: lower-case letters, digits and '-'"],
        ),
        (
            "-m.md",
            module(FRONT).encode(),
            ["1: file name '-m.md' must be a slug: lower-case letters, digits and '-'"],
        ),
        ("m.md", b"---\ntitle: \xff\n", ["1: not UTF-8 text (byte 11)"]),
        ("m.md", b"\xef\xbb\xbf" + module(FRONT).encode(), []),  # a byte order mark is fine
        ("m-2.md", module(FRONT).encode(), []),
    ],
)
def test_a_module_file_must_be_utf8_and_named_by_a_slug(tmp_path, name, data, expected):
    assert module_errors(tmp_path, data, name) == expected


def test_a_valid_module_is_read_into_every_field(tmp_path):
    text = module(
        "title: ' Dignity '\nversion: 3\nretrain_on_change: true\nsummary: ' Why. '\nminutes: 7\n"
        "renew_every: 2 years\nwindow: 60 days\npass_mark: 0\nattempts: 2\nquestions_per_attempt: 1\n"
        "attestation: ' I agree. '\n"
        "quiz:\n  - q: ' Which? '\n    type: multiple\n    explain: ' Because. '\n"
        "    choices:\n      - {text: ' A ', correct: true}\n      - ' B '\n      - {text: C, correct: false}\n",
        body="# Dignity\n\n## Why\n\nWords.\n",
    )
    path = tmp_path / "content" / "modules" / "dignity.md"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    content = load_content(tmp_path / "content")
    assert content.errors == []
    spec = content.modules["dignity"]
    assert (spec.slug, spec.path, spec.version_line) == ("dignity", "content/modules/dignity.md", 3)
    assert spec.content_hash == hashlib.sha256(text.encode()).hexdigest()
    assert (spec.title, spec.version, spec.retrain_on_change, spec.summary, spec.minutes) == (
        "Dignity",
        3,
        True,
        "Why.",
        7,
    )
    assert (spec.renew_every, spec.window) == (Period(2, "year"), Period(60, "day"))
    assert (spec.pass_mark, spec.attempts, spec.questions_per_attempt) == (0, 2, 1)
    assert spec.attestation == "I agree."
    (question,) = spec.questions
    assert (question.prompt, question.type, question.explain) == ("Which?", "multiple", "Because.")
    assert [(c.text, c.is_correct) for c in question.choices] == [
        ("A", True),
        ("B", False),
        ("C", False),
    ]
    assert [h["title"] for h in spec.toc] == ["Why"] and "<p>Words.</p>" in spec.body_html


def test_a_module_leaves_out_what_it_does_not_need(tmp_path):
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    (root / "modules" / "m.md").write_text(module("title: T\nversion: 1\nattestation: x\n"))
    spec = load_content(root).modules["m"]
    assert (spec.retrain_on_change, spec.summary, spec.minutes, spec.pass_mark) == (
        False,
        "",
        1,
        80,
    )
    assert (spec.renew_every, spec.window, spec.attempts, spec.questions_per_attempt) == (
        None,
        None,
        None,
        None,
    )
    assert (spec.questions, spec.version_line) == ([], 3)


def test_a_single_question_is_the_default_type(tmp_path):
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    (root / "modules" / "m.md").write_text(module(FRONT + QUIZ_OK))
    assert [q.type for q in load_content(root).modules["m"].questions] == ["single"]


PROGRAM = "title: P\nmodules: [m]\ndue_days: 30\n"


def program_errors(tmp_path: Path, text: str | bytes, name: str = "p.yaml") -> list[str]:
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    (root / "modules" / "m.md").write_text(module(FRONT))
    (root / "modules" / "n.md").write_text(module(FRONT))
    (root / "programs").mkdir()
    (root / "programs" / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    prefix = f"content/programs/{name}:"
    found = errors_in(root)
    assert all(e.startswith(prefix) for e in found), found
    return [e.removeprefix(prefix) for e in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["1: a program must be a mapping with title, modules, audience and due_days"]),
        ("- m\n", ["1: a program must be a mapping with title, modules, audience and due_days"]),
        ("title: [\n", ["2: invalid YAML: expected the node content, but found '<stream end>'"]),
        (
            "title: P\nmodules: [m]\ndue_days: !!int thirty\n",
            ["3: invalid YAML: 'thirty' is not a valid int"],
        ),
        (
            "\ntitle: P\x07\n",
            ["2: invalid YAML: unacceptable character #x0007: special characters are not allowed"],
        ),
        (
            "title: P\nmodules: [m]\ndue_days: 30\x1b\n",
            ["3: invalid YAML: unacceptable character #x001b: special characters are not allowed"],
        ),
        ("modules: [m]\ndue_days: 30\n", ["1: 'title' is required"]),
        ("title: P\nmodules: [m]\n", ["1: 'due_days' is required"]),
        (
            "title: P\nmodules: [m]\ndue_days: '30'\n",
            ["3: 'due_days' must be a whole number of at least 1, not '30'"],
        ),
        ("title: P\ndue_days: 30\n", ["1: 'modules' must be a non-empty list of module slugs"]),
        (
            "title: P\nmodules: []\ndue_days: 30\n",
            ["2: 'modules' must be a non-empty list of module slugs"],
        ),
        (
            "title: P\nmodules: m\ndue_days: 30\n",
            ["2: 'modules' must be a non-empty list of module slugs"],
        ),
        (
            "title: P\nmodules: [m, 1]\ndue_days: 30\n",
            ["2: 'modules' must be a non-empty list of module slugs"],
        ),
        (
            "title: P\nmodules:\n  - m\n  - n\n  - m\ndue_days: 30\n",
            ["5: module 'm' is listed twice"],
        ),
        (
            "title: P\nmodules:\n  - m\n  - x\ndue_days: 30\n",
            ["4: program names module 'x', which is not in content/modules"],
        ),
        (
            PROGRAM + "teams: [A]\n",
            ["4: unknown key 'teams' in program; allowed: audience, due_days, modules, title"],
        ),
        (
            PROGRAM + "audience: everyone\n",
            ["4: 'audience' must be 'all' or a mapping with 'departments' and/or 'roles'"],
        ),
        (
            PROGRAM + "audience: {}\n",
            ["4: 'audience' must be 'all' or a mapping with 'departments' and/or 'roles'"],
        ),
        (
            PROGRAM + "audience:\n  departments: []\n",
            ["5: audience 'departments' must be a non-empty list of names"],
        ),
        (
            PROGRAM + "audience:\n  departments: Stores\n",
            ["5: audience 'departments' must be a non-empty list of names"],
        ),
        (
            PROGRAM + "audience:\n  departments: [Stores, ' ']\n",
            ["5: audience 'departments' must be a non-empty list of names"],
        ),
        (
            PROGRAM + "audience:\n  roles: [Lead, 1]\n",
            ["5: audience 'roles' must be a non-empty list of names"],
        ),
        (
            PROGRAM + "audience:\n  roles: [Lead]\n  departments: []\n",
            ["6: audience 'departments' must be a non-empty list of names"],
        ),
        (
            PROGRAM + "audience:\n  roles: []\n  departments: Stores\n",
            [
                "5: audience 'roles' must be a non-empty list of names",
                "6: audience 'departments' must be a non-empty list of names",
            ],
        ),
        ("# Onboarding\n\ntitle: P\nmodules: [m]\n", ["3: 'due_days' is required"]),
        ("# Onboarding\nmodules: [m]\ndue_days: 1\n", ["2: 'title' is required"]),
        (
            PROGRAM + "audience:\n  teams: [A]\n",
            ["5: unknown key 'teams' in audience; allowed: departments, roles"],
        ),
    ],
)
def test_each_problem_of_a_program_is_reported_at_its_line(tmp_path, text, expected):
    assert program_errors(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "P.yaml",
            PROGRAM.encode(),
            ["1: file name 'P.yaml' must be a slug: lower-case letters, digits and '-'"],
        ),
        ("p.yaml", b"title: \xff\n", ["1: not UTF-8 text (byte 7)"]),
        ("p.yml", PROGRAM.encode(), []),
    ],
)
def test_a_program_file_must_be_utf8_and_named_by_a_slug(tmp_path, name, data, expected):
    assert program_errors(tmp_path, data, name) == expected


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("", {"all": True}),
        ("audience: all\n", {"all": True}),
        ("audience:\n  departments: [' Stores ', Online]\n", {"departments": ["Stores", "Online"]}),
        (
            "audience:\n  roles: [Lead]\n  departments: [Stores]\n",
            {"departments": ["Stores"], "roles": ["Lead"]},
        ),
    ],
)
def test_a_valid_program_is_read_into_every_field(tmp_path, audience, expected):
    text = "title: ' Onboarding '\nmodules:\n  - m\n  - n\ndue_days: 14\n" + audience
    assert program_errors(tmp_path, text) == []
    spec = load_content(tmp_path / "content").programs["p"]
    assert (spec.slug, spec.path, spec.title, spec.due_days) == (
        "p",
        "content/programs/p.yaml",
        "Onboarding",
        14,
    )
    assert (spec.modules, spec.module_lines, spec.audience) == (
        ["m", "n"],
        {"m": 3, "n": 4},
        expected,
    )
    assert spec.content_hash == hashlib.sha256(text.encode()).hexdigest()


def test_the_same_slug_twice_is_refused_for_modules_and_programs(tmp_path):
    root = tmp_path / "content"
    (root / "modules" / "old").mkdir(parents=True)
    (root / "modules" / "m.md").write_text(module(FRONT))
    (root / "modules" / "old" / "m.md").write_text(module(FRONT))
    (root / "programs").mkdir()
    (root / "programs" / "p.yaml").write_text(PROGRAM)
    (root / "programs" / "p.yml").write_text(PROGRAM)
    assert errors_in(root) == [
        "content/modules/old/m.md:1: duplicate module slug 'm'; also content/modules/m.md",
        "content/programs/p.yml:1: duplicate program slug 'p'; also content/programs/p.yaml",
    ]


def test_a_missing_content_folder_is_one_error(tmp_path):
    content = load_content(tmp_path / "nowhere")
    assert content.errors == [
        ContentError(str(tmp_path / "nowhere"), 1, "content folder not found")
    ]
    assert (content.modules, content.programs) == ({}, {})


def test_problems_read_as_path_line_message():
    assert str(ContentError("content/modules/m.md", 7, "bad")) == "content/modules/m.md:7: bad"


def test_yaml_values_remember_their_lines_from_the_first_line_given():
    checker = FileChecker("f")
    data = parse_yaml("a: 1\nb:\n  - x\n  - y\n", checker, first_line=5)
    assert (checker.node(data).line, checker.node(data).keys) == (5, {"a": 5, "b": 6})
    assert (checker.node(data["b"]).line, checker.node(data["b"]).items) == (7, [7, 8])
    assert (checker.key_line(data, "b"), checker.key_line(data, "c")) == (6, 5)
    assert checker.node({}).line == 1 and checker.errors == []


def test_a_checker_without_yaml_puts_everything_on_line_1():
    node = FileChecker("f").node({"a": 1})
    assert (node.line, node.keys, node.items) == (1, {}, [])
    assert (Node(3).keys, Node(3).items) == ({}, [])
