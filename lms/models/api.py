"""API tokens: how an HR system signs in to the HTTP API (DESIGN.md, "HTTP API")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class ApiToken(db.Model):
    """A bearer token for one HR system, created by `flask lms create-token`.

    Only a SHA-256 of the secret is kept, so a copy of the database opens
    nothing; `prefix` is the secret's first characters, enough to tell tokens
    apart in a list without being usable. A revoked token stays, for the audit trail.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<ApiToken {self.name} {self.prefix}…>"
