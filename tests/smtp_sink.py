"""A real SMTP server in the test's own process (aiosmtpd), for the checks that connect and
log in before a mailbox is saved. It accepts every message and keeps none."""

import contextlib
import socket

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

SMTP_USER, SMTP_PASSWORD = "desk", "rk7-smtp-pass"  # noqa: S105 - the test server's account


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535


@contextlib.contextmanager
def running_smtp_server():
    """The server on 127.0.0.1 (its ``port`` on the yielded controller), with one account,
    whose login is allowed without TLS: it never leaves the machine."""
    controller = Controller(
        Sink(),
        hostname="127.0.0.1",
        port=unused_port(),
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
