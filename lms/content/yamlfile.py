"""YAML with line numbers, and a checker that collects `path:line: message` problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from lms.periods import Period, parse_period

# The largest number any setting may be: the database's INTEGER columns hold no more.
MAX_INTEGER = 2**31 - 1


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Node:
    """Where a YAML value stood: its own line and, for mappings, each key's line."""

    def __init__(
        self,
        line: int,
        keys: dict[str, int] | None = None,
        items: list[int] | None = None,
    ):
        self.line, self.keys, self.items = line, keys or {}, items or []


class LineLoader(yaml.SafeLoader):
    """A safe loader that remembers lines and refuses duplicate keys."""

    def __init__(self, stream: str, first_line: int) -> None:
        super().__init__(stream)
        self.first_line = first_line
        self.lines: dict[int, Node] = {}
        self.duplicates: list[tuple[int, str]] = []
        self.nul_lines: list[int] = []

    def line_of(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.first_line

    def construct_mapping(self, node, deep=False):
        keys: dict[str, int] = {}
        for key_node, _ in node.value:
            key = str(key_node.value)
            if key in keys:
                self.duplicates.append((self.line_of(key_node), key))
            keys[key] = self.line_of(key_node)
        mapping = super().construct_mapping(node, deep=True)
        self.lines[id(mapping)] = Node(self.line_of(node), keys=keys)
        return mapping

    def construct_yaml_str(self, node):
        value = super().construct_yaml_str(node)
        if "\x00" in value:  # written "\0" or "\x00" in a quoted string
            self.nul_lines.append(self.line_of(node))
        return value

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # PyYAML lets a constructor's own error out without a line (`2026-13-45`, `!!int x`).
            kind = node.tag.rpartition(":")[2]
            value = f"{node.value!r} is" if isinstance(node, yaml.ScalarNode) else "this is"
            raise yaml.constructor.ConstructorError(
                None, None, f"{value} not a valid {kind}", node.start_mark
            ) from exc

    def construct_sequence(self, node, deep=False):
        items = super().construct_sequence(node, deep=True)
        self.lines[id(items)] = Node(
            self.line_of(node), items=[self.line_of(n) for n in node.value]
        )
        return items


LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader.construct_mapping)
LineLoader.add_constructor("tag:yaml.org,2002:seq", LineLoader.construct_sequence)
LineLoader.add_constructor("tag:yaml.org,2002:str", LineLoader.construct_yaml_str)


class FileChecker:
    """Collects the problems of one file, each with its line."""

    def __init__(self, path: str, loader: LineLoader | None = None) -> None:
        self.path, self.loader, self.errors = path, loader, []

    def error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(self.path, line, message))

    def node(self, value: object) -> Node:
        return self.loader.lines.get(id(value), Node(1)) if self.loader else Node(1)

    def key_line(self, mapping: dict, key: str) -> int:
        node = self.node(mapping)
        return node.keys.get(key, node.line)

    def unknown_keys(self, mapping: dict, allowed: set[str], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.error(
                    self.key_line(mapping, str(key)),
                    f"unknown key {key!r} in {what}; allowed: {', '.join(sorted(allowed))}",
                )

    def text(self, mapping: dict, key: str, *, required: bool = False) -> str:
        value = mapping.get(key)
        if value is None:
            if required:
                self.error(self.node(mapping).line, f"{key!r} is required")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(self.key_line(mapping, key), f"{key!r} must be non-empty text")
            return ""
        return value.strip()

    def integer(
        self, mapping: dict, key: str, *, low: int, high: int | None = None, most: int = MAX_INTEGER
    ) -> int | None:
        """Return a whole number from `low` to `high`, or None with an error; never past `most`."""
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value > (high or most):
            limit = high or most
            self.error(
                self.key_line(mapping, key), f"{key!r} must be at most {limit}, not {value!r}"
            )
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.error(
                self.key_line(mapping, key),
                f"{key!r} must be a whole number {span}, not {value!r}",
            )
            return None
        return value

    def period(self, mapping: dict, key: str) -> Period | None:
        if mapping.get(key) is None:
            return None
        try:
            return parse_period(mapping[key])
        except ValueError as exc:
            self.error(self.key_line(mapping, key), f"{key!r}: {exc}")
            return None


def parse_yaml(text: str, checker: FileChecker, first_line: int = 1) -> Any:
    """Parse YAML text, recording a syntax error with its line instead of raising."""
    try:
        loader = LineLoader(text, first_line)
    except yaml.reader.ReaderError as exc:  # a control character: refused before parsing starts
        line = text.count("\n", 0, exc.position) + first_line
        checker.error(
            line, f"invalid YAML: unacceptable character #x{exc.character:04x}: {exc.reason}"
        )
        return None
    checker.loader = loader
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark else first_line
        checker.error(line, f"invalid YAML: {getattr(exc, 'problem', None) or exc}")
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        checker.error(line, f"duplicate key {key!r}")
    for line in loader.nul_lines:  # PostgreSQL refuses it; SQLite would store it
        checker.error(line, "text contains a NUL character (\\0), which cannot be stored")
    return data


def split_front_matter(text: str, checker: FileChecker) -> tuple[str, str] | None:
    """Split a module file into its YAML front matter and Markdown body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        checker.error(1, "a module starts with '---' and YAML front matter")
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    checker.error(1, "front matter is not closed by a '---' line")
    return None
