"""Read and validate `content/`: every problem reported as `path:line: message`.

Nothing here touches the database; `lms.content.sync` loads what this returns.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.content.markdown import reading_minutes, render_body
from lms.content.yamlfile import ContentError, FileChecker, parse_yaml, split_front_matter
from lms.periods import Period, approximate_days

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MODULE_KEYS = {
    "title",
    "version",
    "retrain_on_change",
    "summary",
    "minutes",
    "renew_every",
    "window",
    "pass_mark",
    "attempts",
    "questions_per_attempt",
    "attestation",
    "quiz",
    "changes",
}
MAX_DUE_DAYS = 3650  # ten years; a bigger number overflowed the due date
QUESTION_KEYS = {"q", "type", "choices", "explain"}
CHOICE_KEYS = {"text", "correct", "why"}
PROGRAM_KEYS = {"title", "modules", "audience", "due_days"}
AUDIENCE_KEYS = {"departments", "roles"}


@dataclass
class ChoiceSpec:
    text: str
    is_correct: bool
    line: int = 0  # where it stands in its file, for check-content's warnings
    why: str = ""


@dataclass
class QuestionSpec:
    prompt: str
    type: str
    explain: str
    choices: list[ChoiceSpec]
    line: int = 0  # of the question's `- q:` item in the module file


@dataclass
class ModuleSpec:
    slug: str
    path: str
    version_line: int
    content_hash: str
    title: str
    version: int
    retrain_on_change: bool
    summary: str
    minutes: int
    renew_every: Period | None
    window: Period | None
    pass_mark: int
    attempts: int | None
    questions_per_attempt: int | None
    attestation: str
    questions: list[QuestionSpec]
    body_html: str
    toc: list[dict[str, object]]
    # For check-content: where `quiz` and `minutes` stand (None: not set), the body's words.
    quiz_line: int = 0
    minutes_line: int | None = None
    words: int = 0
    changes: list[str] | None = None  # `changes:`, a sentence or a list of them


@dataclass
class ProgramSpec:
    slug: str
    path: str
    content_hash: str
    title: str
    modules: list[str]
    module_lines: dict[str, int]
    audience: dict[str, Any]
    due_days: int


@dataclass
class ContentSet:
    modules: dict[str, ModuleSpec] = field(default_factory=dict)
    programs: dict[str, ProgramSpec] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)


def read_content_file(path: Path, checker: FileChecker) -> tuple[bytes, str | None]:
    """Return a content file's bytes and text (None if not UTF-8), checking its name is a slug."""
    raw = path.read_bytes()
    if not SLUG.match(path.stem):
        checker.error(
            1, f"file name {path.name!r} must be a slug: lower-case letters, digits and '-'"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        checker.error(1, f"not UTF-8 text (byte {exc.start})")
        return raw, None
    if (nul := text.find("\x00")) >= 0:  # PostgreSQL refuses it; SQLite would store it
        checker.error(
            text.count("\n", 0, nul) + 1, "contains a NUL character, which cannot be stored"
        )
        return raw, None
    return raw, text


def parse_module(path: Path, display: str) -> tuple[ModuleSpec | None, list[ContentError]]:
    """Read one `modules/<slug>.md` file."""
    checker = FileChecker(display)
    raw, text = read_content_file(path, checker)
    if text is None:
        return None, checker.errors
    parts = split_front_matter(text, checker)
    if parts is None:
        return None, checker.errors
    meta = parse_yaml(parts[0], checker, first_line=2)
    if meta is None and not checker.errors:
        checker.error(2, "front matter is empty")
    if meta is not None and not isinstance(meta, dict):
        checker.error(2, "front matter must be a mapping of keys to values")
    if not isinstance(meta, dict):
        return None, checker.errors
    checker.unknown_keys(meta, MODULE_KEYS, "module front matter")
    title = checker.text(meta, "title", required=True)
    attestation = checker.text(meta, "attestation", required=True)
    summary = checker.text(meta, "summary")
    version = checker.integer(meta, "version", low=1)
    if "version" not in meta:
        checker.error(checker.node(meta).line, "'version' is required")
    retrain = meta.get("retrain_on_change", False)
    if not isinstance(retrain, bool):
        checker.error(
            checker.key_line(meta, "retrain_on_change"),
            "'retrain_on_change' must be true or false",
        )
    minutes = checker.integer(meta, "minutes", low=1)
    pass_mark = checker.integer(meta, "pass_mark", low=0, high=100)
    attempts = checker.integer(meta, "attempts", low=1)
    per_attempt = checker.integer(meta, "questions_per_attempt", low=1)
    renew_every = checker.period(meta, "renew_every")
    window = checker.period(meta, "window")
    if window and "renew_every" not in meta:
        checker.error(
            checker.key_line(meta, "window"),
            "'window' needs 'renew_every'; one-time training has no renewal",
        )
    elif window and renew_every and approximate_days(window) >= approximate_days(renew_every):
        # A window as long as the period would reopen renewal the day a cycle completes.
        checker.error(
            checker.key_line(meta, "window"),
            f"'window' ({window}) must be shorter than 'renew_every' ({renew_every})",
        )
    changes = parse_changes(meta, checker)
    questions = parse_quiz(meta.get("quiz"), meta, checker)
    if per_attempt and questions and per_attempt > len(questions):
        checker.error(
            checker.key_line(meta, "questions_per_attempt"),
            f"'questions_per_attempt' is {per_attempt} but the quiz has only {len(questions)} questions",
        )
    body = parts[1]
    if not body.strip():
        checker.error(len(text.splitlines()), "the module has no body after the front matter")
    if checker.errors:
        return None, checker.errors
    rendered = render_body(body)
    return ModuleSpec(
        slug=path.stem,
        path=display,
        version_line=checker.key_line(meta, "version"),
        content_hash=hashlib.sha256(raw).hexdigest(),
        title=title,
        version=version or 1,
        retrain_on_change=retrain,
        summary=summary,
        minutes=minutes or reading_minutes(rendered.words),
        renew_every=renew_every,
        window=window,
        pass_mark=80 if pass_mark is None else pass_mark,
        attempts=attempts,
        questions_per_attempt=per_attempt,
        attestation=attestation,
        questions=questions,
        body_html=rendered.html,
        toc=rendered.toc,
        changes=changes,
        quiz_line=checker.key_line(meta, "quiz"),
        words=rendered.words,
        minutes_line=checker.key_line(meta, "minutes") if minutes else None,
    ), []


def parse_changes(meta: dict, checker: FileChecker) -> list[str] | None:
    """Check `changes:`: a sentence or a list of sentences saying what changed in this version."""
    value = meta.get("changes")
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(item, str) and item.strip() for item in items)
    ):
        checker.error(
            checker.key_line(meta, "changes"), "'changes' must be a sentence or a list of sentences"
        )
        return None
    return [" ".join(item.split()) for item in items]


