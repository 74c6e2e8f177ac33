"""A real SMTP server (aiosmtpd) for tests, which can be told to misbehave.

Use the `smtp_server` fixture: import it into your test package's conftest.py
(`from tests.smtp import smtp_server  # noqa: F401`). It starts a server on a
free port, points the app's MAIL_SERVER/MAIL_PORT at it and returns an
`SMTPServer`:

    smtp_server.messages        # parsed email.message.EmailMessage, in arrival order
    smtp_server.envelopes       # (mail_from, rcpt_tos) for each
    smtp_server.to("a@b.c")     # the messages delivered to one address
    smtp_server.mail()          # {(To, Subject)} of everything received, subjects unfolded
    smtp_server.drop_connections(2)   # close the next 2 connections at once
    smtp_server.refuse_connections(2) # greet the next 2 with "421 ... closing"
    smtp_server.reject_messages(2)    # answer DATA of the next 2 messages with 451
    smtp_server.reject_messages(1, "554 5.6.0 Message rejected")  # ... or with this reply
    smtp_server.answer_address("a@b.c", "550 5.1.1 No such user")  # RCPT TO:<a@b.c> gets this
    smtp_server.answer_sender("553 5.7.1 Sender not allowed")     # every MAIL FROM gets this
    smtp_server.clear()
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """Collects what it receives; fails on request, counting down."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self._drops = self._refusals = self._rejections = 0
        self._rejection = "451 4.3.0 Temporary failure, try again later"
        self._address_replies: dict[str, str] = {}
        self._sender_reply: str | None = None
        self.port = free_port()
        server = self

        class FlakySMTP(SMTP):
            async def _handle_client(self):
                action = server._take_connection_failure()
                if action == "drop":
                    self.transport.close()
                    return
                if action == "refuse":
                    await self.push("421 4.3.2 Service not available, closing channel")
                    self.transport.close()
                    return
                await super()._handle_client()

        class FlakyController(Controller):
            def factory(self):
                return FlakySMTP(self.handler, **self.SMTP_kwargs)

        self.controller = FlakyController(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def drop_connections(self, n: int) -> None:
        with self._lock:
            self._drops = n

    def refuse_connections(self, n: int) -> None:
        with self._lock:
            self._refusals = n

    def reject_messages(
        self, n: int, reply: str = "451 4.3.0 Temporary failure, try again later"
    ) -> None:
        with self._lock:
            self._rejections, self._rejection = n, reply

    def answer_address(self, address: str, reply: str | None) -> None:
        """Answer RCPT TO for `address` with `reply` (None: accept it again)."""
        with self._lock:
            if reply is None:
                self._address_replies.pop(address.lower(), None)
            else:
                self._address_replies[address.lower()] = reply

    def answer_sender(self, reply: str | None) -> None:
        """Answer every MAIL FROM with `reply` (None: accept again)."""
        with self._lock:
            self._sender_reply = reply

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m
            for m, (_, rcpts) in zip(self.messages, self.envelopes, strict=True)
            if address in rcpts
        ]

    def mail(self) -> set[tuple[str, str]]:
        # Python folds a long Subject right after the colon and its parser keeps the
        # leading space of the continuation line; mail clients unfold it away.
        return {(str(m["To"]), " ".join(str(m["Subject"]).split())) for m in self.messages}

    def _take_connection_failure(self) -> str | None:
        with self._lock:
            if self._drops:
                self._drops -= 1
                return "drop"
            if self._refusals:
                self._refusals -= 1
                return "refuse"
        return None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self._lock:
            if self._sender_reply is not None:
                return self._sender_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            reply = self._address_replies.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self._rejections:
                self._rejections -= 1
                return self._rejection
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    """A running SMTP server that the app sends to."""
    server = SMTPServer().start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USERNAME=None
    )
    yield server
    server.stop()
