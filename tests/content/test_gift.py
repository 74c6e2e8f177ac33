"""`flask lms gift-to-yaml`: Moodle GIFT banks to quiz YAML (lms/content/gift.py).

The .gift files under tests/content/gift/ were written for these tests from
Moodle's published GIFT syntax.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.content.gift import convert_gift
from lms.content.loader import load_content
from tests.factories import write_module

GIFT = Path(__file__).parent / "gift"


def convert(name: str):
    return convert_gift((GIFT / name).read_bytes(), f"bank/{name}")


def items(gift: str) -> list[dict]:
    result = convert_gift(gift.encode(), "q.gift")
    assert result.problems == [], [str(p) for p in result.problems]
    return yaml.safe_load(result.to_yaml())


def problems(gift: str | bytes) -> list[str]:
    data = gift.encode() if isinstance(gift, str) else gift
    result = convert_gift(data, "q.gift")
    return [str(p) for p in result.problems]


def right(text: str, why: str | None = None) -> dict:
    return {"text": text, "correct": True, **({"why": why} if why else {})}


def wrong(text: str, why: str) -> dict:
    return {"text": text, "correct": False, "why": why}


BANK = [
    {
        "q": "A customer returns a kettle without a receipt and asks for their money back. "
        "What do you do first?",
        "choices": [
            right(
                "Look the sale up by card or loyalty number",
                "The receipt is one proof of purchase among several.",
            ),
            wrong(
                "Refuse: no receipt, no refund",
                "Refusing outright ignores other proof of purchase.",
            ),
            "Offer store credit only",
        ],
        "explain": "Policy: any proof of purchase will do.",
    },
    {
        "q": "Which text shows the escaped characters ~ = # { } and : literally?",
        "choices": [right("a ~ b = c # d { e } f : g", "right # here"), "plain text"],
    },
    {"q": "Grant is _____ in Grant's tomb.", "choices": ["buried", right("entombed"), "living"]},
    {
        "q": "Which of these must a complaint record hold? (select all)",
        "type": "multiple",
        "choices": [
            right("The date it was received", "Yes: time limits run from it."),
            right("What the customer asked for"),
            wrong("The customer's star sign", "Never relevant."),
        ],
        "explain": "A record lets anyone pick the complaint up.",
    },
    {
        "q": "Pick the three right answers.",
        "type": "multiple",
        "choices": [right("one"), right("two"), right("three"), "four"],
    },
    {
        "q": "Pick the three right answers again.",
        "type": "multiple",
        "choices": [right("uno"), right("dos"), right("tres"), "nada"],
    },
    {
        "q": "A single right answer may carry an explicit 100 % weight.",
        "choices": [right("this one"), "not this", "nor this"],
    },
    {
        "q": "A customer says the advertised price was lower. What do you check?",
        "choices": [
            right("The shelf label and the advert (https://example.com)"),
            "Nothing: the till is always right",
        ],
    },
    {
        "q": "A customer\u2019s card is declined. What do you say?",
        "choices": [
            right("Say it quietly & offer to try again", "Yes: privacy first."),
            "Announce it",
        ],
    },
    {
        "q": "Keep <b>tags</b> as typed.",
        "choices": [right("They stay <b>literal</b>"), "They go"],
    },
    {"q": "The default format also allows HTML.", "choices": [right("Yes"), "No"]},
    {
        "q": "Staff may refuse service to someone who is abusive.",
        "choices": [right("True"), "False"],
    },
    {
        "q": "A manager may overrule a refund decision.",
        "choices": [right("True", "Right: they can."), wrong("False", "Wrong: they can.")],
        "explain": "Managers review decisions.",
    },
    {
        "q": "A promise to call back can be broken if the shop is busy.",
        "choices": ["True", right("False")],
    },
    {
        "q": "You must give your own name to a customer who asks.",
        "choices": [
            wrong("True", "Not required: a staff number will do."),
            right("False", "Correct."),
        ],
    },
]


def test_bank_converts_every_supported_question_type():
    result = convert("bank.gift")
    assert result.problems == []
    assert yaml.safe_load(result.to_yaml()) == BANK


def test_each_question_is_preceded_by_where_it_came_from():
    text = convert("bank.gift").to_yaml()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert comments[:3] == [
        "# bank/bank.gift:6 ::Refund without a receipt::",
        "# bank/bank.gift:17 ::Escapes: every one::",
        "# bank/bank.gift:22",
    ]
    assert len(comments) == len(BANK)
    assert max(len(line) for line in text.splitlines()) > 80  # never wrapped


def test_windows_line_endings_and_byte_order_mark():
    raw = (GIFT / "windows.gift").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # the file kept its bytes
    result = convert("windows.gift")
    assert result.problems == []
    assert [q.line for q in result.questions] == [3, 8]
    assert yaml.safe_load(result.to_yaml()) == [
        {
            "q": "Which drink is café au lait?",
            "choices": [right("Coffee with milk", "Oui."), "Tea"],
        },
        {
            "q": "The first line and the second line.",
            "choices": [wrong("True", "No."), right("False", "Yes.")],
        },
    ]


@pytest.mark.parametrize("name", ["bank.gift", "windows.gift"])
def test_converted_questions_load_as_a_module_quiz(tmp_path, name):
    quiz = convert(name).to_yaml()
    root = tmp_path / "content"
    write_module(
        root,
        text=f"---\ntitle: T\nversion: 1\nattestation: I agree.\nquiz:\n{quiz}---\n# T\n\nBody.\n",
    )
    content = load_content(root)
    assert [str(e) for e in content.errors] == []
    questions = content.modules["dignity"].questions
    expected = yaml.safe_load(quiz)
    assert [q.prompt for q in questions] == [item["q"] for item in expected]
    assert [q.type for q in questions] == [item.get("type", "single") for item in expected]
    assert [[c.is_correct for c in q.choices] for q in questions] == [
        [isinstance(c, dict) and c["correct"] for c in item["choices"]] for item in expected
    ]


def test_unsupported_question_types_are_each_named_with_their_line():
    result = convert("unsupported.gift")
    assert result.errors == []
    assert [(p.line, p.message.split(":")[0]) for p in result.unsupported] == [
        (3, "essay question (empty answers '{}')"),
        (5, "matching question ('=... -> ...')"),
        (10, "numerical question ('{#...}')"),
        (12, "short-answer question (typed answers"),
        (14, "description (text with no answers in braces)"),
    ]
    assert [q.item["q"] for q in result.questions] == [
        "A question Attest can grade.",
        "Another gradable question.",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "unclosed.gift",
            [
                "bank/unclosed.gift:3: '{' is never closed: end the answers with '}' before the blank line"
            ],
        ),
        (
            "no_right_answer.gift",
            [
                "bank/no_right_answer.gift:4: no right answer: mark one with '=' or a positive weight (~%100%)"
            ],
        ),
        (
            "bad_weights.gift",
            [
                "bank/bad_weights.gift:2: weights do not add up: the only right answer 'Half' is "
                "worth 50 %; a single right answer must be worth 100 % ('=')",
                *(
                    f"bank/bad_weights.gift:{line}: weights do not add up: the right answers' "
                    f"weights sum to {total} %, not 100 %; Attest scores all or nothing, so give "
                    "the right answers weights that sum to 100 % (one '=' answer for a single "
                    "right answer)"
                    for line, total in ((7, 150), (12, 80), (14, 200))
                ),
            ],
        ),
    ],
)
def test_bad_input_is_reported_with_path_and_line(name, expected):
    result = convert(name)
    assert [str(p) for p in result.errors] == expected


@pytest.mark.parametrize(
    ("gift", "expected"),
    [
        # comments anywhere, even inside the answers, and before the title
        ("// c\n::T::Q?{\n// c\n=a\n~b}", [{"q": "Q?", "choices": [right("a"), "b"]}]),
        # a title spanning a line break, and a question with no title
        ("Q?{=a ~b}", [{"q": "Q?", "choices": [right("a"), "b"]}]),
        # an unclosed '::' is no title, as in Moodle
        ("::Q?{=a ~b}", [{"q": "Q?", "choices": [right("a"), "b"]}]),
        # answers before the text: no blank needed
        ("{=a ~b} is the answer", [{"q": "_____ is the answer", "choices": [right("a"), "b"]}]),
        # the format applies to answers and feedback too, which may set their own
        (
            "[html]<b>Q</b>{=<i>a</i>#<u>yes</u> ~[plain]<b>b</b>}",
            [{"q": "Q", "choices": [right("a", "yes"), "<b>b</b>"]}],
        ),
        (
            "[markdown]Q *now*{=a ~b####**why**}",
            [{"q": "Q now", "choices": [right("a"), "b"], "explain": "why"}],
        ),
        # \n is a line break, and \\ a backslash
        (r"Q\nnext\\{=a ~b}", [{"q": "Q next\\", "choices": [right("a"), "b"]}]),
        # negative weights on wrong answers are kept as plain wrong answers
        ("Q{=a ~%-100%b ~%-33.3%c}", [{"q": "Q", "choices": [right("a"), "b", "c"]}]),
        # several questions, any number of blank lines apart, with spaces on "blank" lines
        (
            "A{T}\n\n  \n\t\nB{FALSE}\n",
            [
                {"q": "A", "choices": [right("True"), "False"]},
                {"q": "B", "choices": ["True", right("False")]},
            ],
        ),
        # a category line straight above a question does not swallow it
        ("$CATEGORY: x\nQ{=a ~b}", [{"q": "Q", "choices": [right("a"), "b"]}]),
        # an image keeps its alternative text
        (
            '[html]Which sign? <img src="x.png" alt="a red triangle">{=Warning ~Stop}',
            [{"q": "Which sign? a red triangle", "choices": [right("Warning"), "Stop"]}],
        ),
    ],
)
def test_gift_syntax(gift, expected):
    assert items(gift) == expected


@pytest.mark.parametrize(
    ("gift", "expected"),
    [
        ("Q}{=a ~b}", "q.gift:1: '}' without an opening '{'; write \\} for a literal brace"),
        (
            "Q{=a\n~b} and {c}",
            "q.gift:2: a question has one answer block; write \\{ and \\} for literal braces",
        ),
        (
            "Q{=a {~b}",
            "q.gift:1: a question has one answer block; write \\{ and \\} for literal braces",
        ),
        (
            "Q{\nsome text =a ~b}",
            "q.gift:2: text before the first answer; start each answer with '=' or '~'",
        ),
        ("Q{=a\n~A}", "q.gift:2: answer 'A' appears twice"),
        ("Q{=a ~  #only feedback}", "q.gift:1: an answer has no text"),
        ("Q{~%fifty%a =b}", "q.gift:1: a weight is a percentage from -100 to 100, like ~%50%"),
        ("Q{~%150%a ~b}", "q.gift:1: a weight is a percentage from -100 to 100, like ~%50%"),
        ("Q{~%50%a ~%50%b}", "q.gift:1: every answer is right; add a wrong one ('~')"),
        ("::Title::{=a ~b}", "q.gift:1: the question has no text"),
        (b"Q{=a ~b}\n\nQ\xff{T}", "q.gift:3: not UTF-8 text (byte 11)"),
    ],
)
def test_bad_gift_syntax(gift, expected):
    assert problems(gift) == [expected]


def test_true_false_is_case_sensitive_as_in_moodle():
    result = convert_gift(b"Q{true}", "q.gift")
    assert [p.message.split(" (")[0] for p in result.unsupported] == ["short-answer question"]


def test_an_empty_file_has_no_questions():
    result = convert_gift(b"\xef\xbb\xbf// nothing but a comment\r\n\r\n", "q.gift")
    assert result.questions == [] and result.problems == []
    assert result.summary(skip_unsupported=False) == "no questions to convert in q.gift"


# Through the command line: errors on stderr, nothing on stdout, exit 1.


def gift_to_yaml(runner, *args):
    return runner.invoke(args=["lms", "gift-to-yaml", *args])


def test_cli_prints_the_yaml(runner):
    path = GIFT / "bank.gift"
    result = gift_to_yaml(runner, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == convert_gift(path.read_bytes(), str(path)).to_yaml()
    assert result.stderr == ""


def test_cli_refuses_unsupported_questions_and_prints_nothing(runner):
    path = str(GIFT / "unsupported.gift")
    result = gift_to_yaml(runner, path)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines[:5]] == [
        f"{path}:{n}" for n in (3, 5, 10, 12, 14)
    ]
    assert lines[5] == (
        "5 question(s) Attest cannot grade: nothing was converted "
        "(--skip-unsupported converts the other 2)"
    )


def test_cli_skip_unsupported_converts_the_rest(runner):
    path = str(GIFT / "unsupported.gift")
    result = gift_to_yaml(runner, path, "--skip-unsupported")
    assert result.exit_code == 0
    assert [item["q"] for item in yaml.safe_load(result.stdout)] == [
        "A question Attest can grade.",
        "Another gradable question.",
    ]
    assert len(result.stderr.splitlines()) == 6
    assert result.stderr.splitlines()[-1] == "2 question(s) converted, 5 skipped"


@pytest.mark.parametrize("name", ["unclosed.gift", "no_right_answer.gift", "bad_weights.gift"])
@pytest.mark.parametrize("skip", [[], ["--skip-unsupported"]])
def test_cli_bad_input_exits_1_with_nothing_on_stdout(runner, name, skip):
    path = str(GIFT / name)
    result = gift_to_yaml(runner, path, *skip)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}:")
    assert "nothing was converted" in result.stderr.splitlines()[-1]


def test_cli_empty_file_exits_1(runner, tmp_path):
    path = tmp_path / "empty.gift"
    path.write_bytes(b"")
    result = gift_to_yaml(runner, str(path))
    assert result.exit_code == 1 and result.stdout == ""
    assert "no questions to convert" in result.stderr


def test_cli_missing_file_is_a_usage_error(runner, tmp_path):
    result = gift_to_yaml(runner, str(tmp_path / "missing.gift"))
    assert result.exit_code == 2 and result.stdout == ""


# Any input: problems or YAML the loader accepts, never an exception.

GIFT_PIECES = st.sampled_from(
    [
        "::",
        "T",
        "{",
        "}",
        "=",
        "~",
        "#",
        "####",
        "%50%",
        "%-100%",
        "%100%",
        "->",
        "\\",
        "\\{",
        "\\~",
        "\\n",
        "[html]",
        "[markdown]",
        "<b>",
        "&amp;",
        "*",
        "TRUE",
        "F",
        "a",
        "B",
        " ",
        "\n",
        "\r\n",
        "\n\n",
        "// c\n",
        "$CATEGORY: x\n",
        "é",
        "\ufeff",
        "\x00",
    ]
)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(GIFT_PIECES, max_size=40))
def test_any_input_gives_problems_or_yaml_the_loader_accepts(pieces):
    result = convert_gift("".join(pieces).encode(), "q.gift")
    assert all(p.line >= 1 for p in result.problems)
    if result.errors or not result.questions:
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "content"
        quiz = result.to_yaml()
        write_module(
            root, text=f"---\ntitle: T\nversion: 1\nattestation: A.\nquiz:\n{quiz}---\n# T\n"
        )
        assert [str(e) for e in load_content(root).errors] == []


def escape(text: str) -> str:
    return "".join("\\" + c if c in "\\~=#{}:" else c for c in text)


RAW = st.text(alphabet="ab é<>&*_-%/\\~=#{}:\t", max_size=10).map(escape)
ANSWER = st.tuples(
    st.sampled_from(["=", "~"]),
    st.sampled_from(["", "%50%", "%-100%", "%100%", "%33.3%", "%0%"]),
    RAW,
    st.one_of(st.just(""), RAW.map(lambda t: "#" + t)),
).map("".join)
QUESTION_TEXT = st.tuples(
    st.one_of(st.just(""), RAW.map(lambda t: f"::{t}::")),
    st.sampled_from(["", "[html]", "[markdown]", "[plain]", "[moodle]"]),
    RAW,
    st.one_of(
        st.lists(ANSWER, min_size=1, max_size=5).map(lambda a: "{" + "\n".join(a)),
        st.sampled_from(["{T", "{FALSE#no#yes"]),
    ),
    st.one_of(st.just(""), RAW.map(lambda t: "####" + t)),
    st.sampled_from(["}", "} and more", "}."]),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(questions=st.lists(QUESTION_TEXT, min_size=1, max_size=4))
def test_well_formed_banks_give_problems_or_yaml_the_loader_accepts(questions):
    result = convert_gift("\n\n".join(questions).encode(), "q.gift")
    if result.errors or not result.questions:
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "content"
        quiz = result.to_yaml()
        write_module(
            root, text=f"---\ntitle: T\nversion: 1\nattestation: A.\nquiz:\n{quiz}---\n# T\n"
        )
        assert [str(e) for e in load_content(root).errors] == []
        parsed = yaml.safe_load(quiz)
    assert len(parsed) == len(result.questions)
