"""Email in: every path (IMAP, the SMTP/LMTP listener, the pipe) hands the raw bytes here.

What comes in is stored before it is read and is never dropped. Each message ends as exactly
one :class:`~sampark.mail.models.InboundMessage`, whatever happens to it:

- a new ticket, a message on an existing one, or a follow-up ticket of a closed one;
- a delivery failure or an automatic reply, recorded on the ticket it answers (no reopen, no
  SLA effect);
- rejected with its reason (no sender, our own address, too large), or unreadable: stored raw
  and flagged for a person.

Idempotent: the key is the Message-ID, or the digest of the bytes when there is none. The same
message arriving again, by any path, is reported as a duplicate and changes nothing. The record
and everything it causes commit in one transaction, so a process killed half-way leaves no
trace but the raw file, and the message is taken in whole when it is delivered again (IMAP marks
a message only after the commit; an MTA retries a pipe or LMTP delivery that did not finish).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sampark.core import clock
from sampark.core.errors import DomainError, InvalidInput
from sampark.core.language import detect_language
from sampark.core.text import storable
from sampark.customers import services as customers
from sampark.customers.models import Contact
from sampark.customers.services import RequesterDetails
from sampark.db import configuration, transactions
from sampark.db.inserts import insert
from sampark.db.prepared import Prepared
from sampark.tickets import services as tickets
from sampark.tickets.models import Channel, Status, Ticket, TicketEvent

from .. import parsing
from ..models import InboundMessage, Mailbox, OutboundMessage
from ..parsing import Address, ParsedMail
from . import matching, outbound

logger = logging.getLogger("sampark.mail")

Outcome = InboundMessage.Outcome
Kind = TicketEvent.Kind


@dataclass(frozen=True, slots=True)
class Ingested:
    """What became of one message: ``outcome`` (an :class:`InboundMessage.Outcome`, or
    "duplicate"), the ticket it went to, and the reason when it was rejected or unreadable."""

    outcome: str
    ticket_number: int | None = None
    inbound_id: int | None = None
    reason: str = ""

    @property
    def stored(self) -> bool:
        """The message is kept (once), whatever its outcome."""
        return self.inbound_id is not None

    def line(self) -> str:
        """One line for ``sampark mail ingest``."""
        n = self.ticket_number
        if self.outcome == "duplicate":
            return f"duplicate (#{n})" if n else "duplicate"
        if self.outcome == Outcome.CREATED:
            return f"stored as ticket #{n}"
        if self.outcome == Outcome.APPENDED:
            return f"appended to #{n}"
        if self.outcome == Outcome.FOLLOW_UP:
            return f"stored as ticket #{n} ({self.reason})"
        if self.outcome in (Outcome.BOUNCE, Outcome.AUTO_REPLY):
            where = f" on #{n}" if n else " (no ticket matched)"
            return f"{Outcome(self.outcome).label.lower()}{where}"
        return f"{self.outcome}: {self.reason}"


class _Rejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def message_key(message_id: str, sha256: str) -> str:
    """The idempotency key: the Message-ID (hashed when too long to index), else the digest."""
    if not message_id:
        return f"sha256:{sha256}"
    key = f"mid:{message_id}"
    return key if len(key) <= 255 else f"mid-sha256:{matching.reference_digest(message_id)}"


@dataclass(frozen=True, slots=True)
class Received:
    """A message read and kept on disk, not yet stored in the database: what :func:`receive`
    makes of the raw bytes. It needs no database, so ``sampark mail ingest`` reads the next
    messages in other processes while this one stores (see :mod:`sampark.mail.cli`)."""

    sha256: str
    size: int
    raw_name: str  # the raw file, under the media storage
    parsed: ParsedMail | None  # None: not readable at all
    failure: str  # why it cannot become part of a ticket (unreadable, too large), or ""

    @property
    def key(self) -> str:
        return message_key(self.parsed.message_id if self.parsed else "", self.sha256)


def receive(raw: bytes) -> Received:
    """Parse ``raw`` and keep its bytes on disk (once, named by their digest): everything of
    taking in a message that is not the database's."""
    sha256 = hashlib.sha256(raw).hexdigest()
    too_large = len(raw) > settings.SAMPARK_MAIL_MAX_BYTES
    try:
        parsed = parsing.parse(raw[: 64 * 1024] if too_large else raw)
    except Exception as error:  # the parser never raises; should it, the bytes are kept
        logger.exception("mail parser failed on %s", sha256)
        parsed, failure = None, _("The message could not be read: %(error)s") % {"error": error}
    else:
        failure = ""
        parsed = _storable(parsed)
    if too_large:
        failure = _("The message is %(size)d bytes; the limit is %(limit)d.") % {
            "size": len(raw),
            "limit": settings.SAMPARK_MAIL_MAX_BYTES,
        }
    return Received(sha256, len(raw), _keep_raw(raw, sha256), parsed, failure)