def parse_quiz(quiz: Any, meta: dict, checker: FileChecker) -> list[QuestionSpec]:
    """Check the quiz pool: each question's keys, type, choices and correct answers."""
    if quiz is None:
        return []
    if not isinstance(quiz, list):
        checker.error(checker.key_line(meta, "quiz"), "'quiz' must be a list of questions")
        return []
    questions = []
    for number, (item, line) in enumerate(
        zip(quiz, checker.node(quiz).items, strict=True), start=1
    ):
        if not isinstance(item, dict):
            checker.error(line, f"question {number} must be a mapping with 'q' and 'choices'")
            continue
        checker.unknown_keys(item, QUESTION_KEYS, f"question {number}")
        prompt = checker.text(item, "q", required=True)
        explain = checker.text(item, "explain")
        kind = item.get("type", "single")
        if kind not in ("single", "multiple"):
            checker.error(
                checker.key_line(item, "type"),
                f"question {number}: type must be 'single' or 'multiple', not {kind!r}",
            )
        choices = parse_choices(item, number, checker)
        correct = sum(choice.is_correct for choice in choices)
        where = checker.key_line(item, "choices")
        if choices and correct == 0:
            checker.error(where, f"question {number} has no correct choice")
        elif kind == "single" and correct > 1:
            checker.error(
                where,
                f"question {number} is 'single' but has {correct} correct choices; use 'type: multiple'",
            )
        elif choices and correct == len(choices) and kind == "multiple":
            checker.error(where, f"question {number}: every choice is correct; add a wrong one")
        questions.append(
            QuestionSpec(prompt=prompt, type=kind, explain=explain, choices=choices, line=line)
        )
    return questions


def parse_choices(item: dict, number: int, checker: FileChecker) -> list[ChoiceSpec]:
    """Check one question's choices: plain strings are wrong, `{text, correct}` may be right."""
    choices = item.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        checker.error(
            checker.key_line(item, "choices"),
            f"question {number} needs a list of at least 2 choices",
        )
        return []
    specs, seen = [], set()
    for choice, line in zip(choices, checker.node(choices).items, strict=True):
        if isinstance(choice, str) and choice.strip():
            spec = ChoiceSpec(choice.strip(), False, line=line)
        elif isinstance(choice, dict):
            checker.unknown_keys(choice, CHOICE_KEYS, f"a choice of question {number}")
            correct = choice.get("correct", False)
            if not isinstance(correct, bool):
                checker.error(line, f"question {number}: 'correct' must be true or false")
            spec = ChoiceSpec(
                checker.text(choice, "text", required=True),
                correct is True,
                line=line,
                why=checker.text(choice, "why"),
            )
        else:
            checker.error(
                line,
                f"question {number}: a choice must be text or a mapping with 'text' and 'correct'",
            )
            continue
        if spec.text and spec.text.casefold() in seen:  # no text is already an error
            checker.error(line, f"question {number}: choice {spec.text!r} appears twice")
        seen.add(spec.text.casefold())
        specs.append(spec)
    return specs


