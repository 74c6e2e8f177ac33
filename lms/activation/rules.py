"""Activation codes and who gets a letter: plain functions, no Flask or database.

DESIGN.md, "Signing in" and "CSV import": someone with no work email cannot get
an invitation link, so HR (or their manager) prints them a letter with a one-time
activation code, typed by hand at /activate with their employee number.

A code is 16 symbols of Crockford's base 32 (80 random bits from `secrets`,
DESIGN.md asks for at least 60), printed in groups of four like a certificate
code (`K7QD-9XRM-P2VA-T3NB`): no I, L, O or U, so nothing is misread. Reading
one back, case, spaces and dashes do not matter, O is taken as 0 and I or L as
1, and the whole `/activate?code=...` address scanned from the QR code works
too. Only its SHA-256 is stored; it is valid for 30 days, and a new letter
retires the old code.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from lms.certificates.codes import ALPHABET, GROUP, LENGTH, format_code, new_code

__all__ = [
    "ALPHABET",
    "GROUP",
    "LENGTH",
    "VALID_FOR",
    "code_hash",
    "expires_at",
    "format_code",
    "is_new",
    "letter_problem",
    "new_code",
    "normalise_code",
]

VALID_FOR = timedelta(days=30)

_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-–—._]+")
_CANONICAL = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def normalise_code(text: str | None) -> str | None:
    """Return the canonical form (16 symbols, upper case) of a typed code, or None.

    Accepts lower case, spaces, missing or extra dashes, the look-alikes O, I
    and L, and the letter's whole activation address (`...?code=...`).
    """
    if not text:
        return None
    text = text.strip()
    if "code=" in text:
        text = parse_qs(urlsplit(text).query).get("code", [""])[0]
    candidate = _SEPARATORS.sub("", text).upper().translate(_LOOKALIKES)
    return candidate if _CANONICAL.fullmatch(candidate) else None


def code_hash(code: str) -> str:
    """The stored form of a canonical code: its SHA-256 (80 random bits need no slow hash)."""
    return hashlib.sha256(f"activation:{code}".encode()).hexdigest()


def expires_at(issued_at: datetime) -> datetime:
    return issued_at + VALID_FOR


def letter_problem(
    *, full_name: str, email: str | None, employee_id: str | None, is_active: bool
) -> str | None:
    """Say why this person cannot get an activation letter, or None if they can."""
    if email:
        return (
            f"{full_name} has an email address ({email}): send them an invitation instead; "
            "activation letters are for people without email"
        )
    if not employee_id:
        return f"{full_name} has no employee number to sign in with; add one first"
    if not is_active:
        return f"{full_name} has left the organisation"
    return None


def is_new(*, has_password: bool, ever_had_code: bool) -> bool:
    """`--new-only`: someone who never had a code and never signed up (set a password).

    A person who set a password has signed in (activating signs them in), and
    one who was sent a letter already has it, used or not: printing a second
    would retire the first. Both are left to an explicit reprint.
    """
    return not has_password and not ever_had_code