# The message already stored under a key, as (its record's id, its ticket's number).
_stored_under = Prepared(
    lambda key: InboundMessage.objects.filter(key=key).values_list("pk", "ticket__number")[:1],
    str,
)


def _duplicate(key: str) -> Ingested | None:
    """The outcome for a message whose key is already stored, else None."""
    for inbound_id, number in _stored_under(key):
        return Ingested("duplicate", ticket_number=number, inbound_id=inbound_id)
    return None


@configuration.cached
def _mailboxes() -> tuple[Mailbox, ...]:
    """Every mailbox with its group, as addressing and acknowledging read them, kept until the
    configuration changes (shared: read-only). The columns that polling writes as routine, and
    the passwords, are left out."""
    return tuple(
        Mailbox.objects.select_related("group").defer(
            "imap_password", "smtp_password", *configuration.UNWATCHED["mail.Mailbox"]
        )
    )


def ingest(raw: bytes, *, via: str, recipients: tuple[str, ...] = ()) -> Ingested:
    """Store and take in one message. ``recipients``: the envelope's RCPT TO when the path
    knows it (the listener); otherwise the mailbox is found from the headers. Raises only when
    the message could not be stored at all (the database or the disk failed)."""
    return take_in(receive(raw), via=via, recipients=recipients)


def take_in(received: Received, *, via: str, recipients: tuple[str, ...] = ()) -> Ingested:
    """Store a message that :func:`receive` read, and what it causes: a ticket, a reply, a
    duplicate noted, or a record flagged for a person."""
    parsed, failure, key = received.parsed, received.failure, received.key
    if duplicate := _duplicate(key):
        return duplicate
    record = InboundMessage(
        key=key,
        message_id=parsed.message_id if parsed else "",
        sha256=received.sha256,
        size=received.size,
        raw=received.raw_name,
        via=via,
        sender=(parsed.sender.address if parsed and parsed.sender else "")[:254],
        subject=(parsed.subject if parsed else "")[:255],
        kind=parsed.kind if parsed else "",
        received_at=clock.now(),
    )
    mailboxes = _mailboxes()
    addressed = _addressed(parsed, recipients) if parsed else list(recipients)
    record.mailbox = matching.mailbox_for(addressed, mailboxes)
    if failure:
        return _keep_for_a_person(record, Outcome.FAILED, failure)
    ours = {m.address.lower() for m in mailboxes}
    try:
        return _take_in_once_or_twice(record, parsed, addressed, ours)
    except _Rejected as rejected:
        return _keep_for_a_person(record, Outcome.REJECTED, rejected.reason)
    except DomainError as error:
        return _keep_for_a_person(record, Outcome.REJECTED, error.message)
    except Exception as error:  # IntegrityError twice, or a fault of ours: kept for a person
        logger.exception("mail %s could not be taken in", key)
        return _keep_for_a_person(
            record,
            Outcome.FAILED,
            _("The message could not be taken in: %(error)s") % {"error": error},
        )


