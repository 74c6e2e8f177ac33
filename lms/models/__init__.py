"""All models, importable from one place (Alembic needs them all loaded)."""

from lms.models.api import ApiToken
from lms.models.attempt_requests import AttemptRequest
from lms.models.audit import AuditEvent
from lms.models.certificates import Certificate
from lms.models.compliance import ComplianceCount, ComplianceManager, ComplianceScope
from lms.models.content import Choice, Module, ModuleVersion, Program, ProgramModule, Question
from lms.models.imports import ImportJob, StagedImport
from lms.models.mail import OutboxMessage, SentReminder
from lms.models.people import User
from lms.models.revisions import install_triggers  # noqa: F401 - installs on create_all
from lms.models.sessions import UserSession
from lms.models.tokens import UserToken
from lms.models.training import (
    Assignment,
    Attempt,
    AttemptAnswer,
    AttemptPick,
    Attestation,
    Completion,
)

__all__ = [
    "ApiToken",
    "AttemptRequest",
    "Assignment",
    "AuditEvent",
    "Attempt",
    "AttemptAnswer",
    "AttemptPick",
    "Attestation",
    "Certificate",
    "Choice",
    "ComplianceCount",
    "ComplianceManager",
    "ComplianceScope",
    "Completion",
    "ImportJob",
    "Module",
    "ModuleVersion",
    "OutboxMessage",
    "Program",
    "ProgramModule",
    "Question",
    "SentReminder",
    "StagedImport",
    "User",
    "UserSession",
    "UserToken",
]
