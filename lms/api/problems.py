"""What is wrong with a request's input, one field at a time (no Flask: the upsert rules use it too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which field (and which employee, in a batch), and why."""

    field: str
    message: str
    item: int | None = None  # position of the employee in the request, from 1
    employee_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        found = {"field": self.field, "message": self.message}
        if self.item is not None:
            found |= {"item": self.item, "employee_id": self.employee_id}
        return found