def parse_program(path: Path, display: str) -> tuple[ProgramSpec | None, list[ContentError]]:
    """Read one `programs/<slug>.yaml` file (module slugs are checked by `load_content`)."""
    checker = FileChecker(display)
    raw, text = read_content_file(path, checker)
    if text is None:
        return None, checker.errors
    data = parse_yaml(text, checker)
    if not isinstance(data, dict):
        if not checker.errors:
            checker.error(
                1,
                "a program must be a mapping with title, modules, audience and due_days",
            )
        return None, checker.errors
    checker.unknown_keys(data, PROGRAM_KEYS, "program")
    title = checker.text(data, "title", required=True)
    due_days = checker.integer(data, "due_days", low=1, most=MAX_DUE_DAYS)
    if "due_days" not in data:
        checker.error(checker.node(data).line, "'due_days' is required")
    modules = data.get("modules")
    if not isinstance(modules, list) or not modules or not all(isinstance(m, str) for m in modules):
        checker.error(
            checker.key_line(data, "modules"),
            "'modules' must be a non-empty list of module slugs",
        )
        modules = []
    module_lines: dict[str, int] = {}
    for slug, line in zip(modules, checker.node(modules).items, strict=False):
        if slug in module_lines:
            checker.error(line, f"module {slug!r} is listed twice")
        module_lines.setdefault(slug, line)
    audience = parse_audience(data, checker)
    if checker.errors:
        return None, checker.errors
    return ProgramSpec(
        slug=path.stem,
        path=display,
        content_hash=hashlib.sha256(raw).hexdigest(),
        title=title,
        modules=modules,
        module_lines=module_lines,
        audience=audience,
        due_days=due_days or 1,
    ), []


def parse_audience(data: dict, checker: FileChecker) -> dict[str, Any]:
    """Check `audience`: `all`, or a mapping of `departments` and/or `roles` lists."""
    audience = data.get("audience", "all")
    if audience == "all":
        return {"all": True}
    line = checker.key_line(data, "audience")
    if not isinstance(audience, dict) or not audience:
        checker.error(
            line,
            "'audience' must be 'all' or a mapping with 'departments' and/or 'roles'",
        )
        return {}
    checker.unknown_keys(audience, AUDIENCE_KEYS, "audience")
    result: dict[str, Any] = {}
    for key in [k for k in audience if k in AUDIENCE_KEYS]:  # in file order
        names = audience[key]
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            checker.error(
                checker.key_line(audience, key),
                f"audience {key!r} must be a non-empty list of names",
            )
            continue
        result[key] = [n.strip() for n in names]
    return result


def load_content(root: Path) -> ContentSet:
    """Read every module and program under `root`, collecting every problem found."""
    content = ContentSet()
    if not root.is_dir():
        content.errors.append(ContentError(str(root), 1, "content folder not found"))
        return content

    def display(path: Path) -> str:
        return str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)

    def read_each(kind: str, paths: Iterable[Path], parse: Callable, specs: dict) -> None:
        seen: dict[str, str] = {}  # slug (the file's stem): where it was last read
        for path in sorted(paths):
            spec, errors = parse(path, display(path))
            content.errors.extend(errors)
            if path.stem in seen:
                message = f"duplicate {kind} slug {path.stem!r}; also {seen[path.stem]}"
                content.errors.append(ContentError(display(path), 1, message))
            seen[path.stem] = display(path)
            if spec:
                specs[spec.slug] = spec

    read_each("module", (root / "modules").rglob("*.md"), parse_module, content.modules)
    programs = [*(root / "programs").rglob("*.yaml"), *(root / "programs").rglob("*.yml")]
    read_each("program", programs, parse_program, content.programs)
    module_files = {p.stem for p in (root / "modules").rglob("*.md")}
    for spec in content.programs.values():
        for slug in spec.modules:
            if slug not in module_files:
                message = (
                    f"program names module {slug!r}, which is not in {display(root / 'modules')}"
                )
                content.errors.append(
                    ContentError(spec.path, spec.module_lines.get(slug, 1), message)
                )
    return content
