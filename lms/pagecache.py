"""The signed-in person's own pages, rendered once per change and then served from memory.

A learner's page is cached under a key that holds everything it was rendered from:
the person, their `training_rev` (raised by database triggers on any change to their
training or to the content, see `lms.models.revisions`), their name, the label of
their HR link, the day (statuses and due dates move with it), the URL prefix, and the
page's own arguments. A cached page is therefore never stale; it simply stops being
asked for. Each process keeps its own cache, bounded in bytes, least recently used
first out; nothing in it is needed by another instance.

What must differ per request stays out of the cache: messages flashed to the person
(a page showing them is laid out afresh around the cached content, and not kept), and
the CSRF tokens in the page's forms, rendered as a per-process placeholder and
replaced with the request's own token when served.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from lms.database import session_reads_in_autocommit
from lms.hr.access import nav_label
from lms.models.base import utctoday

EXTENSION = "attest.pagecache"
SIGNED_TOKENS = "attest.pagecache.csrf_tokens"
# Signed CSRF tokens kept per process (see request_csrf_token): some 10,000 sessions' worth.
SIGNED_TOKENS_BYTES = 1024 * 1024
# Unguessable, so no module text can contain it by chance or on purpose.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


class FragmentCache:
    """A thread-safe LRU mapping of keys to dicts of strings (rendered page parts, signed
    tokens), capped at `max_bytes` of those strings."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._items: OrderedDict[Hashable, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> dict[str, str] | None:
        with self._lock:
            parts = self._items.get(key)
            if parts is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return parts

    def put(self, key: Hashable, parts: dict[str, str]) -> None:
        cost = sum(len(value) for value in parts.values())
        if cost > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = parts
            self.size += cost
            while self.size > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self.size -= sum(len(value) for value in evicted.values())

    def __len__(self) -> int:
        return len(self._items)


def init_app(app) -> None:
    app.extensions[EXTENSION] = FragmentCache(app.config.get("LMS_PAGE_CACHE_BYTES", 0))
    app.extensions[SIGNED_TOKENS] = FragmentCache(SIGNED_TOKENS_BYTES)


def personal_page(page: str, args: tuple, render: Callable[[], dict[str, str]]) -> str:
    """Return the signed-in person's whole `page`, rendering only what is not cached.

    `render` returns the page's parts (title and content) as HTML strings; they are
    laid out with the navigation by learn/page.html. `args` are the page's own
    arguments (a module's slug). Everything else the page may depend on must be in the
    person's `training_rev` or the key below.

    The whole page is kept, so a repeat view renders nothing. The exception is a view
    with messages waiting to be flashed: they show once, so that page is laid out
    around the cached parts and not kept.
    """
    cache: FragmentCache = current_app.extensions[EXTENSION]
    user = current_user._get_current_object()  # one lookup through the proxy, not three
    key = (
        page,
        args,
        user.id,
        user.training_rev,
        user.full_name,
        nav_label(),
        utctoday(),
        request.script_root,
    )
    flashes = "_flashes" in session
    cached = None if flashes else cache.get(("page", key))
    if cached is not None:
        html = cached["page"]
    else:
        with placeholder_token():
            parts = cache.get(("parts", key))
            if parts is None:
                # A render only reads (this cache depends on it): no BEGIN/ROLLBACK
                # round trips on PostgreSQL, two of an uncached dashboard's five.
                session_reads_in_autocommit()
                parts = {name: str(html) for name, html in render().items()}
                cache.put(("parts", key), parts)
            # Rendered by our own autoescaping templates.
            markup = {name: Markup(html) for name, html in parts.items()}  # noqa: S704
            html = render_template("learn/page.html", page=markup)
        if not flashes:
            cache.put(("page", key), {"page": html})
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, request_csrf_token())  # a URL-safe token
    return html


def request_csrf_token() -> str:
    """Return the request's CSRF token, as Flask-WTF's generate_csrf would.

    Signing it (a serializer and an HMAC) was 7 % of a cached page. While tokens have
    no time limit (WTF_CSRF_TIME_LIMIT = None), a token signed earlier for the same
    session secret and key is exactly as valid, so each process keeps the tokens it
    signed in a cache of their own (SIGNED_TOKENS_BYTES). With a time limit every token
    is signed afresh.
    """
    config = current_app.config
    field = csrf_field()
    raw = session.get(field)
    if (
        config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None
        or field in g
        or not isinstance(raw, str)
    ):
        return generate_csrf()
    tokens: FragmentCache = current_app.extensions[SIGNED_TOKENS]
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    cached = tokens.get(key)
    if cached is not None:
        token = cached["token"]
    else:
        token = generate_csrf()
        tokens.put(key, {"token": token})
    setattr(g, field, token)  # as generate_csrf does: the rest of the request sees the same
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
