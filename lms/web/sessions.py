"""Sessions: Flask's signed cookies, each cookie's signature checked once per worker."""

import time

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_login import LoginManager
from flask_login.utils import _create_identifier
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Opened cookies each worker remembers; past this many it starts again from none.
OPENED_COOKIES_KEPT = 4096
# Flask-Login's session identifiers each worker remembers, the same way.
IDENTIFIERS_KEPT = 4096
SCALARS = (str, int, float, bool, type(None))


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's own signed-cookie sessions (same format, same keys, same rotation).

    Flask builds a new serializer to open and again to save each session; it depends
    only on the secret key and its fallbacks, so one is kept per key set and rebuilt
    only when they change. Opening a cookie (checking its signature, decoding it) was a
    tenth of a cached page's time, and a browser sends the same cookie on every
    request until the session changes; so each worker remembers the cookies it has
    opened, with when they were signed, and opens a cookie it has seen by checking only
    its age. The same bytes signed under the same keys verify the same way every time,
    so nothing is trusted that was not checked; a new key set starts with none
    remembered. Whether the session a cookie names has ended is not the cookie's to
    say: that is read from the database on every request (lms.auth.signing_in.load_user),
    so a revoked session is refused even while its cookie is remembered here. Only
    sessions holding plain values (the signed-in session: its token, freshness, CSRF
    secret) are remembered: each request gets its own copy, which it may
    change without touching another's.

    Measured reason (session 5, bench/README.md): opening a cookie was a tenth of a
    cached page's time; remembering opened cookies took the PostgreSQL cached
    dashboard from 35.5 % to 38 % of the bare page. Relies only on Flask's public
    SecureCookieSessionInterface (get_signing_serializer, session_class).
    """

    def __init__(self) -> None:
        self._keyed: tuple[tuple, URLSafeTimedSerializer | None, dict] | None = None

    def _for_keys(self, app: Flask) -> tuple[tuple, URLSafeTimedSerializer | None, dict]:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        keyed = self._keyed
        if keyed is None or keyed[0] != keys:
            keyed = self._keyed = (keys, super().get_signing_serializer(app), {})
        return keyed

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return self._for_keys(app)[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        _keys, serializer, opened = self._for_keys(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = opened.get(value)
        if known is not None:
            signed_at, data = known
            # itsdangerous's own test: whole seconds, and never signed in the future.
            if 0 <= int(time.time()) - signed_at <= max_age:
                return self.session_class(data)
            return self.session_class()  # expired (or the clock went back): refused
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(item, SCALARS) for item in data.values()):
            if len(opened) >= OPENED_COOKIES_KEPT:
                opened.clear()
            opened[value] = (int(signed.timestamp()), data)
        return self.session_class(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's own save, except for a session with nothing to write: only its Vary header.

        Measured reason (cProfile, a cached learner page on PostgreSQL): for a session
        that was read but not changed, which is every signed-in page view, Flask's
        save looked up seven cookie settings it did not use and added "Vary: Cookie"
        through `response.vary` (the header parsed into a set, written back with a
        search of every header), some 40 of the page's Python calls. A session that
        is changed, emptied or refreshed on every request (permanent, with
        SESSION_REFRESH_EACH_REQUEST) goes through Flask's save whole; for any other,
        Flask's save writes no cookie and only adds the Vary header, as here.
        """
        if session.modified or self.should_set_cookie(app, session):
            super().save_session(app, session, response)
        elif session.accessed:
            vary_on_cookie(response)


def vary_on_cookie(response: Response) -> None:
    """Add Cookie to the response's Vary header, as `response.vary.add("Cookie")` does."""
    if response.headers.get("Vary") is None:
        response.headers.add("Vary", "Cookie")  # no other Vary to merge with
    else:
        response.vary.add("Cookie")


def remember_session_identifiers(manager: LoginManager) -> None:
    """Have Flask-Login work out each browser's session identifier once per worker.

    Flask-Login's session protection compares, on every signed-in request, the
    identifier kept in the session with one made from the request: a SHA-512 of
    the client's address (the first X-Forwarded-For entry, else REMOTE_ADDR) and its
    User-Agent, read through Flask's proxies (cProfile, a cached learner page on
    PostgreSQL: 25 of its Python calls and three proxy lookups). The identifier
    depends on those three WSGI values only, so each worker keeps the identifiers it
    made by them and makes one with Flask-Login's own function for values it has not
    seen: the same identifier, the same protection. Library internals relied on,
    pinned in requirements.txt (Flask-Login) and held by
    tests/ops/test_library_seams.py: `LoginManager._session_identifier_generator`
    and `flask_login.utils._create_identifier`, the generator it holds by default.
    """
    made: dict[tuple, str] = {}

    def session_identifier() -> str:
        environ = request.environ
        key = (
            environ.get("HTTP_X_FORWARDED_FOR"),
            environ.get("REMOTE_ADDR"),
            environ.get("HTTP_USER_AGENT"),
        )
        identifier = made.get(key)
        if identifier is None:
            identifier = _create_identifier()
            if len(made) >= IDENTIFIERS_KEPT:
                made.clear()
            made[key] = identifier
        return identifier

    manager._session_identifier_generator = session_identifier
