"""Moodle GIFT question banks to Attest quiz YAML (`flask lms gift-to-yaml`).

Written from Moodle's published GIFT syntax: questions separated by blank lines,
whole-line `//` comments, `$CATEGORY:` lines, `::title::`, a `[html]`,
`[markdown]`, `[plain]` or `[moodle]` text format, one `{...}` answer block
(before, inside or after the text: "missing word" questions get `_____`),
`=right` / `~wrong` answers with `%weight%`, `#feedback` per answer, `####` general
feedback, `{T}`/`{TRUE}`/`{F}`/`{FALSE}` with `#wrong#right` feedback, and the
escapes `\\~ \\= \\# \\{ \\} \\: \\\\ \\n`. Prompts, choices and feedback are shown as
plain text in Attest, so HTML and Markdown are reduced to their text
(docs/authoring.md, "Importing from Moodle"). No Flask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

# Escaped characters stand in as private-use characters while the structure is parsed.
_ESCAPED = {
    "\\": "\ue05c",
    ":": "\ue03a",
    "#": "\ue023",
    "=": "\ue03d",
    "{": "\ue07b",
    "}": "\ue07d",
    "~": "\ue07e",
    "n": "\ue00a",
}
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPED.items()})
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]")
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d*)?)%")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
BLANK = "_____"
_BLANK_MARK = "\ue0b1"
_markdown = MarkdownIt("commonmark", {"html": True})


@dataclass(frozen=True)
class GiftProblem:
    path: str
    line: int
    message: str
    is_unsupported: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class GiftAnswer:
    text: str
    weight: float
    feedback: str
    line: int


@dataclass
class GiftQuestion:
    line: int
    title: str
    item: dict  # one quiz entry: q, type (multiple only), choices, explain


@dataclass
class GiftResult:
    path: str
    questions: list[GiftQuestion] = field(default_factory=list)
    problems: list[GiftProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[GiftProblem]:
        return [p for p in self.problems if not p.is_unsupported]

    @property
    def unsupported(self) -> list[GiftProblem]:
        return [p for p in self.problems if p.is_unsupported]

    def to_yaml(self) -> str:
        """The quiz list as YAML, each question under a comment naming where it came from."""
        parts = []
        for question in self.questions:
            title = " ".join(question.title.split())
            parts.append(f"# {self.path}:{question.line}{f' ::{title}::' if title else ''}\n")
            parts.append(
                yaml.safe_dump(
                    [question.item], allow_unicode=True, sort_keys=False, width=1_000_000
                )
            )
        return "".join(parts)

    def summary(self, skip_unsupported: bool) -> str:
        if self.errors:
            return f"{len(self.errors)} problem(s) in {self.path}: nothing was converted"
        if self.unsupported and not skip_unsupported:
            return (
                f"{len(self.unsupported)} question(s) Attest cannot grade: nothing was converted "
                f"(--skip-unsupported converts the other {len(self.questions)})"
            )
        if not self.questions:
            return f"no questions to convert in {self.path}"
        return f"{len(self.questions)} question(s) converted, {len(self.unsupported)} skipped"


class _TextOnly(HTMLParser):
    """Collect an HTML fragment's text; block elements and <br> become spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "img" and attributes.get("alt"):
            self.parts.append(f" {attributes['alt']} ")
        elif tag == "a":
            self.links.append(attributes.get("href") or "")
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag == "a" and self.links:
            href = self.links.pop()  # a link keeps its address, in brackets after its text
            self.parts.append(f" ({href})" if href.startswith(("http:", "https:")) else "")
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


_BREAKS = {
    "br",
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "table",
}


def html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def to_text(raw: str, default_format: str) -> str:
    """Turn GIFT text (escapes still held) into one line of plain text, by its format."""
    match = _FORMAT.match(raw)
    text_format = match.group(1) if match else default_format
    text = (raw[match.end() :] if match else raw).translate(_RESTORE)
    if text_format == "markdown":
        text = html_to_text(_markdown.render(text))
    elif text_format in ("html", "moodle"):  # Moodle's own format allows HTML too
        text = html_to_text(text)
    return " ".join(text.split())


