"""Who may ask for more attempts, and when HR may decide: plain functions of plain values.

Each returns None when the action is allowed, else the message saying why not.
"""

from __future__ import annotations

from lms.models.attempt_requests import OPEN

MAX_MESSAGE = 500

LOCKED = "locked"  # lms.learn.operations's step for "no attempts left"


def refusal_to_ask(step: str, *, has_open_request: bool) -> str | None:
    """May the learner ask now? Only with no attempts left, and once until HR replies."""
    if step != LOCKED:
        return "You can ask HR for more attempts only when you have none left."
    if has_open_request:
        return "You have already asked HR for more attempts; they will reply by email."
    return None


def refusal_to_decide(
    state: str,
    *,
    actor_is_requester: bool,
    assignment_closed: bool,
    same_cycle: bool,
) -> str | None:
    """May this HR person decide this request now?"""
    if state != OPEN:
        return "This request has already been decided."
    if actor_is_requester:
        return "You cannot decide your own request; ask another HR colleague."
    if assignment_closed:
        return "This assignment is closed; there is nothing to grant."
    if not same_cycle:
        return "The learner has completed the module since asking; there is nothing to grant."
    return None


def clean_message(message: str | None) -> str | None:
    """The learner's optional note, spaces squeezed, at most MAX_MESSAGE characters (or None)."""
    message = " ".join((message or "").split())
    return message[:MAX_MESSAGE] or None
