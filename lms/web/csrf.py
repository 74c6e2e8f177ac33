"""CSRF tokens in cached pages: a per-process placeholder, replaced by the request's token.

Measured reason (session 3, bench/README.md): signing the token (a serializer and an
HMAC) was 71 us, ~7 % of a cached page in-process (dashboard 1.02 -> 0.97 ms). While
tokens have no time limit, a token signed earlier for the same session secret and
key is exactly as valid, so each process keeps the tokens it signed.

Library internals relied on, pinned in requirements.txt (Flask-WTF) and held by
tests/ops/test_library_seams.py, which fails if an upgrade changes them: Flask-WTF's
`generate_csrf` keeps the request's token on `g` under the field name and returns it
from there when present, and keeps the raw secret in the session under the same name.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from lms.web.cache import FragmentCache

SIGNED_TOKENS = "attest.pagecache.csrf_tokens"
# Signed CSRF tokens kept per process (see request_csrf_token): some 10,000 sessions' worth.
SIGNED_TOKENS_BYTES = 1024 * 1024
# Unguessable, so no module text can contain it by chance or on purpose.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


def init_app(app) -> None:
    app.extensions[SIGNED_TOKENS] = FragmentCache(SIGNED_TOKENS_BYTES)


# Flask-WTF's before-request check, as CSRFProtect.init_app names it.
CHECK_NAME, CHECK_MODULE = "csrf_protect", "flask_wtf.csrf"


def check_methods_first(app: Flask) -> bool:
    """Have Flask-WTF's CSRF check look at the request's method before anything else.

    Measured reason (cProfile, a cached learner page on PostgreSQL): on a GET,
    Flask-WTF's check works out whether the view or its blueprint is exempt (the
    endpoint, the blueprint, the view function, its dotted name) before it sees
    that GET is not a method it checks: some 30 of the page's Python calls and 7
    lookups through Flask's proxies, for nothing. Every step before the method test
    only returns without checking, so asking the method first (WTF_CSRF_METHODS, as
    Flask-WTF reads it) decides exactly the same requests; a POST, PUT, PATCH or
    DELETE goes through Flask-WTF's check whole. Returns whether the check was found
    (tests/ops/test_csrf_check.py holds that it is).
    """
    hooks = app.before_request_funcs.get(None, [])
    for index, hook in enumerate(hooks):
        if getattr(hook, "__name__", "") == CHECK_NAME and hook.__module__ == CHECK_MODULE:
            hooks[index] = only_for_checked_methods(app, hook)
            return True
    return False


def only_for_checked_methods(app: Flask, check: Callable[[], None]) -> Callable[[], None]:
    @functools.wraps(check)
    def csrf_protect() -> None:
        if request.method not in app.config["WTF_CSRF_METHODS"]:
            return None
        return check()

    return csrf_protect


def substitute(html: str) -> str:
    """Put the request's own CSRF token in place of every placeholder in `html`."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, request_csrf_token())  # a URL-safe token
    return html


def request_csrf_token() -> str:
    """Return the request's CSRF token, as Flask-WTF's generate_csrf would.

    Signing it (a serializer and an HMAC) was 7 % of a cached page. While tokens have
    no time limit (WTF_CSRF_TIME_LIMIT = None), a token signed earlier for the same
    session secret and key is exactly as valid, so each process keeps the tokens it
    signed in a cache of their own (SIGNED_TOKENS_BYTES). With a time limit every token
    is signed afresh. The app and `g` are looked up through Flask's proxies once each
    (each lookup is four Python calls; seven lookups were 28 of a cached page's calls).
    """
    app = current_app._get_current_object()
    config = app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")  # as csrf_field()
    raw = session.get(field)
    request_globals = g._get_current_object()
    if (
        config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None
        or field in request_globals
        or not isinstance(raw, str)
    ):
        return generate_csrf()
    tokens: FragmentCache = app.extensions[SIGNED_TOKENS]
    key = (config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, raw)
    cached = tokens.get(key)
    if cached is not None:
        token = cached["token"]
    else:
        token = generate_csrf()
        tokens.put(key, {"token": token})
    # As generate_csrf does: the rest of the request sees the same.
    setattr(request_globals, field, token)
    return token


def csrf_field() -> str:
    """Return the name Flask-WTF keeps the CSRF token under (in the session and on `g`)."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


@contextmanager
def placeholder_token() -> Iterator[None]:
    """While rendering, make every CSRF token in the output the per-process placeholder.

    Flask-WTF keeps the request's token on `g` under the field name and returns it from
    there; the real token is put in place of the placeholder when the page is served.
    """
    field = csrf_field()
    saved = g.pop(field, None)
    setattr(g, field, CSRF_PLACEHOLDER)
    try:
        yield
    finally:
        g.pop(field, None)
        if saved is not None:
            setattr(g, field, saved)
