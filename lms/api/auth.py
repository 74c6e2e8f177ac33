"""Bearer-token sign-in and the per-token rate limit of the API blueprint."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from lms.api.errors import REALM, ApiError
from lms.api.tokens import find_active_token, hash_secret, touch_token
from lms.extensions import db
from lms.models.base import utcnow

HOW_TO = "send `Authorization: Bearer <token>` with a token from `flask lms create-token`"


@dataclass(frozen=True)
class ApiClient:
    """The HR system behind a request: its token's id and name (plain values, safe after commit)."""

    token_id: int
    name: str


def presented_secret() -> str | None:
    """Return the token in `Authorization: Bearer <token>`, or None if there is none."""
    scheme, _, secret = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def authenticate() -> None:
    """Let a request with a valid token through (as `g.api_client`); refuse anything else with 401."""
    secret = presented_secret()
    if secret is None:
        if "Authorization" in request.headers:
            raise ApiError(401, f"The Authorization header is not a bearer token: {HOW_TO}.")
        raise ApiError(401, f"This API needs a token: {HOW_TO}.")
    token = find_active_token(secret)
    if token is None:
        raise ApiError(
            401,
            "The API token is not valid: it is mistyped, unknown or revoked.",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    g.api_client = ApiClient(token.id, token.name)
    if touch_token(token, utcnow()):
        db.session.commit()


def current_client() -> ApiClient:
    return g.api_client


def rate_limit() -> str:
    return current_app.config.get("LMS_API_RATE_LIMIT", "300 per minute")


def rate_limit_key() -> str:
    """Count requests per token (by its hash), or per address for a request without one.

    The limiter runs before sign-in, so the key is taken from the header as sent;
    a made-up token only spends its own budget and is then refused with 401.
    """
    secret = presented_secret()
    if secret is not None:
        return "api-token:" + hash_secret(secret)[:32]
    return "api-address:" + (get_remote_address() or "unknown")
