"""Who a program applies to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def matches_audience(audience: Mapping[str, Any], department: str | None, role: str | None) -> bool:
    """Return whether a person in `department` with `role` is in a program's audience.

    `{"all": true}` is everyone; otherwise a person matches when their
    department is listed (or no departments are listed) and their role is
    listed (or no roles are listed). Names compare without regard to case.
    """
    if audience.get("all"):
        return True
    departments = {d.casefold() for d in audience.get("departments") or []}
    roles = {r.casefold() for r in audience.get("roles") or []}
    if not departments and not roles:
        return False
    if departments and (department or "").casefold() not in departments:
        return False
    return not roles or (role or "").casefold() in roles
