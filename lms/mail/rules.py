"""What a failed delivery means, in words a person understands: plain functions, no Flask.

RFC 5321 (section 4.2.1): a 5xx reply is a permanent refusal (sending the
same message again will fail the same way), a 4xx reply a temporary one. A
message refused for good is marked failed and never retried; everything else
(4xx, a connection that cannot be made or drops) is retried with backoff.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass

RETRY = "; will retry"
LINK_REMOVED = "[link removed]"
# A one-time link: an invitation or password reset URL with its token (lms.auth.routes).
ONE_TIME_LINK = re.compile(r"(?:https?://[^\s\"'<>]*?)?/(?:invite|reset)/[A-Za-z0-9._~%-]+")


def blank_one_time_links(text: str) -> str:
    """Replace every invitation and reset link (with its token) by "[link removed]".

    What HR reads of a message, and what the outbox keeps once it is sent: the
    message as it went, but no live token for anyone who can read the page or the
    database.
    """
    return ONE_TIME_LINK.sub(LINK_REMOVED, text)


@dataclass(frozen=True)
class Failure:
    is_permanent: bool
    reason: str  # for HR's outbox page: what happened, with the server's own words


def is_permanent(code: int) -> bool:
    """Whether an SMTP reply code refuses for good (5xx)."""
    return 500 <= code <= 599


def server_words(code: int, message: bytes | str) -> str:
    """The server's reply as one line: `550 5.1.1 No such user`."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return " ".join(f"{code} {text}".split())


def explain_failure(error: BaseException) -> Failure:
    """Classify a delivery error and say what happened (the server's reply kept verbatim)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()), (0, b""))
        return replied(code, message, "refused the address", "turned the address away for now")
    if isinstance(error, smtplib.SMTPSenderRefused):
        sender = error.sender.decode() if isinstance(error.sender, bytes) else error.sender
        return replied(
            error.smtp_code,
            error.smtp_error,
            f"refused the sender address {sender} (MAIL_FROM)",
            f"turned the sender address {sender} away for now",
        )
    if isinstance(error, smtplib.SMTPDataError):
        return replied(
            error.smtp_code,
            error.smtp_error,
            "refused the message",
            "could not take the message for now",
        )
    return Failure(False, temporary_reason(error) + RETRY)


def replied(code: int, message: bytes | str, refused: str, deferred: str) -> Failure:
    words = server_words(code, message)
    if is_permanent(code):
        return Failure(True, f"The mail server {refused}: {words}")
    return Failure(False, f"The mail server {deferred}: {words}{RETRY}")


def temporary_reason(error: BaseException) -> str:
    """Say why a message could not be handed over this time (it will be tried again)."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            "The mail server did not accept Attest's sign-in (check MAIL_USERNAME and "
            f"MAIL_PASSWORD): {server_words(error.smtp_code, error.smtp_error)}"
        )
    if isinstance(error, smtplib.SMTPResponseException):  # greeting, HELO or another command
        return f"The mail server would not talk to Attest: {server_words(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "The mail server closed the connection"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"The mail server does not offer what Attest needs ({error})"
    if isinstance(error, ConnectionRefusedError):
        return "Could not reach the mail server (connection refused)"
    if isinstance(error, TimeoutError):  # socket.timeout is TimeoutError since Python 3.10
        return "Could not reach the mail server (it did not answer in time)"
    if isinstance(error, socket.gaierror):
        return (
            "Could not reach the mail server (its name could not be looked up: check MAIL_SERVER)"
        )
    if isinstance(error, ssl.SSLError):
        return f"Could not open a secure connection to the mail server ({error.reason or error})"
    if isinstance(error, OSError):
        return f"Could not reach the mail server ({error.strerror or error})"
    return f"Sending failed unexpectedly ({type(error).__name__}: {error})"


def delivery_problem(
    *, sent: int, failed: int, failed_for_good: int, refused: str | None, retrying: str | None
) -> str | None:
    """Return the one-line summary that makes `send-mail` and `renew` exit non-zero, or None.

    DESIGN.md, "Reminders": they exit non-zero when any message failed for
    good, or when nothing could be delivered (so cron monitoring notices a
    mail server that is down or refuses everything). Some messages failing
    for now while others go is normal and not an error: they are retried.
    `refused` and `retrying` are the first reason of each kind, as examples.
    """
    tried = sent + failed + failed_for_good
    if failed_for_good:
        later = f"; {failed} more will be retried" if failed else ""
        return (
            f"{failed_for_good} of {tried} email(s) failed for good: {refused}; "
            f"HR sees them on the outbox page (Email, Failed){later}"
        )
    if failed and not sent:
        reason = (retrying or "").removesuffix(RETRY)
        return f"none of {tried} email(s) could be delivered; they will be retried: {reason}"
    return None
