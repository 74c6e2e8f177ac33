"""How a report's manager filter reads what HR types: a name, an email or an employee number.

A large organisation has thousands of managers (9,000 of 100,000 people in the demo), too
many for a list to choose from, so the report asks for one by what HR knows of them and
`lms.reports.filters.find_managers` looks them up. These rules say what the text means and
which of the people it matches is meant. No Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "Mona Lee (E1042)": how a manager is written back into the field and offered among
# several matches, so that the text names exactly one person when sent again.
_LABELLED = re.compile(r"^(?P<name>.*?)\s*\((?P<ident>[^()]+)\)$")


@dataclass(frozen=True)
class ManagerQuery:
    """What HR typed into the manager filter: some text, and an identifier when it ends with one in brackets."""

    text: str
    ident: str | None = None


@dataclass(frozen=True)
class Manager:
    """A person who manages someone, as the manager filter shows and matches them."""

    id: int
    full_name: str
    employee_id: str | None
    email: str | None

    @property
    def label(self) -> str:
        return manager_label(self.full_name, self.employee_id, self.email)


def manager_label(full_name: str, employee_id: str | None, email: str | None) -> str:
    """Return how the filter writes a manager: their name and what tells them apart."""
    ident = employee_id or email
    return f"{full_name} ({ident})" if ident else full_name


def parse_manager_query(text: str) -> ManagerQuery:
    """Read the manager filter's text: spaces tidied, a trailing "(identifier)" taken apart."""
    text = " ".join(text.split())
    labelled = _LABELLED.match(text)
    if labelled and labelled["ident"].strip():
        return ManagerQuery(text=labelled["name"], ident=labelled["ident"].strip())
    return ManagerQuery(text=text)


def is_exact(manager: Manager, query: ManagerQuery) -> bool:
    """Whether `query` names `manager` exactly rather than by part of their name."""
    names = {(manager.employee_id or "").casefold(), (manager.email or "").casefold()}
    if query.ident is not None:
        return query.ident.casefold() in names
    return query.text.casefold() in names | {manager.full_name.casefold()}


def choose_manager(matches: list[Manager], query: ManagerQuery) -> Manager | None:
    """Return the one manager `query` means among `matches`, or None when it names none or several.

    One match is meant. Among several, the one the text names exactly (their employee
    number, email or whole name) is meant, so "Mona Lee" finds Mona Lee beside Mona
    Leeds; two people of the same name stay ambiguous until told apart by number.
    """
    if len(matches) == 1:
        return matches[0]
    exact = [m for m in matches if is_exact(m, query)]
    return exact[0] if len(exact) == 1 else None


def manager_problem(query: ManagerQuery, matches: int) -> str:
    """Say why the manager filter's text names no one manager: it matches none, or several."""
    ident = f"({query.ident})" if query.ident else ""
    written = "“" + " ".join(part for part in (query.text, ident) if part) + "”"
    if matches == 0:
        return f"No manager you can report on matches {written}."
    return f"Several managers match {written}: choose one of them, or add their employee number."
