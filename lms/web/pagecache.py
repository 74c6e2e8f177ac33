"""The signed-in person's own pages, rendered once per change and then served from memory.

A learner's page is cached under a key that holds everything it was rendered from:
the person, their `training_rev` (raised by database triggers on any change to their
training or to the content, see `lms.models.revisions`), their name, what the
packages that know add with `vary_on` (lms.hr: the label of their HR link), the day (statuses and due dates move with it), the URL prefix, and the
page's own arguments. A cached page is therefore never stale; it simply stops being
asked for. Each process keeps its own cache, bounded in bytes, least recently used
first out; nothing in it is needed by another instance.

What must differ per request stays out of the cache: messages flashed to the person
(a page showing them is laid out afresh around the cached content, and not kept), and
the CSRF tokens in the page's forms, rendered as a per-process placeholder and
replaced with the request's own token when served (`lms.web.csrf`).

Measured reason (session 3, bench/README.md): a repeat view renders no template at
all; in-process, raw WSGI, a cached dashboard went from 1.37 to 1.02 ms (bare page
0.14 ms). Flask keeps flashed messages in the session under "_flashes" (private;
held by tests/ops/test_library_seams.py, Flask pinned in requirements.txt).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Flask, current_app, render_template, request, session
from flask_login import current_user
from markupsafe import Markup

from lms.database import session_reads_in_autocommit
from lms.models.base import utctoday
from lms.web import csrf
from lms.web.cache import FragmentCache
from lms.web.csrf import CSRF_PLACEHOLDER, placeholder_token

EXTENSION = "attest.pagecache"
# What else a page varies on, added by the packages that know (the HR link's label,
# from lms.hr): plumbing never imports a feature to ask it.
KEY_PARTS = "attest.pagecache.key_parts"
# Flask's session key for flashed messages (private: held by tests/ops/test_library_seams.py).
FLASHES = "_flashes"

__all__ = ["CSRF_PLACEHOLDER", "EXTENSION", "FragmentCache", "personal_page", "vary_on"]


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = FragmentCache(app.config.get("LMS_PAGE_CACHE_BYTES", 0))
    app.extensions[KEY_PARTS] = []
    csrf.init_app(app)


def vary_on(app: Flask, part: Callable[[], Hashable]) -> None:
    """Add `part()` (asked once per request, with the signed-in person) to every page's key."""
    app.extensions[KEY_PARTS].append(part)


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
    # One lookup through each of Flask's proxies, not one per use (four Python calls each).
    extensions = current_app.extensions
    cache: FragmentCache = extensions[EXTENSION]
    user = current_user._get_current_object()
    key = (
        page,
        args,
        user.id,
        user.training_rev,
        user.full_name,
        tuple([part() for part in extensions[KEY_PARTS]]),
        utctoday(),
        request.script_root,
    )
    flashes = FLASHES in session
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
    return csrf.substitute(html)
