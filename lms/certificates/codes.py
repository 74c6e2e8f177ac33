"""Verification codes: 80 random bits in Crockford's base 32, shown in groups of four.

Crockford's alphabet leaves out I, L, O and U, so a code read aloud or typed
from paper cannot be misread; when reading one back, O is taken as 0 and I or
L as 1, case does not matter and dashes, spaces and dots are ignored.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16  # 16 symbols x 5 bits = 80 random bits (DESIGN.md asks for at least 60)
GROUP = 4

# What the verify page and the API say about a code that finds nothing.
NO_SUCH = "No such certificate: check the code and try again."
NOT_A_CODE = (
    "That is not a certificate code: codes have 16 letters and digits, such as K7QD-9XRM-P2VA-T3NB."
)

_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-–—._]+")
_CANONICAL = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_code() -> str:
    """Return a fresh random code in canonical form (upper case, no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    """Return a canonical code grouped for people: `K7QD-9XRM-P2VA-T3NB`."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(text: str) -> str | None:
    """Return the canonical form of a typed or pasted code, or None if it cannot be one.

    Accepts any case, missing or extra dashes and spaces, look-alike letters,
    and a whole verify URL pasted into the form.
    """
    text = text.strip().rstrip("/")
    if "/" in text:
        text = text.rsplit("/", 1)[1]
    for suffix in (".json", ".pdf"):
        if text.lower().endswith(suffix):
            text = text[: -len(suffix)]
    candidate = _SEPARATORS.sub("", text).upper().translate(_LOOKALIKES)
    return candidate if _CANONICAL.fullmatch(candidate) else None
