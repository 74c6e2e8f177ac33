"""API tokens: create, revoke and look up (flushes only; the caller commits).

A token is `atk_` and 43 URL-safe characters (256 random bits). Only its
SHA-256 is stored: looking one up is a single indexed equality on the hash,
and a stolen copy of the database holds no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from lms.audit import record_event
from lms.extensions import db
from lms.models import ApiToken
from lms.models.base import utcnow

SCHEME = "atk_"
PREFIX_LENGTH = 12  # "atk_" and 8 characters: enough to tell tokens apart, useless alone
MAX_NAME = 120
# last_used_at is written at most this often per token, so a busy integration costs no write per call.
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be created or revoked as asked; the message says why."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(name: str, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for the HR system called `name`; return it and the secret, shown only now.

    Names of tokens in use are unique, so the audit trail can say which system
    did what; to rotate, create a token under a new name, then revoke the old one.
    """
    name = " ".join(name.split())
    if not name:
        raise TokenError("give the token a name, such as the HR system that will use it")
    if len(name) > MAX_NAME:
        raise TokenError(f"the name is longer than {MAX_NAME} characters")
    if active_token_named(name) is not None:
        raise TokenError(
            f"a token named {name!r} is already in use; revoke it or choose another name"
        )
    secret = SCHEME + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_at=now or utcnow(),
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        "api_token.created", details={"token_id": token.id, "name": name, "prefix": token.prefix}
    )
    return token, secret


def active_token_named(name: str) -> ApiToken | None:
    return db.session.scalar(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    )


def revoke_token(name: str, now: datetime | None = None) -> ApiToken:
    """Revoke the token in use under `name`; it stops working at once, on every instance."""
    token = active_token_named(" ".join(name.split()))
    if token is None:
        raise TokenError(f"no token named {name!r} is in use")
    token.revoked_at = now or utcnow()
    db.session.flush()
    record_event(
        "api_token.revoked",
        details={"token_id": token.id, "name": token.name, "prefix": token.prefix},
    )
    return token


def find_active_token(secret: str) -> ApiToken | None:
    """Return the unrevoked token whose secret this is, or None."""
    if not secret.startswith(SCHEME):
        return None
    return db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_secret(secret), ApiToken.revoked_at.is_(None)
        )
    )


def touch_token(token: ApiToken, now: datetime) -> bool:
    """Record that the token was used, unless that was recorded less than TOUCH_EVERY ago."""
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return True