def split_blocks(text: str) -> list[tuple[int, list[str]]]:
    """Questions are separated by blank lines; comment and $CATEGORY lines are dropped.

    Dropped lines stay as empty strings so that offsets still map to line numbers.
    """
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        line = raw.strip()
        if not line:
            while current and not current[-1]:
                current.pop()
            if current:
                blocks.append((start, current))
            current = []
            continue
        dropped = line.startswith("//") or line.startswith("$CATEGORY:")
        if not current and dropped:
            continue
        if not current:
            start = number
        current.append("" if dropped else line)
    return blocks


class _Block:
    """One question's text with escapes held, and the file line of any offset in it."""

    def __init__(self, path: str, first_line: int, lines: list[str]) -> None:
        self.path, self.first_line = path, first_line
        self.text = _ESCAPE.sub(lambda m: _ESCAPED[m.group(1)], "\n".join(lines))
        self.problems: list[GiftProblem] = []

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, max(offset, 0))

    def error(self, offset: int, message: str) -> None:
        self.error_on(self.line_at(offset), message)

    def error_on(self, line: int, message: str) -> None:
        self.problems.append(GiftProblem(self.path, line, message))

    def unsupported(self, kind: str) -> None:
        self.problems.append(
            GiftProblem(
                self.path,
                self.first_line,
                f"{kind}: Attest grades questions with choices only; rewrite it as multiple "
                "choice or true/false, or leave it out (--skip-unsupported)",
                is_unsupported=True,
            )
        )


def parse_block(block: _Block) -> GiftQuestion | None:
    """Parse one question; problems are recorded on the block."""
    text, title, start = block.text, "", 0
    if text.startswith("::"):
        end = text.find("::", 2)
        start = end + 2 if end >= 0 else 2  # Moodle reads an unclosed '::' as no title
        title = text[2:end].translate(_RESTORE) if end >= 0 else ""
    opening, closing = text.find("{", start), text.find("}", start)
    if opening < 0 and closing < 0:
        block.unsupported("description (text with no answers in braces)")
        return None
    if closing < 0:
        block.error(opening, "'{' is never closed: end the answers with '}' before the blank line")
        return None
    if opening < 0 or closing < opening:
        block.error(closing, "'}' without an opening '{'; write \\} for a literal brace")
        return None
    for offset in (text.find("{", opening + 1), text.find("}", closing + 1)):
        if offset >= 0:
            block.error(
                offset,
                "a question has one answer block; write \\{ and \\} for literal braces",
            )
            return None
    match = _FORMAT.match(text[start:opening])
    text_format = match.group(1) if match else "moodle"
    # Answers inside the text make a "missing word" question: the blank stands in for them.
    after = text[closing + 1 :]
    raw = text[start:opening] + (_BLANK_MARK + after if after.strip() else "")
    prompt = to_text(raw, "moodle").replace(_BLANK_MARK, BLANK)
    if not prompt:
        block.error(start, "the question has no text")
        return None
    item = parse_answers(block, opening + 1, text[opening + 1 : closing], text_format)
    if item is None:
        return None
    return GiftQuestion(block.first_line, " ".join(title.split()), {"q": prompt, **item})


def parse_answers(block: _Block, base: int, inner: str, text_format: str) -> dict | None:
    """Classify the answer block as Moodle does and convert the kinds Attest can grade."""
    general = ""
    if (split := inner.rfind("####")) >= 0:
        general, inner = to_text(inner[split + 4 :], text_format), inner[:split]
    stripped = inner.strip()
    if not stripped:
        block.unsupported("essay question (empty answers '{}')")
        return None
    if stripped.startswith("#"):
        block.unsupported("numerical question ('{#...}')")
        return None
    if "~" in inner:
        item = multiple_choice(block, base, inner, text_format)
    elif "=" in inner and "->" in inner:
        block.unsupported("matching question ('=... -> ...')")
        return None
    elif stripped.split("#", 1)[0].strip() in TRUE_FALSE:
        item = true_false(stripped, text_format)
    else:
        block.unsupported(
            "short-answer question (typed answers: only '=' answers, no '~' wrong ones; "
            "true/false is written T, TRUE, F or FALSE)"
        )
        return None
    if item is not None and general:
        item["explain"] = general
    return item


