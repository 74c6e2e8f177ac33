"""All models, importable from one place (Alembic needs them all loaded)."""

from lms.models.audit import AuditEvent
from lms.models.content import Choice, Module, ModuleVersion, Program, ProgramModule, Question
from lms.models.people import User
from lms.models.training import Assignment, Attempt, Attestation, Completion

__all__ = [
    "Assignment",
    "AuditEvent",
    "Attempt",
    "Attestation",
    "Choice",
    "Completion",
    "Module",
    "ModuleVersion",
    "Program",
    "ProgramModule",
    "Question",
    "User",
]
