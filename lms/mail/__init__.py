"""Email through an outbox table (DESIGN.md, "Reminders").

Queue with `outbox.queue_email` inside the transaction that causes the email; it is
delivered by `sender.send_queued` (`flask lms send-mail`, also run by `flask lms renew`).
Templates live in `lms/templates/mail/<name>.txt` and `.html`.
"""