def true_false(answers: str, text_format: str) -> dict:
    """`{T#shown when wrong#shown when right}`: choices True and False with their `why`."""
    answer, *feedback = answers.split("#", 2)
    wrong, right = (to_text(f, text_format) for f in [*feedback, "", ""][:2])
    is_true = TRUE_FALSE[answer.strip()]
    return {
        "choices": [
            choice("True", is_true, right if is_true else wrong),
            choice("False", not is_true, wrong if is_true else right),
        ]
    }


def choice(text: str, is_correct: bool, why: str) -> str | dict:
    if not is_correct and not why:
        return text
    return {"text": text, "correct": is_correct, **({"why": why} if why else {})}


def multiple_choice(block: _Block, base: int, inner: str, text_format: str) -> dict | None:
    """`{=right ~wrong ~%50%half}`: one right answer → single, several → multiple."""
    answers = read_answers(block, base, inner, text_format)
    if answers is None:
        return None
    right = [a for a in answers if a.weight > 0]
    if not right:
        block.error(base - 1, "no right answer: mark one with '=' or a positive weight (~%100%)")
        return None
    total = sum(a.weight for a in right)
    if len(right) == 1 and right[0].weight != 100:
        block.error_on(
            right[0].line,
            f"weights do not add up: the only right answer {right[0].text!r} is worth "
            f"{right[0].weight:g} %; a single right answer must be worth 100 % ('=')",
        )
        return None
    # Each weight may be rounded to a whole percent (3 x 33 % = 99 %): allow half a point each.
    if len(right) > 1 and abs(total - 100) > 0.5 * len(right):
        block.error_on(
            right[0].line,
            f"weights do not add up: the right answers' weights sum to {total:g} %, not "
            "100 %; Attest scores all or nothing, so give the right answers weights that "
            "sum to 100 % (one '=' answer for a single right answer)",
        )
        return None
    if len(right) == len(answers):
        block.error(base - 1, "every answer is right; add a wrong one ('~')")
        return None
    item: dict = {"type": "multiple"} if len(right) > 1 else {}
    item["choices"] = [choice(a.text, a.weight > 0, a.feedback) for a in answers]
    return item


def read_answers(block: _Block, base: int, inner: str, text_format: str) -> list[GiftAnswer] | None:
    """Split `=...`/`~...` answers with their weights and `#feedback`."""
    markers = [m.start() for m in re.finditer(r"[~=]", inner)]
    leading = inner[: markers[0]]
    if leading.strip():
        block.error(
            base + len(leading) - len(leading.lstrip()),
            "text before the first answer; start each answer with '=' or '~'",
        )
        return None
    answers, seen = [], {}
    for start, end in zip(markers, [*markers[1:], len(inner)], strict=True):
        body, line = inner[start + 1 : end], block.line_at(base + start)
        weight = 100.0 if inner[start] == "=" else 0.0
        if body.lstrip().startswith("%"):
            match = _WEIGHT.match(body)
            if match is None or not -100 <= float(match.group(1)) <= 100:
                block.error_on(line, "a weight is a percentage from -100 to 100, like ~%50%")
                return None
            weight, body = float(match.group(1)), body[match.end() :]
        text, _, feedback = body.partition("#")
        answer = GiftAnswer(
            to_text(text, text_format), weight, to_text(feedback, text_format), line
        )
        if not answer.text:
            block.error_on(line, "an answer has no text")
            return None
        if answer.text.casefold() in seen:
            block.error_on(line, f"answer {answer.text!r} appears twice")
            return None
        seen[answer.text.casefold()] = line
        answers.append(answer)
    return answers


def convert_gift(data: bytes, path: str) -> GiftResult:
    """Convert a GIFT file's bytes (UTF-8, with or without BOM, any line endings)."""
    result = GiftResult(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.problems.append(GiftProblem(path, line, f"not UTF-8 text (byte {exc.start})"))
        return result
    for first_line, lines in split_blocks(text):
        block = _Block(path, first_line, lines)
        question = parse_block(block)
        result.problems.extend(block.problems)
        if question is not None:
            result.questions.append(question)
    return result


def convert_gift_file(path: Path, display: str) -> GiftResult:
    return convert_gift(path.read_bytes(), display)
