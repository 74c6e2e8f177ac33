"""Sessions: Flask's signed cookies, with the signing serializer made once per key set."""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's own signed-cookie sessions (same format, same keys, same rotation).

    Flask builds a new serializer to open and again to save each session; that was a
    measurable share of a cached page. It depends only on the secret key and its
    fallbacks, so one is kept per key set and rebuilt only when they change.
    """

    def __init__(self) -> None:
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            cached = self._serializer = (keys, super().get_signing_serializer(app))
        return cached[1]
