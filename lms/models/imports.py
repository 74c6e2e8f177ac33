"""A CSV file uploaded by HR, kept between its preview and HR's confirmation; a large one's import job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class StagedImport(db.Model):
    """The uploaded bytes, in the database so any instance can apply what HR previewed."""

    __tablename__ = "staged_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class ImportJob(db.Model):
    """A confirmed upload imported in the background, and what came of it.

    Kept in the database so that any instance can show its progress and result
    (`lms.imports.jobs`). `staged_import_id` is a plain number, not a foreign key:
    the staged upload is deleted once imported, while the job stays as the record.
    """

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    staged_import_id: Mapped[int] = mapped_column(unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filename: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))
    is_partial: Mapped[bool] = mapped_column(default=False)
    is_invite: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(200), default="")
    # {"counts": {...}, "assigned": {...}, "invited": n, "errors": ["line 3: email: ..."]}
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
