"""The documentation a user clones stays whole: every page reachable, every link inside it.

README.md and docs/*.md are all a user gets; the design notes the project was built
from are not in the repository, so nothing may point at them or off the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def links(page: Path) -> list[str]:
    return LINK.findall(page.read_text(encoding="utf-8"))


def linked_pages(page: Path) -> set[Path]:
    found = set()
    for target in links(page):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        found.add((page.parent / target.split("#")[0]).resolve())
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def test_every_docs_page_is_reachable_from_readme_or_the_docs_index():
    reachable = linked_pages(ROOT / "README.md") | linked_pages(DOCS / "README.md")
    missing = [p.name for p in DOCS.glob("*.md") if p.resolve() not in reachable]
    assert missing == [], f"not linked from README.md or docs/README.md: {missing}"


def test_the_docs_index_lists_every_other_page():
    listed = linked_pages(DOCS / "README.md")
    missing = [
        p.name for p in DOCS.glob("*.md") if p.name != "README.md" and p.resolve() not in listed
    ]
    assert missing == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_link_leaves_the_repository(page):
    text = page.read_text(encoding="utf-8")
    external = [t for t in links(page) if re.match(r"[a-z]+:", t)]
    external += re.findall(r"<(https?://[^>]+)>", text)
    assert external == [], f"{page.name} links off the repository: {external}"
    assert "../shared" not in text and "DESIGN.md" not in text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_anchor_link_names_a_heading(page):
    for target in links(page):
        if re.match(r"[a-z]+:", target) or "#" not in target:
            continue
        path, anchor = target.split("#", 1)
        linked = (page.parent / path).resolve() if path else page
        if linked.suffix != ".md":
            continue
        assert anchor in anchors(linked), f"{page.name}: no heading for {target}"
