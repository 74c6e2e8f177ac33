"""Word-level differences between two revisions of a module, for a person asked to sign again.

The text compared is what the person read: the rendered body (`ModuleVersion.body_html`)
as plain words, block by block. `difflib.SequenceMatcher` on words finds what was
deleted and inserted; long unchanged stretches are cut to a few words either side
of each change. Deleted and inserted words are marked with `<del>`/`<ins>` and a
visually hidden "deleted:"/"added:" so screen readers say it too, not colour alone.
Every word is escaped: the output holds no markup of the module's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser

from markupsafe import Markup, escape

BREAK = "\n"  # a token between blocks (paragraphs, list items, headings, cells)
BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "br",
    "hr",
    "table",
    "ul",
    "ol",
}
CONTEXT = 12  # unchanged words kept either side of a change


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append(BREAK)

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.parts.append(BREAK)

    def handle_data(self, data):
        self.parts.append(data)


def words_of(html: str) -> list[str]:
    """Return the words of rendered HTML, with one BREAK token between blocks."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    tokens: list[str] = []
    for part in parser.parts:
        for token in [BREAK] if part == BREAK else part.split():
            if token == BREAK and (not tokens or tokens[-1] == BREAK):
                continue
            tokens.append(token)
    while tokens and tokens[-1] == BREAK:
        tokens.pop()
    return tokens


@dataclass(frozen=True)
class Segment:
    kind: str  # "equal", "delete", "insert" or "gap" (unchanged words left out)
    words: tuple[str, ...] = ()


def word_diff(old: list[str], new: list[str], context: int = CONTEXT) -> list[Segment]:
    """Return the segments turning `old` into `new`; [] when the words are the same."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    codes = matcher.get_opcodes()
    if all(tag == "equal" for tag, *_ in codes):
        return []
    segments: list[Segment] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            segments.extend(shortened(old[i1:i2], index == 0, index == len(codes) - 1, context))
            continue
        if tag in ("delete", "replace"):
            segments.append(Segment("delete", tuple(old[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(Segment("insert", tuple(new[j1:j2])))
    return segments


def shortened(words: list[str], first: bool, last: bool, context: int) -> list[Segment]:
    """Keep `context` unchanged words next to each change and a gap for the rest."""
    head = [] if first else words[:context]
    tail = [] if last else words[-context:]
    if len(head) + len(tail) >= len(words):
        return [Segment("equal", tuple(words))]
    kept = [Segment("equal", tuple(head))] if head else []
    kept.append(Segment("gap"))
    if tail:
        kept.append(Segment("equal", tuple(tail)))
    return kept


def joined(words: tuple[str, ...]) -> str:
    return (
        " ".join(words)
        .replace(f" {BREAK} ", BREAK)
        .replace(f"{BREAK} ", BREAK)
        .replace(f" {BREAK}", BREAK)
    )


def render_segments(segments: list[Segment]) -> Markup:
    """Render segments as escaped HTML with <del>, <ins> and their spoken labels."""
    out = []
    for segment in segments:
        text = escape(joined(segment.words))
        if segment.kind == "delete":
            out.append(
                Markup(
                    '<del><span class="visually-hidden">[deleted: </span>{}'
                    '<span class="visually-hidden">]</span></del>'
                ).format(text)
            )
        elif segment.kind == "insert":
            out.append(
                Markup(
                    '<ins><span class="visually-hidden">[added: </span>{}'
                    '<span class="visually-hidden">]</span></ins>'
                ).format(text)
            )
        elif segment.kind == "gap":
            out.append(Markup('<span class="gap">[…]</span>'))
        else:
            out.append(text)
    return Markup(" ").join(out)


def body_diff(old_html: str, new_html: str, context: int = CONTEXT) -> Markup | None:
    """Return the marked-up word difference between two bodies, None when the words are the same."""
    segments = word_diff(words_of(old_html), words_of(new_html), context)
    return render_segments(segments) if segments else None
