"""Mail for tests. A real SMTP server: aiosmtpd on a free loopback port, keeping every message it
accepts. It can refuse recipients with a given answer (``refuse``), be stopped and started
again on the same port (a mail server that is down, then back), and ask for a login
(``running_smtp_server``: the checks that connect and log in before a mailbox is saved). And
the delivery-status notification an MTA sends back when our mail bounces (``dsn``)."""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
from dataclasses import dataclass
from email.message import EmailMessage

import pytest

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
except ImportError:  # pragma: no cover - the test lock installs it
    Controller = AuthResult = None

SUPPORT_ADDRESS = "support@sampark.localhost"  # the default mailbox of a fresh instance
SMTP_USER, SMTP_PASSWORD = "desk", "rk7-smtp-pass"  # noqa: S105 - the test server's account


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _Handler:
    def __init__(self, sink: MailSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.sink.refuse:
            return self.sink.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.sink.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    # Not handled: aiosmtpd answers 535 itself (handled=True would leave the client hanging).
    return AuthResult(success=ok, handled=False)


class MailSink:
    def __init__(self, *, login: bool = False):
        if Controller is None:
            pytest.skip("aiosmtpd is not installed: no SMTP sink to send to")
        self.port = free_port()
        self.received: list[Received] = []
        self.refuse = ""
        self.login = login
        self._controller = None

    def start(self) -> MailSink:
        # With ``login``, one account (SMTP_USER), allowed without TLS: it never leaves the
        # machine.
        extra = {"authenticator": _authenticate, "auth_require_tls": False} if self.login else {}
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **extra)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]


@contextlib.contextmanager
def running_smtp_server():
    """A sink that asks for a login, on 127.0.0.1 at the yielded sink's ``port``."""
    sink = MailSink(login=True).start()
    try:
        yield sink
    finally:
        sink.stop()


def dsn(original_message_id: str, recipient: str, status="5.1.1", mta="mx.example.in") -> bytes:
    """A delivery-status notification about our message ``original_message_id`` to
    ``recipient``, as the MTA ``mta`` writes one."""
    boundary = "dsn-boundary"
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@{mta}>\r\n"
        f"To: {SUPPORT_ADDRESS}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{original_message_id}>\r\n"
        f"Auto-Submitted: auto-replied\r\n"
        f"MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\n"
        f"Content-Type: text/plain\r\n\r\n"
        f"Your message could not be delivered to {recipient}.\r\n"
        f"\r\n--{boundary}\r\n"
        f"Content-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; {mta}\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Action: failed\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} User unknown\r\n"
        f"\r\n--{boundary}\r\n"
        f"Content-Type: text/rfc822-headers\r\n\r\n"
        f"From: {SUPPORT_ADDRESS}\r\n"
        f"To: {recipient}\r\n"
        f"Message-ID: <{original_message_id}>\r\n"
        f"Subject: Re: Router restarts every hour\r\n"
        f"\r\n--{boundary}--\r\n"
    ).encode()
