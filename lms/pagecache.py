"""The signed-in person's own pages, rendered once per change and then served from memory.

A fragment (the main content of a learner's page) is cached under a key that holds
everything it was rendered from: the person, their `training_rev` (raised by database
triggers on any change to their training or to the content, see
`lms.models.revisions`), their name, the day (statuses and due dates move with it),
the URL prefix, and the page's own arguments. A cached fragment is therefore never
stale; it simply stops being asked for. Each process keeps its own cache, bounded in
bytes, least recently used first out; nothing in it is needed by another instance.

What must differ per request stays out of the cache: the page around the fragment
(navigation, flashed messages) is rendered every time, and the CSRF tokens inside
the fragment's forms are rendered as a per-process placeholder and replaced with the
request's own token when served.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from lms.models.base import utctoday

EXTENSION = "attest.pagecache"
# Unguessable, so no module text can contain it by chance or on purpose.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


class FragmentCache:
    """A thread-safe LRU mapping of keys to rendered fragments, capped at `max_bytes`."""

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


def personal_fragment(
    page: str, args: tuple, render: Callable[[], dict[str, str]]
) -> dict[str, Markup]:
    """Return the parts of `page` for the signed-in person, rendering them only when needed.

    `render` returns the parts (e.g. title and content) as HTML strings; `args` are the
    page's own arguments (a module's slug). Everything else a part may depend on must be
    in the person's `training_rev` or the key below.
    """
    cache: FragmentCache = current_app.extensions[EXTENSION]
    key = (
        page,
        args,
        current_user.id,
        current_user.training_rev,
        current_user.full_name,
        utctoday(),
        request.script_root,
    )
    parts = cache.get(key) if cache.max_bytes else None
    if parts is None:
        parts = _render_with_placeholder_token(render)
        if cache.max_bytes:
            cache.put(key, parts)
    if any(CSRF_PLACEHOLDER in html for html in parts.values()):
        token = generate_csrf()
        parts = {name: html.replace(CSRF_PLACEHOLDER, token) for name, html in parts.items()}
    # Rendered by our own autoescaping templates; the token is URL-safe text.
    return {name: Markup(html) for name, html in parts.items()}  # noqa: S704


def _render_with_placeholder_token(render: Callable[[], dict[str, str]]) -> dict[str, str]:
    # Flask-WTF keeps the request's token on `g` under the field name and returns it from
    # there; while the fragment renders, that token is the placeholder.
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    saved = g.pop(field, None)
    setattr(g, field, CSRF_PLACEHOLDER)
    try:
        return {name: str(html) for name, html in render().items()}
    finally:
        g.pop(field, None)
        if saved is not None:
            setattr(g, field, saved)
