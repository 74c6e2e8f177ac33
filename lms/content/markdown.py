"""Module bodies: Markdown to sanitised HTML with heading anchors and a table of contents."""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "th": {"style"},
    "td": {"style"},
}
WORDS_PER_MINUTE = 200

# Raw HTML in a module is switched off at the parser; nh3 is the second fence.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_md.use(anchors_plugin, min_level=2, max_level=3, permalink=False)


@dataclass(frozen=True)
class RenderedBody:
    html: str
    toc: list[dict[str, object]]  # [{"level": 2, "id": "...", "title": "..."}]
    words: int


def render_body(markdown: str) -> RenderedBody:
    """Render a module body to safe HTML and collect its level 2 and 3 headings."""
    tokens = _md.parse(markdown)
    toc = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            toc.append(
                {
                    "level": int(token.tag[1]),
                    "id": token.attrs.get("id", ""),
                    "title": tokens[index + 1].content,
                }
            )
    html = nh3.clean(
        _md.renderer.render(tokens, _md.options, {}),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return RenderedBody(html=html, toc=toc, words=len(re.findall(r"\w+", markdown)))


def reading_minutes(words: int) -> int:
    """Estimate reading time at a steady adult pace, at least one minute."""
    return max(1, round(words / WORDS_PER_MINUTE))
