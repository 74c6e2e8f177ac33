"""`flask lms check-content [--strict]`, and the same warnings from `sync-content`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.content.checks import ContentWarning, check_modules
from lms.content.loader import load_content
from lms.extensions import db
from lms.models import ModuleVersion
from tests.factories import dedent, write_module

CLEAN = dedent(
    """
    ---
    title: Clean
    version: 1
    minutes: 1
    attestation: I agree.
    quiz:
      - q: A customer waits while you finish a phone call. What do you do?
        choices:
          - text: Nod to them
            correct: true
          - Finish the call without looking up
          - Ask a colleague to serve them instead
        explain: Acknowledge people promptly.
    ---
    # Clean

    Body text.
    """
)

WARNED = dedent(
    """
    ---
    title: Warned
    version: 1
    minutes: 9
    attestation: I agree.
    quiz:
      - q: A customer waits while you finish a phone call. What do you do?
        choices:
          - text: Acknowledge them now and serve them as soon as you can
            correct: true
          - Always finish the call first
          - All of the above
          - all of the above.
    ---
    # Warned

    Body text.
    """
)


def check(runner, *args):
    return runner.invoke(args=["lms", "check-content", *args])


def test_clean_content_passes_even_when_strict(runner, content_dir):
    write_module(content_dir, "dignity", text=CLEAN)
    for args in ([], ["--strict"]):
        result = check(runner, *args)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert result.stderr == "1 modules checked: 0 warning(s)\n"


def test_warnings_are_printed_sorted_and_fail_only_under_strict(runner, content_dir):
    write_module(content_dir, "dignity", text=CLEAN)
    write_module(content_dir, "warned", text=WARNED)
    expected = [
        "content/modules/dignity.md:7: warning: question 1 is also asked at "
        "content/modules/warned.md:7; ask it once",
        "content/modules/warned.md:4: warning: 'minutes' is 9 but the body is 3 words, about "
        "1 minute at 200 words a minute; set it to 1 or leave it out to have it worked out",
        "content/modules/warned.md:6: warning: the correct choice is the longest in 1 of 1 "
        "single-answer questions (100 %; questions 1); keep it to 30 % or less so that picking "
        "the longest choice does not pass",
        "content/modules/warned.md:7: warning: question 1 is also asked at "
        "content/modules/dignity.md:7; ask it once",
        "content/modules/warned.md:7: warning: question 1: absolute words appear only in wrong "
        "choices ('always' in choice 2), which gives those "
        "choices away; reword them or use such words in a right choice too",
        'content/modules/warned.md:12: warning: question 1: choice "All of the above" lets a '
        "reader answer by elimination, and shuffled choices have no 'above'; write a real "
        "alternative",
        'content/modules/warned.md:13: warning: question 1: choice "all of the above." lets a '
        "reader answer by elimination, and shuffled choices have no 'above'; write a real "
        "alternative",
        'content/modules/warned.md:13: warning: question 1: choice 4 "all of the above." '
        "repeats choice 3",
    ]
    result = check(runner)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == expected
    assert result.stderr == "2 modules checked: 8 warning(s)\n"
    strict = check(runner, "--strict")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines() == expected
    assert strict.stderr == "2 modules checked: 8 warning(s) (--strict: failing)\n"


def test_errors_are_printed_as_sync_prints_them_and_exit_1(runner, content_dir):
    write_module(content_dir, "broken", text="---\ntitle: [\n---\n")
    result = check(runner)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("content/modules/broken.md:3: invalid YAML")
    assert result.stderr.endswith("1 problem(s) found; sync-content would refuse.\n")


def test_sync_prints_the_same_warnings_and_still_loads(runner, app, content_dir):
    write_module(content_dir, "warned", text=WARNED)
    warnings = check(runner).stdout.splitlines()
    assert len(warnings) > 1
    for args in (["--dry-run"], []):
        result = runner.invoke(args=["lms", "sync-content", *args])
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines() == warnings
        assert "modules added: dignity, warned" in result.stdout
    assert db.session.scalar(select(func.count()).select_from(ModuleVersion)) == 2


def test_sync_refusing_content_prints_errors_not_warnings(runner, app, content_dir):
    write_module(content_dir, "warned", text=WARNED)
    write_module(content_dir, "broken", text="---\ntitle: [\n---\n")
    result = runner.invoke(args=["lms", "sync-content"])
    assert result.exit_code == 1
    assert "warning:" not in result.output


def test_the_shipped_content_never_fails_without_strict(runner, app):
    app.config["LMS_CONTENT_DIR"] = str(Path(__file__).resolve().parents[2] / "content")
    result = check(runner)
    assert result.exit_code == 0, result.output
    assert all(": warning: " in line for line in result.stdout.splitlines())


# Whatever content sync-content accepts, the checks run to the end: warnings, never a crash.

WORDS = st.sampled_from(
    [
        "Always",
        "never",
        "only",
        "no one",
        "all of the above",
        "None of these",
        "ask",
        "a",
        "manager",
        "refund",
        "!",
        "?",
        "  ",
        "ß",
        "Ａ",
        "Ask.",
        "—",
        "0",
        "ok",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join).filter(lambda t: t.strip())
CHOICE = st.one_of(TEXT, st.fixed_dictionaries({"text": TEXT, "correct": st.booleans()}))
QUESTION = st.fixed_dictionaries(
    {"q": TEXT, "choices": st.lists(CHOICE, min_size=2, max_size=5)},
    optional={"type": st.sampled_from(["single", "multiple"]), "explain": TEXT},
)
MODULE = st.fixed_dictionaries(
    {"title": TEXT, "version": st.integers(1, 3), "attestation": TEXT},
    optional={"minutes": st.integers(1, 30), "quiz": st.lists(QUESTION, max_size=6)},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(modules=st.lists(MODULE, min_size=1, max_size=3), body=st.lists(TEXT, max_size=400))
def test_checks_never_fail_on_content_the_loader_accepts(modules, body):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "content"
        for number, meta in enumerate(modules):
            front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
            write_module(root, f"m{number}", text=f"---\n{front}---\n# T\n\n{' '.join(body)} x\n")
        content = load_content(root)
        warnings = check_modules(content.modules.values())
    assert all(isinstance(w, ContentWarning) and w.line >= 1 for w in warnings)
    assert warnings == sorted(warnings)
