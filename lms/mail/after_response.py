"""Work done once a response has gone: sending queued email, and steps nobody should wait for.

Shared by the pages that queue email (sign-in links, the CSV import) and the API;
it sits below them all, so none imports another's views for it.
"""

from collections.abc import Callable

from flask import after_this_request, current_app

from lms.extensions import db
from lms.mail.sender import send_queued

AFTER_RESPONSE_LIMIT = 200  # a big batch (10,000 invitations) is left to `flask lms send-mail`


def after_response(*steps: Callable[[], object]) -> None:
    """Run `steps`, then send queued email, once the response has gone.

    Nobody waits for (or times) the work or SMTP. Each step commits its own work; a
    step that fails is logged and rolled back, and the next runs. At most
    AFTER_RESPONSE_LIMIT messages are sent, so a web worker is never tied up for
    long; the rest, and what cannot be sent, stay in the outbox for `flask lms
    send-mail` (and `renew`) to deliver.
    """
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            for step in (*steps, lambda: send_queued(AFTER_RESPONSE_LIMIT)):
                try:
                    step()
                except Exception:  # the response is gone; the outbox keeps the mail for a retry
                    db.session.rollback()
                    app.logger.exception("work after a request's response failed")

    @after_this_request
    def hook(response):
        response.call_on_close(run)
        return response


def deliver_after_response() -> None:
    """Send queued email once the response has gone (see `after_response`)."""
    after_response()
