"""Mail in from an MTA: ``sampark mail listen``, an SMTP (or, with ``--lmtp``, LMTP) server
that Postfix, Exim or a forwarding rule delivers to.

It answers only after the message is stored: 250 once the ingestion service committed it,
451 (try again later) when it could not be stored (the database or the disk failed), so that
the sending MTA keeps the message and retries; 552 for a message over
``SAMPARK_MAIL_MAX_BYTES``. Over LMTP each recipient gets its own reply, as LMTP asks.

Recipients: only the addresses of active mailboxes (and their tagged forms,
``support+anything@``), each answered with 550 otherwise, so that mail to a mistyped or
made-up address bounces at the sender instead of becoming a ticket. With ``accept_any``
(``--accept-any``) every recipient is accepted and mail to an unknown one goes to the default
mailbox. The listener never relays: what it accepts is only ever taken in.

It has no authentication and no TLS of its own: run it on the loopback interface or a trusted
network, behind the MTA that faces the internet.
"""

from __future__ import annotations

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from .models import InboundMessage, Mailbox
from .services import matching
from .services.ingest import Ingested, ingest

logger = logging.getLogger("sampark.mail.listen")


def _accepted(address: str, accept_any: bool) -> bool | None:
    """Whether mail to ``address`` is taken: True, False (no such mailbox here), None (the
    database cannot tell now)."""
    close_old_connections()
    try:
        addresses = set(Mailbox.objects.filter(active=True).values_list("address", flat=True))
    except Exception:
        logger.exception("listener: the mailboxes could not be read")
        return None
    finally:
        close_old_connections()
    if accept_any:
        return True
    base, _tag = matching.split_address(address)
    return base in {a.lower() for a in addresses}


def _store(raw: bytes, recipients: tuple[str, ...]) -> Ingested:
    close_old_connections()
    try:
        return ingest(raw, via=InboundMessage.Via.LISTENER, recipients=recipients)
    finally:
        close_old_connections()


class Handler:
    """aiosmtpd's handler: checks each RCPT TO, and stores the message at DATA."""

    def __init__(self, *, lmtp: bool = False, accept_any: bool = False):
        self.lmtp = lmtp
        self.accept_any = accept_any

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        accepted = await sync_to_async(_accepted, thread_sensitive=False)(address, self.accept_any)
        if accepted is None:
            return "451 4.3.0 Mail cannot be taken in just now; try again later"
        if not accepted:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        recipients = tuple(envelope.rcpt_tos)
        if len(raw) > settings.SAMPARK_MAIL_MAX_BYTES:
            return self._reply(recipients, "552 5.3.4 Message too big for this system")
        try:
            result = await sync_to_async(_store, thread_sensitive=False)(raw, recipients)
        except Exception:  # the database or the disk: nothing stored, the MTA tries again
            logger.exception("listener: a message for %s could not be stored", recipients)
            return self._reply(
                recipients, "451 4.3.0 The message could not be stored; try again later"
            )
        logger.info("listener: %s: %s", ", ".join(recipients), result.line())
        return self._reply(recipients, f"250 2.0.0 Stored: {result.line()}")

    def _reply(self, recipients: tuple[str, ...], line: str) -> str:
        """SMTP: one reply for the message. LMTP: one per recipient, in their order."""
        if not self.lmtp:
            return line
        return "\r\n".join(line for _recipient in recipients) or line


class Listener(Controller):
    """The listener on ``host``:``port``, served from a thread of its own (``start()`` and
    ``stop()``); ``lmtp`` selects LMTP."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int,
        lmtp: bool = False,
        accept_any: bool = False,
    ):
        self.lmtp = lmtp
        super().__init__(
            Handler(lmtp=lmtp, accept_any=accept_any),
            hostname=host,
            port=port,
            data_size_limit=settings.SAMPARK_MAIL_MAX_BYTES,
            decode_data=False,
            enable_SMTPUTF8=True,
            ident="Sampark",
        )

    def factory(self):
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)
