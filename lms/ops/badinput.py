"""Refuse input no database can store, before any view sees it.

PostgreSQL refuses a NUL character in text (the request ended in a 500) and SQLite
stores it silently; a lone surrogate (JSON's "\\ud800") cannot be encoded at all;
JSON nested thousands deep overflows Python's parser; an integer past the id
columns' range overflows the driver. One check here covers every page and the API:
the path, the query string, form fields and file names, and a JSON body. CSV cells
are checked where the file is read (`lms.imports.csvfile`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

# The id columns are INTEGER: 32 bits on PostgreSQL (SQLite's 64 hold more).
MAX_ID = 2**31 - 1
NUL = "\x00"


def is_id(text: str) -> bool:
    """Whether `text` is an id the database could hold (ASCII digits, 1 to MAX_ID)."""
    if len(text) > 10 or not (text.isascii() and text.isdigit()):
        return False
    return 1 <= int(text) <= MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs, up to the largest id the database holds: a larger one is a 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    """Bound `<int:...>` URL parts and refuse unstorable input on every request."""
    # Before any blueprint adds its rules: each rule takes the converter in force then.
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_unstorable_input)


def refuse_unstorable_input() -> None:
    """Answer 400 when the request holds a NUL, a lone surrogate or JSON nested too deep."""
    problem = first_problem(request_texts())
    if problem is None and request.is_json:
        problem = json_problem()
    if problem is not None:
        abort(400, problem)


def request_texts() -> Iterator[tuple[str, str]]:
    """Yield (where, text) for every piece of text the request carries but its JSON body."""
    yield "the address", request.path
    for name, value in request.args.items(multi=True):
        yield f"the query parameter {printable(name)!r}", name + value
    if request.method in ("POST", "PUT", "PATCH") and not request.is_json:
        for name, value in request.form.items(multi=True):
            yield f"the form field {printable(name)!r}", name + value
        for name, upload in request.files.items(multi=True):
            yield f"the form field {printable(name)!r}", name + (upload.filename or "")


def json_problem() -> str | None:
    try:
        body = request.get_json(silent=True)  # invalid JSON is the view's to report
    except RecursionError:
        return "The JSON body is nested too deeply; send a few levels of objects and arrays."
    return first_problem(json_texts(body))


def json_texts(body: Any) -> Iterator[tuple[str, str]]:
    """Yield every key and string in a parsed JSON body, without recursion (it may be deep)."""
    stack = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield "the JSON body", value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield "the JSON body", key
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)


def first_problem(texts: Iterator[tuple[str, str]]) -> str | None:
    for where, text in texts:
        if NUL in text:
            return f"The request contains a NUL character (\\0) in {where}, which cannot be stored; remove it."
        if has_lone_surrogate(text):
            return (
                f"The request contains a lone surrogate (an unpaired \\ud800-\\udfff) in {where}, "
                "which is not text; send valid Unicode."
            )
    return None


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def printable(text: str) -> str:
    return text.replace(NUL, "\\0")[:60]
