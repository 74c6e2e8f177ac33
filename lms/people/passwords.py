"""Password hashing with argon2id (OWASP password storage cheat sheet)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 12


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, still spend the time so timing tells nothing."""
    hasher = _hasher()
    try:
        if password_hash is None:
            hasher.verify(_dummy_hash(hasher), password)
            return False
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# zxcvbn (the pinned package: its frequency lists of common and breached passwords, names
# and words, and its pattern matching) scores a password 0-4; 3 and up is what it calls
# "safely unguessable", at least 10^8 guesses. It refuses anything longer than 72
# characters, and its time grows with length (up to ~50 ms at 72), so only the first
# SCORED_LENGTH characters are scored; MAX_LENGTH leaves room for long passphrases.
MIN_SCORE = 3
SCORED_LENGTH = 72
MAX_LENGTH = 128
TOO_GUESSABLE = (
    "This password is too easy to guess: it is on the lists of common and breached"
    " passwords, or made of words, names, dates or patterns found on them."
)


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Return why a new password is refused, or None.

    NIST SP 800-63B: at least MIN_LENGTH characters, checked against common and
    breached passwords (DESIGN "Signing in"), and no composition rules. `user_inputs`
    (the person's name and email) count as guessable words too.
    """
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    words = [word for text in user_inputs if text for word in re.split(r"[\W_]+", text) if word]
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=words)
    if result["score"] >= MIN_SCORE:
        return None
    warning = result["feedback"]["warning"]
    return f"{TOO_GUESSABLE} {warning}" if warning else TOO_GUESSABLE


def user_inputs(person: Any) -> list[str]:
    """What a guesser knows of a person (a `User`): a password made of these is refused."""
    return [text for text in (person.full_name, person.email, person.employee_id) if text]


_dummy: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _dummy:
        _dummy[key] = hasher.hash("not a real password")
    return _dummy[key]
