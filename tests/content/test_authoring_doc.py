"""docs/authoring.md stays true: its examples are checked, its links stay in the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.content.checks import check_modules
from lms.content.gift import convert_gift
from lms.content.loader import load_content
from tests.factories import write_module

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")


def fenced(language: str, after: str = "") -> str:
    """The first fenced block in that language after a given phrase."""
    start = DOC.index(after) if after else 0
    match = re.compile(rf"^```{language}\n(.*?)^```$", re.S | re.M).search(DOC, start)
    assert match, language
    return match.group(1)


def test_the_example_module_is_valid_and_draws_no_warning(tmp_path):
    example = fenced("markdown").replace("...\n", "We put faulty goods right. " * 120 + "\n")
    write_module(tmp_path / "content", "handling-returns", text=example)
    content = load_content(tmp_path / "content")
    assert [str(e) for e in content.errors] == []
    assert [str(w) for w in check_modules(content.modules.values())] == []


def test_the_gift_example_converts_to_the_yaml_shown():
    bank = fenced("", after="From this bank:")
    result = convert_gift(bank.encode(), "returns.gift")
    assert [str(p) for p in result.unsupported] == [
        "returns.gift:20: numerical question ('{#...}'): Attest grades questions with choices "
        "only; rewrite it as multiple choice or true/false, or leave it out (--skip-unsupported)"
    ]
    assert result.to_yaml() == fenced("yaml", after="and writes on standard output:")


@pytest.mark.parametrize(
    "document", ["README.md", *sorted(p.name for p in (ROOT / "docs").glob("*.md"))]
)
def test_links_stay_inside_the_repository(document):
    path = ROOT / document if document == "README.md" else ROOT / "docs" / document
    for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        resolved = (path.parent / target.split("#")[0]).resolve()
        assert ROOT in resolved.parents, f"{document} links outside the repository: {target}"
        assert resolved.exists(), f"{document} links to a missing file: {target}"
