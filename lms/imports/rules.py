"""Who an import (or the API) may change, and how: plain functions, no Flask or database.

An import or an API token speaks for the HR system, which knows people by
their `employee_id`. Two things it must never do, because either hands an
account to whoever controls the new address (a password reset goes to it):

- change an HR user's email: HR rights are not the HR system's to move;
  an HR user changes their own address in person;
- take over someone who has no employee_id (added by hand, such as the first
  HR user) because a row carries their email: matching by email would let a
  row with a made-up employee_id adopt that person, and a later row change
  their email. Linking them is an explicit step (`flask lms set-employee-id`).
"""

from __future__ import annotations


def email_change_problem(
    *, is_hr: bool, old_email: str | None, new_email: str | None
) -> str | None:
    """Return why a row may not change this person's email, or None if it may (or does not).

    An empty email is a change too: it removes the address (the person then
    signs in with their employee_id), and for an HR user that is refused like
    any other change, as is giving an HR user without one an address.
    """
    if new_email == old_email or not is_hr:
        return None
    who = old_email or "this person"
    change = f"to {new_email}" if new_email else "to none"
    return (
        f"{who} is an HR user: an import or the API cannot change an HR user's email "
        f"({change}); they change it themselves, signed in"
    )


def email_owner_problem(
    *, email: str, owner_name: str, owner_employee_id: str | None, row_employee_id: str | None
) -> str:
    """Return the problem with a row whose email already belongs to someone the row is not."""
    if owner_employee_id is not None:
        return f"{email} already belongs to {owner_name} (employee_id {owner_employee_id})"
    if row_employee_id is None:
        return f"{email} already belongs to {owner_name} (no employee_id)"
    return (
        f"{email} already belongs to {owner_name}, who has no employee_id; an import never "
        f"takes a person over by email. If this row is them, link them first with "
        f"`flask lms set-employee-id {email} {row_employee_id}`"
    )
