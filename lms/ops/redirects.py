"""Redirects only to this site: `next=` arguments are checked before anyone is sent there."""

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None  # CR/LF would split the Location header (a 500); tabs are stripped by browsers
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
