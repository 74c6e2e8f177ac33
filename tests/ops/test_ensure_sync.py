"""Attest's ensure_sync remembers plain functions' answers and answers as Flask does for everything."""

import contextlib
import functools

import pytest
from flask import Flask


def plain():
    return "plain"


async def coroutine():
    return "coroutine"


class Hooks:
    def method(self):
        return "method"


def flasks_answer(func):
    try:
        return ("returns", Flask("plain").ensure_sync(func) is func)
    except RuntimeError as exc:  # async without the async extra: Flask's own refusal
        return ("raises", str(exc))


def attests_answer(app, func):
    try:
        return ("returns", app.ensure_sync(func) is func)
    except RuntimeError as exc:
        return ("raises", str(exc))


@pytest.mark.parametrize(
    "func",
    [plain, coroutine, Hooks().method, functools.partial(plain), functools.partial(coroutine)],
    ids=["function", "coroutine function", "bound method", "partial", "partial of a coroutine"],
)
def test_every_kind_of_callable_is_answered_as_flask_answers_it_every_time(app, func):
    for _ in range(3):  # the first answer, then remembered ones
        assert attests_answer(app, func) == flasks_answer(func)


def test_only_plain_functions_are_remembered(app):
    app.ensure_sync(plain)
    app.ensure_sync(Hooks().method)
    app.ensure_sync(functools.partial(plain))
    with contextlib.suppress(RuntimeError):  # Flask's refusal without its async extra
        app.ensure_sync(coroutine)
    assert plain in app._sync_functions
    assert all(type(f).__name__ == "function" for f in app._sync_functions)
    assert coroutine not in app._sync_functions
