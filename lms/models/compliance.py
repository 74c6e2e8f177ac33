"""The compliance summary: counts kept by database triggers (lms.models.compliance_triggers).

`compliance_counts` holds, per scope (0 for everyone, else a manager above the
people counted), department, module, kind and key day, how many counted
assignments there are, at three resolutions of the key day (lms.compliance.rules).
`compliance_scopes` says which scopes count each person: 0 and every manager above them;
`compliance_managers` which managers have counts of their own (big teams).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db

# Keys of the summary (lms.compliance.rules reads them back).
NO_DAY = date(1970, 1, 1)  # the key day of kinds whose status never changes
EVERYONE = 0  # the scope of HR's figures; any other scope is a manager's user id
NO_DEPARTMENT_KEY = ""  # departments are keys: people with none are counted under ""


class ComplianceCount(db.Model):
    __tablename__ = "compliance_counts"

    # Key order: one scope's rows of one level are a range, and a day range within it.
    scope_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    level: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(120), primary_key=True)
    module_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    n: Mapped[int]


class ComplianceScope(db.Model):
    __tablename__ = "compliance_scopes"
    __table_args__ = (Index("ix_compliance_scopes_scope_id", "scope_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    scope_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class ComplianceManager(db.Model):
    """A manager whose people's figures are kept under their own scope (lms.models.compliance_triggers)."""

    __tablename__ = "compliance_managers"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


# The triggers that keep these tables are installed with them by `db.create_all()`.
from lms.models.compliance_triggers import install_triggers  # noqa: E402, F401