def _take_in_once_or_twice(
    record: InboundMessage, parsed: ParsedMail, addressed: list[str], ours: set
) -> Ingested:
    """One transaction, all or nothing (the services it calls join it without savepoints of
    their own): the record, then what it causes. A clash on a unique key is either
    the same message stored meanwhile by another path (a duplicate), or another message that
    created the same contact at the same moment (on PostgreSQL): then once more, and it finds
    that contact."""
    for attempt in (1, 2):
        try:
            with transactions.all_or_nothing():
                record.pk, record._state.adding = None, True
                insert([record])
                return _take_in(record, parsed, addressed, ours)
        except IntegrityError:
            if duplicate := _duplicate(record.key):
                return duplicate
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _storable(value):
    """The parsed message with every text fit for the database (see ``storable``)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, tuple):
        return tuple(_storable(item) for item in value)
    if dataclasses.is_dataclass(value):
        changes = {}
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            if isinstance(current, str | tuple) or dataclasses.is_dataclass(current):
                cleaned = _storable(current)
                if cleaned != current:
                    changes[field.name] = cleaned
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _keep_raw(raw: bytes, sha256: str) -> str:
    """Write the bytes once, named by their digest (a message delivered twice is one file).

    On the local disk the file appears whole or not at all: the bytes go to a temporary name
    first, then take the final one (``os.replace``). A process killed while writing leaves no
    truncated ``.eml`` under the final name for the next delivery to trust, and two processes
    writing the same message at once each put the same whole file in place."""
    name = f"mail/raw/{sha256[:2]}/{sha256}.eml"
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:  # a storage without local paths saves whole files itself
        if not default_storage.exists(name):
            saved = default_storage.save(name, ContentFile(raw))
            if saved != name:  # another process wrote the same bytes meanwhile
                default_storage.delete(saved)
        return name
    if path.is_file() and path.stat().st_size == len(raw):
        return name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        partial.write_bytes(raw)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return name


def _keep_for_a_person(record: InboundMessage, outcome: str, reason: str) -> Ingested:
    """Store the record of a message that did not become part of a ticket, flagged."""
    record.pk = None
    record.outcome, record.reason, record.needs_attention = outcome, reason, True
    record.ticket = record.event = None
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        if duplicate := _duplicate(record.key):
            return duplicate
        raise
    return Ingested(outcome, inbound_id=record.pk, reason=reason)


def _finish(
    record: InboundMessage,
    outcome: str,
    ticket: Ticket | None,
    event: TicketEvent | None,
    reason: str = "",
) -> Ingested:
    record.outcome, record.reason, record.ticket, record.event = outcome, reason, ticket, event
    record.save(update_fields=["outcome", "reason", "ticket", "event"])
    if ticket is not None and record.message_id:
        matching.remember(record.message_id, ticket.pk, outbound=False)
    return Ingested(
        outcome,
        ticket_number=ticket.number if ticket else None,
        inbound_id=record.pk,
        reason=reason,
    )


def _take_in(
    record: InboundMessage, parsed: ParsedMail, addressed: list[str], ours: set
) -> Ingested:
    """Everything the message causes, inside the transaction that inserted its record."""
    if parsed.kind == "bounce":
        return _bounce(record, parsed)
    sender = parsed.sender
    if sender is None or not sender.address:
        raise _Rejected(_("The message has no usable sender address."))
    if matching.split_address(sender.address)[0] in ours:
        raise _Rejected(_("The message comes from one of our own addresses (a mail loop)."))
    known = _known_ticket(parsed, addressed)
    if parsed.kind == "auto_reply":
        return _auto_reply(record, parsed, known)
    contact, created = customers.find_or_create_contact(_requester(sender, parsed))
    if known is None and (ticket := matching.ticket_by_subject(parsed.subject, contact)):
        known = matching.live_ticket(ticket)
    customers.clear_bounce(sender.address)
    if known is not None and known.status != Status.CLOSED:
        event = tickets.add_message(
            known.pk,
            body=_body(parsed),
            contact=contact,
            channel=Channel.EMAIL,
            data=_message_data(record, parsed),
            attachments=_attachments(parsed),
        )
        _follow(known, parsed, contact, ours)
        return _finish(record, Outcome.APPENDED, known, event)
    ticket = tickets.open_ticket(
        requester=contact,
        subject=_subject(parsed),
        description=_body(parsed),
        channel=Channel.EMAIL,
        group=record.mailbox.group if record.mailbox else None,
        message_data=_message_data(record, parsed),
        attachments=_attachments(parsed),
        follow_up_of=known,
        new_requester=created,
    )
    _follow(ticket, parsed, contact, ours)
    outbound.acknowledge(ticket, parsed, record.mailbox, ours)
    event = ticket.opening_message
    if known is not None:
        reason = _("follow-up of closed ticket #%(number)d") % {"number": known.number}
        return _finish(record, Outcome.FOLLOW_UP, ticket, event, reason)
    return _finish(record, Outcome.CREATED, ticket, event)


def _addressed(parsed: ParsedMail, recipients: tuple[str, ...]) -> list[str]:
    """Every address the message was sent to: the envelope's, then the headers'."""
    return [
        *recipients,
        *parsed.delivered_to,
        *(a.address for a in (*parsed.to, *parsed.cc) if a.address),
    ]


def _known_ticket(parsed: ParsedMail, addressed: list[str]) -> Ticket | None:
    """The ticket a reply continues, by its headers or by its signed reply address."""
    ticket = matching.ticket_by_references([*parsed.references, *parsed.in_reply_to])
    if ticket is None and (number := matching.signed_number(addressed)):
        ticket = Ticket.objects.filter(number=number).first()
    return matching.live_ticket(ticket) if ticket is not None else None


def _requester(sender: Address, parsed: ParsedMail) -> RequesterDetails:
    written_in = detect_language(f"{parsed.subject}\n{parsed.stripped}")
    return RequesterDetails(
        name=sender.name, email=sender.address, language="hi" if written_in == "hi" else ""
    )


def _follow(ticket: Ticket, parsed: ParsedMail, writer: Contact, ours: set[str]) -> None:
    """The other people on the mail (Cc, and To besides us) follow the ticket."""
    others = []
    for address in (*parsed.to, *parsed.cc):
        if not address.address or matching.split_address(address.address)[0] in ours:
            continue
        try:
            contact, _created = customers.find_or_create_contact(
                RequesterDetails(name=address.name, email=address.address)
            )
        except InvalidInput:
            continue  # an address that cannot be written to follows nothing
        if contact.pk != writer.pk:
            others.append(contact)
    if others:
        tickets.add_followers(ticket.pk, others)


def _subject(parsed: ParsedMail) -> str:
    subject = matching.SUBJECT_TOKEN.sub("", parsed.subject).strip()
    return subject[:255] or _("(no subject)")


def _body(parsed: ParsedMail) -> str:
    return parsed.stripped.strip() or parsed.text.strip() or _("(no text)")


# The quoted history kept on the event for the timeline's "show quoted text"; the whole
# message is always in the original (the raw file), so a longer history is cut here.
QUOTED_TEXT_MAX = 20_000


def _address_data(addresses: tuple[Address, ...]) -> list[dict]:
    return [{"name": a.name, "address": a.address} for a in addresses[:20] if a.address]


def _quoted_text(parsed: ParsedMail) -> str:
    """What quote stripping cut: the text after what is shown, or the whole text when the cut
    was not only at the end (answers between quoted lines)."""
    if not parsed.quoted:
        return ""
    text, shown = parsed.text.strip(), parsed.stripped.strip()
    rest = text[len(shown) :] if text.startswith(shown) else text
    return rest.strip("\n")[:QUOTED_TEXT_MAX]


def _message_data(record: InboundMessage, parsed: ParsedMail) -> dict:
    data = {"mail": record.pk, "message_id": parsed.message_id, "quoted": parsed.quoted}
    if parsed.sender is not None:
        data["from"] = _address_data((parsed.sender,))
    if parsed.cc:
        data["cc"] = _address_data(parsed.cc)
    if quoted_text := _quoted_text(parsed):
        data["quoted_text"] = quoted_text
    if parsed.forwarded:
        data["forwarded"] = True
    if parsed.html:
        data["html"] = True
    if parsed.skipped_attachments:
        data["skipped_attachments"] = [
            {"filename": s.filename, "size": s.size, "reason": s.reason}
            for s in parsed.skipped_attachments
        ]
    return data


def _attachments(parsed: ParsedMail) -> list[tickets.NewAttachment]:
    return [
        tickets.NewAttachment(
            filename=a.filename,
            content_type=a.content_type,
            declared_type=a.declared_type,
            data=a.data,
            content_id=a.content_id,
            inline=a.inline,
            note=a.note,
        )
        for a in parsed.attachments
    ]


def _bounce(record: InboundMessage, parsed: ParsedMail) -> Ingested:
    """A delivery failure: on the ticket whose mail bounced, the failed send marked, and the
    address flagged when the failure is permanent."""
    bounce = parsed.bounce
    original = bounce.original_message_id if bounce else ""
    ids = [original] if original else [*parsed.references, *parsed.in_reply_to]
    ticket = matching.ticket_by_references(ids)
    ticket = matching.live_ticket(ticket) if ticket else None
    recipients = list(bounce.recipients) if bounce else []
    diagnostic = (bounce.diagnostic or bounce.status) if bounce else ""
    reason = diagnostic or _("The message could not be delivered.")
    if original:
        OutboundMessage.objects.filter(message_id=original).update(
            status=OutboundMessage.Status.FAILED, last_error=reason[:2000]
        )
    if bounce and bounce.permanent:
        for address in recipients:
            try:
                customers.mark_bounced(address, reason=reason, at=record.received_at)
            except InvalidInput:
                continue
    event = None
    if ticket is not None:
        event = tickets.record_notice(
            ticket.pk,
            kind=Kind.BOUNCE,
            body=reason,
            data={
                "mail": record.pk,
                "recipients": recipients,
                "status": bounce.status if bounce else "",
                "permanent": bool(bounce and bounce.permanent),
            },
        )
    return _finish(record, Outcome.BOUNCE, ticket, event)


def _auto_reply(record: InboundMessage, parsed: ParsedMail, ticket: Ticket | None) -> Ingested:
    """An out-of-office or other automatic reply: noted on the ticket it answers, nothing more.
    One that answers no ticket of ours opens none (that is how mail loops start)."""
    event = None
    if ticket is not None:
        try:
            contact = customers.find_contact("email", parsed.sender.address)
        except (InvalidInput, AttributeError):  # no sender, or one that is no address
            contact = None
        event = tickets.record_notice(
            ticket.pk,
            kind=Kind.AUTO_REPLY,
            body=_body(parsed),
            contact=contact,
            data={"mail": record.pk, "subject": parsed.subject},
        )
    return _finish(record, Outcome.AUTO_REPLY, ticket, event)
