"""Content validation: every problem reported as path:line: message."""

import pytest

from lms.content.loader import load_content
from tests.factories import dedent, module_text, write_module, write_program

GOOD_QUESTION = """\
  - q: Pick one
    choices:
      - text: Right
        correct: true
      - Wrong
    explain: Because.
"""


def module_with_quiz(quiz: str, extra: str = "") -> str:
    return (
        "---\ntitle: T\nversion: 1\nattestation: I agree.\n"
        + extra
        + "quiz:\n"
        + quiz
        + "---\n# T\n\nBody.\n"
    )


def errors_of(root):
    return [str(e) for e in load_content(root).errors]


def test_the_shipped_content_is_valid():
    from pathlib import Path

    content = load_content(Path(__file__).resolve().parents[2] / "content")
    assert content.errors == []
    assert len(content.modules) >= 9
    policies = [m for m in content.modules.values() if m.questions]
    assert len(policies) >= 8
    for spec in policies:
        assert len(spec.questions) >= 8, spec.slug
        assert spec.questions_per_attempt == 5
        assert any(q.type == "multiple" for q in spec.questions), spec.slug
        assert all(q.explain for q in spec.questions), spec.slug
        assert spec.attestation
    assert "onboarding" in content.programs


def test_a_valid_module_parses_with_toc_and_quiz(tmp_path):
    write_module(tmp_path / "content")
    content = load_content(tmp_path / "content")
    assert content.errors == []
    spec = content.modules["dignity"]
    assert [h["title"] for h in spec.toc] == ["Why it matters", "What we do"]
    assert [q.type for q in spec.questions] == ["single", "multiple", "single"]
    assert str(spec.renew_every) == "1 year"


def test_broken_yaml_is_reported_with_its_line(tmp_path):
    root = tmp_path / "content"
    write_module(root, text="---\ntitle: T\nversion: [1\nattestation: x\n---\nbody\n")
    errors = errors_of(root)
    assert len(errors) == 1
    assert errors[0].startswith("content/modules/dignity.md:4: invalid YAML")


def test_unknown_key_is_reported_at_its_line(tmp_path):
    root = tmp_path / "content"
    write_module(
        root, text="---\ntitle: T\nversion: 1\npassmark: 80\nattestation: I agree.\n---\n# T\n"
    )
    assert errors_of(root) == [
        "content/modules/dignity.md:4: unknown key 'passmark' in module front matter; allowed: "
        "attempts, attestation, changes, minutes, pass_mark, questions_per_attempt, quiz, renew_every, "
        "retrain_on_change, summary, title, version, window"
    ]


def test_question_without_a_correct_choice(tmp_path):
    root = tmp_path / "content"
    quiz = GOOD_QUESTION + "  - q: Which?\n    choices:\n      - A\n      - B\n    explain: x\n"
    write_module(root, text=module_with_quiz(quiz))
    assert errors_of(root) == ["content/modules/dignity.md:13: question 2 has no correct choice"]


def test_two_correct_choices_on_a_single_question(tmp_path):
    root = tmp_path / "content"
    quiz = dedent(
        """
          - q: Which?
            choices:
              - text: A
                correct: true
              - text: B
                correct: true
              - C
        """
    )
    write_module(root, text=module_with_quiz(quiz))
    assert errors_of(root) == [
        "content/modules/dignity.md:7: question 1 is 'single' but has 2 correct choices; use 'type: multiple'"
    ]


def test_every_problem_in_every_file_is_listed(tmp_path):
    root = tmp_path / "content"
    write_module(
        root, "one", text="---\ntitle: T\nversion: 0\nattestation: x\ncolour: red\n---\n# T\n"
    )
    write_module(root, "two", text=module_text(pass_mark=120, renew_every="yearly"))
    write_program(root, modules=["one", "missing"])
    errors = errors_of(root)
    assert (
        "content/modules/one.md:3: 'version' must be a whole number of at least 1, not 0" in errors
    )
    assert any(e.startswith("content/modules/one.md:5: unknown key 'colour'") for e in errors)
    assert any(e.startswith("content/modules/two.md:") and "'pass_mark'" in e for e in errors)
    assert any(e.startswith("content/modules/two.md:") and "'renew_every'" in e for e in errors)
    assert (
        "content/programs/onboarding.yaml:4: program names module 'missing', which is not in content/modules"
        in errors
    )


def test_program_naming_a_missing_module(tmp_path):
    root = tmp_path / "content"
    write_module(root)
    write_program(root, modules=["dignity", "nope"])
    assert errors_of(root) == [
        "content/programs/onboarding.yaml:4: program names module 'nope', which is not in content/modules"
    ]


def test_duplicate_slug_in_two_folders(tmp_path):
    root = tmp_path / "content"
    write_module(root)
    (root / "modules" / "archive").mkdir()
    (root / "modules" / "archive" / "dignity.md").write_text(module_text())
    write_program(root)
    errors = errors_of(root)
    assert errors == [
        "content/modules/dignity.md:1: duplicate module slug 'dignity'; also content/modules/archive/dignity.md"
    ]


def test_duplicate_key_is_an_error(tmp_path):
    root = tmp_path / "content"
    write_module(root, text="---\ntitle: T\ntitle: U\nversion: 1\nattestation: x\n---\n# T\n")
    assert errors_of(root) == ["content/modules/dignity.md:3: duplicate key 'title'"]


def test_bad_program_audience_and_due_days(tmp_path):
    root = tmp_path / "content"
    write_module(root)
    write_program(root, audience={"teams": ["A"]}, due_days=0)
    errors = errors_of(root)
    assert any(":5: unknown key 'teams' in audience" in e for e in errors)
    assert any(":7: 'due_days' must be a whole number of at least 1" in e for e in errors)


def test_questions_per_attempt_larger_than_the_pool(tmp_path):
    root = tmp_path / "content"
    write_module(root, questions_per_attempt=9)
    assert errors_of(root) == [
        "content/modules/dignity.md:11: 'questions_per_attempt' is 9 but the quiz has only 3 questions"
    ]


def test_module_without_quiz_is_read_and_attest(tmp_path):
    root = tmp_path / "content"
    write_module(root, quiz=None)
    content = load_content(root)
    assert content.errors == [] and content.modules["dignity"].questions == []


def test_markdown_is_sanitised(tmp_path):
    root = tmp_path / "content"
    body = "# T\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n"
    write_module(root, body=body)
    html = load_content(root).modules["dignity"].body_html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html


@pytest.mark.parametrize(
    ("window", "renew", "shown"),
    [
        ("1 year", "1 year", "(1 year) must be shorter than 'renew_every' (1 year)"),
        ("13 months", "1 year", "(13 months) must be shorter than 'renew_every' (1 year)"),
        ("8 weeks", "30 days", "(8 weeks) must be shorter than 'renew_every' (30 days)"),
        ("30 days", "30 days", "(30 days) must be shorter than 'renew_every' (30 days)"),
    ],
)
def test_a_window_as_long_as_the_period_is_refused(tmp_path, window, renew, shown):
    root = tmp_path / "content"
    write_module(root, window=window, renew_every=renew)
    assert errors_of(root) == [f"content/modules/dignity.md:8: 'window' {shown}"]
