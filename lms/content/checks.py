"""Item-writing warnings for `flask lms check-content` (DESIGN.md, Content format).

Each rule is a plain function of the loader's specs and returns warnings, never
errors: content that `sync-content` accepts can be loaded whatever they say, and
`check-content --strict` is how an author holds the line. docs/authoring.md
explains every warning and how to fix it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from lms.content.loader import ModuleSpec, QuestionSpec
from lms.content.markdown import WORDS_PER_MINUTE, reading_minutes

# Warn when the correct choice is the longest in more than this share of a
# module's single-answer questions: above it, "pick the longest" beats reading.
LONGEST_SHARE_LIMIT = 0.30
# `minutes` is far from the reading time when it is off by more than both of these.
MINUTES_SLACK = 2
MINUTES_RATIO = 0.5
# Specific determiners (Haladyna's item-writing guidelines): test-wise readers rule
# out a choice that carries one. Bare "all" and "every" are left out: in plain English
# ("after all", "every store") they are rarely the absolute claim that gives a choice away.
ABSOLUTE_WORDS = (
    "always",
    "never",
    "only",
    "none",
    "no one",
    "nobody",
    "every time",
    "at all times",
    "in all cases",
    "under any circumstances",
    "under no circumstances",
    "without exception",
    "completely",
    "entirely",
    "absolutely",
    "totally",
    "guaranteed",
)
_ABSOLUTE = re.compile(r"\b(" + "|".join(w.replace(" ", r"\s+") for w in ABSOLUTE_WORDS) + r")\b")
_ABOVE = re.compile(
    r"\b(all|none|both|neither)\s+(of\s+)?the\s+above\b|^(all|none)\s+of\s+(these|them)$"
)


@dataclass(frozen=True, order=True)
class ContentWarning:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


def normalise(text: str) -> str:
    """Fold case, width and punctuation so that near-identical texts compare equal."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def visible_length(text: str) -> int:
    return len(" ".join(text.split()))


def quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 3]}..."'


def is_longest_correct(question: QuestionSpec) -> bool:
    """True when a single-answer question's correct choice is strictly the longest."""
    if question.type != "single":
        return False
    right = [c for c in question.choices if c.is_correct]
    wrong = [c for c in question.choices if not c.is_correct]
    if len(right) != 1 or not wrong:
        return False
    return visible_length(right[0].text) > max(visible_length(c.text) for c in wrong)


def check_longest_correct(module: ModuleSpec) -> list[ContentWarning]:
    """Warn when "pick the longest choice" answers more than 30 % of the single questions."""
    singles = [n for n, q in enumerate(module.questions, start=1) if q.type == "single"]
    longest = [n for n in singles if is_longest_correct(module.questions[n - 1])]
    if not singles or len(longest) <= LONGEST_SHARE_LIMIT * len(singles):
        return []
    share = round(100 * len(longest) / len(singles))
    numbers = ", ".join(str(n) for n in longest)
    message = (
        f"the correct choice is the longest in {len(longest)} of {len(singles)} single-answer "
        f"questions ({share} %; questions {numbers}); keep it to "
        f"{round(100 * LONGEST_SHARE_LIMIT)} % or less so that picking the longest choice "
        "does not pass"
    )
    return [ContentWarning(module.path, module.quiz_line, message)]


def check_above_choices(module: ModuleSpec) -> list[ContentWarning]:
    """Warn on "all of the above" / "none of the above": answerable by elimination."""
    return [
        ContentWarning(
            module.path,
            choice.line,
            f"question {number}: choice {quote(choice.text)} lets a reader answer by "
            "elimination, and shuffled choices have no 'above'; write a real alternative",
        )
        for number, question in enumerate(module.questions, start=1)
        for choice in question.choices
        if _ABOVE.search(normalise(choice.text))
    ]


def absolute_words(text: str) -> list[str]:
    return sorted({" ".join(m.split()) for m in _ABSOLUTE.findall(normalise(text))})


def check_absolute_words(module: ModuleSpec) -> list[ContentWarning]:
    """Warn when words like always/never/only appear in wrong choices and no right one."""
    warnings = []
    for number, question in enumerate(module.questions, start=1):
        if any(absolute_words(c.text) for c in question.choices if c.is_correct):
            continue
        found = [
            f"{', '.join(repr(w) for w in absolute_words(c.text))} in choice {n}"
            for n, c in enumerate(question.choices, start=1)
            if not c.is_correct and absolute_words(c.text)
        ]
        if found:
            warnings.append(
                ContentWarning(
                    module.path,
                    question.line,
                    f"question {number}: absolute words appear only in wrong choices "
                    f"({'; '.join(found)}), which gives those choices away; reword them "
                    "or use such words in a right choice too",
                )
            )
    return warnings


def check_minutes(module: ModuleSpec) -> list[ContentWarning]:
    """Warn when `minutes` is off the body's reading time by more than max(2 min, 50 %)."""
    if module.minutes_line is None:
        return []
    reading = module.words / WORDS_PER_MINUTE
    if abs(module.minutes - reading) <= max(MINUTES_SLACK, MINUTES_RATIO * reading):
        return []
    suggested = reading_minutes(module.words)
    message = (
        f"'minutes' is {module.minutes} but the body is {module.words} words, about "
        f"{suggested} minute{'s' if suggested != 1 else ''} at {WORDS_PER_MINUTE} words a "
        f"minute; set it to {suggested} or leave it out to have it worked out"
    )
    return [ContentWarning(module.path, module.minutes_line, message)]


def check_repeated_choices(module: ModuleSpec) -> list[ContentWarning]:
    """Warn on two choices of one question that differ only in case, spacing or punctuation."""
    warnings = []
    for number, question in enumerate(module.questions, start=1):
        seen: dict[str, int] = {}
        for n, choice in enumerate(question.choices, start=1):
            key = normalise(choice.text)
            if key in seen:
                warnings.append(
                    ContentWarning(
                        module.path,
                        choice.line,
                        f"question {number}: choice {n} {quote(choice.text)} repeats "
                        f"choice {seen[key]}",
                    )
                )
            seen.setdefault(key, n)
    return warnings


def check_repeated_questions(modules: Iterable[ModuleSpec]) -> list[ContentWarning]:
    """Warn at every place the same question (normalised) is asked, naming the others."""
    places: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for module in modules:
        for number, question in enumerate(module.questions, start=1):
            places[normalise(question.prompt)].append((module.path, question.line, number))
    warnings = []
    for same in places.values():
        for path, line, number in same if len(same) > 1 else []:
            others = ", ".join(f"{p}:{n}" for p, n, _ in same if (p, n) != (path, line))
            warnings.append(
                ContentWarning(
                    path, line, f"question {number} is also asked at {others}; ask it once"
                )
            )
    return warnings


MODULE_RULES = (
    check_longest_correct,
    check_above_choices,
    check_absolute_words,
    check_minutes,
    check_repeated_choices,
)


def check_modules(modules: Iterable[ModuleSpec]) -> list[ContentWarning]:
    """Every item-writing warning for these modules, sorted by path and line."""
    modules = list(modules)
    warnings = check_repeated_questions(modules)
    for module in modules:
        for rule in MODULE_RULES:
            warnings.extend(rule(module))
    return sorted(warnings)
