"""Email through an outbox table (DESIGN.md, "Reminders").

Queue with `queue_email` inside the transaction that causes the email; it is
delivered by `send_queued` (`flask lms send-mail`, also run by `flask lms renew`).
Templates live in `lms/templates/mail/<name>.txt` and `.html`.
"""

from lms.mail.outbox import (
    absolute_url,
    list_messages,
    message_values,
    messages_for_user,
    outbox_counts,
    queue_email,
    queue_emails,
    render_email,
)
from lms.mail.sender import SendReport, retry_delay, send_queued

__all__ = [
    "SendReport",
    "absolute_url",
    "list_messages",
    "message_values",
    "messages_for_user",
    "outbox_counts",
    "queue_email",
    "queue_emails",
    "render_email",
    "retry_delay",
    "send_queued",
]
