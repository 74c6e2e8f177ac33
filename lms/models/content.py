"""Policy modules, their immutable revisions with quiz pools, and programs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class Module(db.Model):
    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[ModuleVersion]] = relationship(
        back_populates="module", lazy="raise", order_by="ModuleVersion.revision"
    )


class ModuleVersion(db.Model):
    """One revision of a module as loaded from `content/`, never changed afterwards.

    `version` is the author's number; any edit to the file makes a new revision,
    so every attempt and attestation points at exactly the text it was given.
    """

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    revision: Mapped[int]
    version: Mapped[int]
    is_current: Mapped[bool] = mapped_column(default=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int | None]
    body_html: Mapped[str] = mapped_column(Text)
    toc: Mapped[list[Any]] = mapped_column(JSON, default=list)
    renew_every: Mapped[str | None] = mapped_column(String(40))
    window: Mapped[str | None] = mapped_column(String(40))
    pass_mark: Mapped[int] = mapped_column(default=80)
    attempts: Mapped[int | None]
    questions_per_attempt: Mapped[int | None]
    attestation: Mapped[str] = mapped_column(Text)
    retrain_on_change: Mapped[bool] = mapped_column(default=False)
    # What the author says changed in this version (`changes:`, DESIGN.md): shown to
    # anyone asked to sign again, and in the retraining email. None when not given.
    changes: Mapped[list[str] | None] = mapped_column(JSON)
    # Where the module came from, as `path:line` messages name it: "content/modules/x.md".
    source_path: Mapped[str | None] = mapped_column(String(300))
    question_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module: Mapped[Module] = relationship(back_populates="versions", lazy="raise")
    questions: Mapped[list[Question]] = relationship(
        back_populates="module_version", lazy="raise", order_by="Question.position"
    )

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0


def current_version() -> ColumnElement[bool]:
    """Return the ON clause joining `Module` to its current `ModuleVersion` (title, body, quiz).

    `select(Module.slug, ModuleVersion.title).join(ModuleVersion, current_version())`;
    the one way every query reads "the module as it is now".
    """
    return (ModuleVersion.module_id == Module.id) & ModuleVersion.is_current


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"), index=True)
    position: Mapped[int]
    prompt: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16), default="single")
    explain: Mapped[str] = mapped_column(Text, default="")
    # The question's line in the module file (its `- q:` item), for `path:line` labels.
    line: Mapped[int | None]

    module_version: Mapped[ModuleVersion] = relationship(back_populates="questions", lazy="raise")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question", lazy="raise", order_by="Choice.position"
    )


class Choice(db.Model):
    __tablename__ = "choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)
    # Feedback for whoever picked this choice, shown only after the attempt is submitted.
    why: Mapped[str] = mapped_column(Text, default="", server_default="")

    question: Mapped[Question] = relationship(back_populates="choices", lazy="raise")


class Program(db.Model):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_days: Mapped[int]
    is_archived: Mapped[bool] = mapped_column(default=False)
    content_hash: Mapped[str] = mapped_column(String(64))

    modules: Mapped[list[ProgramModule]] = relationship(
        lazy="raise", order_by="ProgramModule.position", cascade="all, delete-orphan"
    )


class ProgramModule(db.Model):
    __tablename__ = "program_modules"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)
    position: Mapped[int]
