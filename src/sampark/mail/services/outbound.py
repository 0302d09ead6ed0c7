"""Email out: an agent's public replies and the acknowledgement of a new ticket.

**Nothing is silently lost.** A message to send is a row (:class:`OutboundMessage`) written in
the same transaction as what caused it: the reply's ``ticket_message`` event (an
in-transaction subscriber), or the ingestion of the mail that opened the ticket. The worker
sends due rows every round (:func:`deliver_due`), outside any transaction, and records what
became of each: sent; retrying after a pause that grows (``SAMPARK_MAIL_RETRY_MINUTES``); or
failed, with the server's reason, on the ticket's timeline and in its owner's notifications.

**At least once.** A row is claimed by moving its next attempt a lease ahead (a conditional
update, SKIP LOCKED on PostgreSQL), then sent, then marked. A worker that dies between the
send and the mark leaves the row due again when the lease ends, and it is sent again: the
customer may get a message twice (with the same Message-ID, which mail clients fold), never
zero times.

**Undo send.** A reply waits ``mailbox.undo_seconds`` before it is due. Until then its author
can take it back (:func:`undo_send`): the row is withdrawn with a conditional update that
loses to the worker's claim, so a message is either taken back or sent, never both.

**Threading.** Each message has a Message-ID of our own, remembered as the ticket's; a reply
carries In-Reply-To (the customer's latest message) and References (the ticket's chain), and
a Reply-To with the signed address ``support+N.sig@``, so the customer's answer finds its
ticket whatever their mail client keeps.

**Loops.** An acknowledgement is never sent to mail that is automatic, bulk, from a list, from
a mailer daemon or no-reply address, or from one of our own addresses, and at most
``SAMPARK_MAIL_AUTO_REPLIES_PER_SENDER`` go to one address (counted in the database, so every
process sees the same count). It carries ``Auto-Submitted: auto-replied`` and
``X-Auto-Response-Suppress: All`` so that other systems do not answer it either.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from sampark.api.ratelimit import parse_rate
from sampark.core import clock, events
from sampark.core.errors import Conflict, Forbidden, NotFound
from sampark.customers.models import Contact, Identity
from sampark.db.inserts import insert
from sampark.db.prepared import Prepared
from sampark.notifications.services import notify
from sampark.tickets import access
from sampark.tickets import services as tickets
from sampark.tickets.models import Attachment, Channel, Ticket, TicketEvent

from ..connections import ConnectionProblem, smtp_connection
from ..models import InboundMessage, Mailbox, OutboundMessage, new_message_id
from ..parsing import ParsedMail
from . import matching

logger = logging.getLogger("sampark.mail.outbound")

Kind = TicketEvent.Kind
Status = OutboundMessage.Status
DUE = (Status.QUEUED, Status.RETRYING)
# A claimed row is someone's for this long; a worker that died holding it lets it go then.
LEASE = timedelta(minutes=10)
BATCH = 50
# The earlier messages quoted under a reply, newest first.
QUOTED_MESSAGES = 5
# References keeps the first Message-ID of the conversation and the latest ones.
REFERENCES_KEPT = 12
TOOK_MAIL = (
    InboundMessage.Outcome.CREATED,
    InboundMessage.Outcome.APPENDED,
    InboundMessage.Outcome.FOLLOW_UP,
)


# --- queueing a reply ----------------------------------------------------------------------


def connect() -> None:
    """Queue an email for every public agent reply on an email ticket, in the reply's own
    transaction (``MailConfig.ready``)."""
    events.subscribe_in_transaction("ticket_message", _queue_in_transaction, recover=_queue_later)


def _queue_in_transaction(_subject, *, event_id: int, kind: str, **_payload) -> None:
    if kind == Kind.MESSAGE_OUT:
        queue_reply(event_id)


def _queue_later(*, event_id: int, kind: str, **_payload) -> None:
    """Should queueing fail inside the reply's transaction, the reply still commits and is
    queued here, after commit (``queue_reply`` does nothing twice)."""
    if kind == Kind.MESSAGE_OUT:
        with transaction.atomic():
            queue_reply(event_id)


@dataclass
class _Thread:
    """What a ticket's mail so far tells: the mailbox it came to, the address the requester
    last wrote from, the customer's latest Message-ID, and every Message-ID, oldest first."""

    mailbox: Mailbox | None = None
    requester_address: str = ""
    last_inbound_id: str = ""
    message_ids: list[str] = field(default_factory=list)
    by_email: bool = False


def _thread_of(ticket: Ticket) -> _Thread:
    thread = _Thread(by_email=ticket.channel == Channel.EMAIL)
    own = {
        value.lower()
        for value in Identity.objects.filter(
            contact_id=ticket.requester_id, kind=Identity.Kind.EMAIL
        ).values_list("value", flat=True)
    }
    inbound = (
        InboundMessage.objects.filter(ticket=ticket, outcome__in=TOOK_MAIL)
        .select_related("mailbox")
        .order_by("id")
    )
    timed: list[tuple[datetime, str]] = []
    for mail in inbound.only("sender", "message_id", "mailbox", "received_at"):
        thread.by_email = True
        if thread.mailbox is None and mail.mailbox is not None and mail.mailbox.active:
            thread.mailbox = mail.mailbox
        if mail.sender.lower() in own:
            thread.requester_address = mail.sender
        if mail.message_id:
            thread.last_inbound_id = mail.message_id
            timed.append((mail.received_at, mail.message_id))
    sent = OutboundMessage.objects.filter(ticket=ticket).exclude(status=Status.CANCELLED)
    timed.extend(sent.values_list("created_at", "message_id"))
    thread.message_ids = [message_id for _at, message_id in sorted(timed)]
    if not thread.requester_address:
        addresses = Identity.objects.filter(
            contact_id=ticket.requester_id, kind=Identity.Kind.EMAIL
        ).order_by(F("bounced_at").asc(nulls_first=True), "id")
        thread.requester_address = addresses.values_list("value", flat=True).first() or ""
    if thread.mailbox is None:
        thread.mailbox = Mailbox.objects.filter(is_default=True, active=True).first()
    return thread


def _references(message_ids: list[str]) -> str:
    if len(message_ids) > REFERENCES_KEPT:
        message_ids = [message_ids[0], *message_ids[-(REFERENCES_KEPT - 1) :]]
    return " ".join(message_ids)


def _from_address(mailbox: Mailbox | None) -> str:
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((mailbox.display_name or mailbox.name, mailbox.address))


def _reply_subject(ticket: Ticket) -> str:
    subject = matching.SUBJECT_TOKEN.sub("", ticket.subject).strip()
    if not subject.lower().startswith(("re:", "aw:", "उत्तर:")):
        subject = f"Re: {subject}"
    return f"{subject} [#{ticket.number}]"[:255]


def _followers_addresses(ticket: Ticket, excluding: set[str]) -> list[str]:
    """One working address of each follower: bounced addresses are left out."""
    rows = Identity.objects.filter(
        contact__followed_tickets=ticket, kind=Identity.Kind.EMAIL, bounced_at__isnull=True
    ).order_by("contact_id", "id")
    cc, seen_contacts = [], set()
    for contact_id, value in rows.values_list("contact_id", "value"):
        if contact_id in seen_contacts or value.lower() in excluding:
            continue
        seen_contacts.add(contact_id)
        cc.append(value)
    return cc


def _zone(contact: Contact) -> ZoneInfo:
    try:
        return ZoneInfo(contact.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _writer(event: TicketEvent, mailbox: Mailbox | None) -> str:
    if event.kind == Kind.MESSAGE_IN:
        return event.contact.name if event.contact_id else _("the customer")
    name = (event.actor.get_full_name() or "") if event.actor_id else ""
    team = (mailbox.display_name or mailbox.name) if mailbox else ""
    if name and team:
        return f"{name} ({team})"
    return name or team or "Sampark"


def quoted_history(ticket: Ticket, before: TicketEvent, mailbox: Mailbox | None) -> str:
    """The conversation under a reply, newest first, each message under an "On <date>,
    <name> wrote:" line in the requester's language, the date in their time zone. Withdrawn
    replies never reached the customer and are not quoted."""
    contact = ticket.requester
    withdrawn = {
        event_data.get("event")
        for event_data in TicketEvent.objects.filter(
            ticket=ticket, kind=Kind.REPLY_WITHDRAWN
        ).values_list("data", flat=True)
    }
    earlier = (
        TicketEvent.objects.filter(
            ticket=ticket, kind__in=(Kind.MESSAGE_IN, Kind.MESSAGE_OUT), id__lt=before.pk
        )
        .exclude(pk__in=[pk for pk in withdrawn if pk])
        .select_related("actor", "contact")
        .order_by("-id")[:QUOTED_MESSAGES]
    )
    zone = _zone(contact)
    blocks = []
    with translation.override(contact.language or "en"):
        for event in earlier:
            when = dateformat.format(timezone.localtime(event.created_at, zone), "j F Y, H:i")
            header = _("On %(date)s, %(name)s wrote:") % {
                "date": when,
                "name": _writer(event, mailbox),
            }
            lines = "\n".join(f"> {line}".rstrip() for line in event.body.splitlines())
            blocks.append(f"{header}\n{lines}")
    return "\n\n".join(blocks)


def queue_reply(event_id: int) -> OutboundMessage | None:
    """The email for the public reply ``event_id``, queued to leave once its undo window has
    passed; None when the ticket is not an email conversation or the requester has no
    address. Inside the caller's transaction; a second call returns the first row."""
    existing = OutboundMessage.objects.filter(event_id=event_id).first()
    if existing is not None:
        return existing
    event = TicketEvent.objects.select_related("ticket__requester", "actor").get(pk=event_id)
    ticket = event.ticket
    thread = _thread_of(ticket)
    if not thread.by_email or not thread.requester_address:
        return None
    mailbox = thread.mailbox
    ours = {m.lower() for m in Mailbox.objects.values_list("address", flat=True)}
    to = thread.requester_address
    cc = _followers_addresses(ticket, {to.lower(), *ours})
    history = quoted_history(ticket, event, mailbox)
    body = f"{event.body.rstrip()}\n\n{history}\n" if history else f"{event.body.rstrip()}\n"
    now = clock.now()
    delay = mailbox.undo_seconds if mailbox else 0
    domain = mailbox.address.partition("@")[2] if mailbox else ""
    row = OutboundMessage.objects.create(
        mailbox=mailbox,
        ticket=ticket,
        event=event,
        kind=OutboundMessage.Kind.REPLY,
        author=event.actor,
        from_address=_from_address(mailbox),
        reply_to=matching.reply_address(mailbox, ticket) if mailbox else "",
        to_address=to.lower(),
        recipients=[to],
        cc=cc,
        subject=_reply_subject(ticket),
        message_id=new_message_id(domain),
        in_reply_to=thread.last_inbound_id,
        references=_references(thread.message_ids),
        body=body,
        language=ticket.requester.language,
        next_attempt_at=event.created_at + timedelta(seconds=delay),
        created_at=now,
    )
    matching.remember(row.message_id, row.ticket_id, outbound=True)
    return row


# --- acknowledgements ----------------------------------------------------------------------


def never_answer(parsed: ParsedMail, ours: set[str]) -> str:
    """Why ``parsed`` must get no automatic answer ("" when it may): it is automatic, bulk or
    from a list or a daemon (the parser's verdict), has an empty return path (a bounce or
    another report, RFC 3834), or comes from one of our own addresses."""
    if parsed.kind != "message":
        return parsed.kind
    if parsed.auto_submitted:
        return parsed.auto_reason or "auto-submitted"
    headers = parsed.headers
    if any(name.lower() == "return-path" and value.strip() == "<>" for name, value in headers):
        return "null return path"
    sender = parsed.sender.address if parsed.sender else ""
    if not sender:
        return "no sender"
    if matching.split_address(sender)[0] in ours:
        return "our own address"
    return ""


# Up to ``allowed`` acknowledgements sent to an address since a moment: every new ticket by
# mail asks, so it is compiled once.
_acknowledged = Prepared(
    lambda address, since, *, allowed: OutboundMessage.objects.filter(
        kind=OutboundMessage.Kind.ACKNOWLEDGEMENT, to_address=address, created_at__gt=since
    ).values_list("pk")[:allowed],
    str,
    datetime,
)


def _over_limit(address: str, now) -> bool:
    rate = parse_rate(settings.SAMPARK_MAIL_AUTO_REPLIES_PER_SENDER)
    if rate is None:
        return False
    allowed, seconds = rate
    return len(_acknowledged(address, now - timedelta(seconds=seconds), allowed=allowed)) >= allowed


def acknowledge(
    ticket: Ticket, parsed: ParsedMail, mailbox: Mailbox | None, ours: set[str]
) -> OutboundMessage | None:
    """Queue the acknowledgement of a ticket that ``parsed`` opened, in the contact's
    language, when the mailbox sends them and the loop rules allow it; None otherwise.
    Inside the ingestion's transaction, so it is queued exactly when the ticket is."""
    if mailbox is None or not mailbox.auto_reply:
        return None
    why_not = never_answer(parsed, ours)
    if why_not:
        logger.info("no acknowledgement for #%s: %s", ticket.number, why_not)
        return None
    address = parsed.sender.address.lower()
    now = clock.now()
    if _over_limit(address, now):
        logger.info("no acknowledgement for #%s: %s had enough", ticket.number, address)
        return None
    contact = ticket.requester
    team = mailbox.display_name or mailbox.name
    with translation.override(contact.language or "en"):
        subject = _("We received your request [#%(number)s]: %(subject)s") % {
            "number": ticket.number,
            "subject": ticket.subject,
        }
        body = _(
            "Hello %(name)s,\n\n"
            "Thank you for writing to us. We have received your message and opened ticket "
            "#%(number)s. An agent will reply to you soon.\n\n"
            "To add anything, reply to this email and keep [#%(number)s] in the subject.\n\n"
            "%(team)s\n\n"
            "This is an automatic message."
        ) % {"name": contact.name, "number": ticket.number, "team": team}
    row = OutboundMessage(
        mailbox=mailbox,
        ticket=ticket,
        kind=OutboundMessage.Kind.ACKNOWLEDGEMENT,
        from_address=_from_address(mailbox),
        reply_to=matching.reply_address(mailbox, ticket),
        to_address=address,
        recipients=[parsed.sender.address],
        subject=subject[:255],
        message_id=new_message_id(mailbox.address.partition("@")[2]),
        in_reply_to=parsed.message_id,
        references=parsed.message_id,
        body=body,
        language=contact.language,
        next_attempt_at=now,
        created_at=now,
    )
    insert([row])  # one prepared INSERT, not create()'s compiled anew
    matching.remember(row.message_id, row.ticket_id, outbound=True)
    return row


# --- undo send -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Withdrawn:
    ticket_id: int
    text: str


def undo_send(agent, outbound_id: int) -> Withdrawn:
    """Take back a reply still in its undo window: it is never sent, the timeline says it was
    withdrawn, and its text comes back to the caller (the workspace puts it in the agent's
    draft). Only its author may; after the window (or once the worker has claimed it) the
    answer is a Conflict saying it has left."""
    with transaction.atomic():
        row = (
            OutboundMessage.objects.select_related("ticket", "event")
            .filter(pk=outbound_id, kind=OutboundMessage.Kind.REPLY)
            .first()
        )
        if row is None or not access.can_see(agent, row.ticket):
            raise NotFound(_("No such message."))
        if row.author_id != agent.pk:
            raise Forbidden(_("Only the agent who wrote a reply may take it back."))
        if row.status == Status.CANCELLED:
            raise Conflict(_("This reply was already taken back."))
        taken = OutboundMessage.objects.filter(
            pk=row.pk, status=Status.QUEUED, attempts=0, next_attempt_at__gt=clock.now()
        ).update(status=Status.CANCELLED, next_attempt_at=None)
        if not taken:
            raise Conflict(_("This reply has already been sent; it can no longer be taken back."))
        tickets.withdraw_reply(row.ticket_id, row.event_id, agent=agent)
        return Withdrawn(row.ticket_id, row.event.body if row.event else row.body)


# --- delivery ------------------------------------------------------------------------------


@dataclass
class DeliveryRound:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __bool__(self) -> bool:
        return bool(self.sent or self.retrying or self.failed)


def retry_pauses() -> tuple[timedelta, ...]:
    return tuple(timedelta(minutes=m) for m in settings.SAMPARK_MAIL_RETRY_MINUTES)


def _claim(now, limit: int) -> list[OutboundMessage]:
    """The due rows, each made this worker's for :data:`LEASE` (its next attempt moved past
    the lease, its attempt counted); other workers skip rows being claimed. With nothing due
    (most rounds) it is one read on the partial index and no write transaction: on SQLite
    each one takes the whole database's write lock."""
    if not OutboundMessage.objects.filter(status__in=DUE, next_attempt_at__lte=now).exists():
        return []
    with transaction.atomic():
        due = OutboundMessage.objects.filter(status__in=DUE, next_attempt_at__lte=now)
        due = due.order_by("next_attempt_at", "id").select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutboundMessage.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
    return list(OutboundMessage.objects.filter(pk__in=ids).select_related("mailbox").order_by("id"))


def email_of(row: OutboundMessage) -> EmailMessage:
    """The message as it goes on the wire."""
    headers = {"Message-ID": f"<{row.message_id}>"}
    if row.in_reply_to:
        headers["In-Reply-To"] = f"<{row.in_reply_to}>"
    if row.references:
        headers["References"] = " ".join(f"<{r}>" for r in row.references.split())
    if row.language:
        headers["Content-Language"] = row.language
    if row.kind == OutboundMessage.Kind.ACKNOWLEDGEMENT:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    message = EmailMessage(
        subject=row.subject,
        body=row.body,
        from_email=row.from_address or settings.DEFAULT_FROM_EMAIL,
        to=row.recipients,
        cc=row.cc or None,
        reply_to=[row.reply_to] if row.reply_to else None,
        headers=headers,
    )
    if row.event_id:
        for attachment in Attachment.objects.filter(event_id=row.event_id).order_by("id"):
            with attachment.file.open("rb") as stored:
                message.attach(attachment.filename, stored.read(), attachment.content_type)
    return message


def _reason(error: Exception) -> tuple[str, bool]:
    """The failure in words, and whether it is permanent (a 5xx answer about the message or
    its recipients; a refused login or a server that is down is worth another try)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts, codes = [], []
        for address, (code, text) in error.recipients.items():
            codes.append(code)
            parts.append(f"{address}: {code} {_text(text)}")
        return "; ".join(parts), bool(codes) and all(500 <= c < 600 for c in codes)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"{error.smtp_code} {_text(error.smtp_error)}", False
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}", 500 <= error.smtp_code < 600
    return str(error) or error.__class__.__name__, False


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def deliver_due(*, now=None, limit: int = BATCH) -> DeliveryRound:
    """Send the rows that are due, one connection per mailbox, and record each outcome.
    Called by the worker every round; the sending happens outside any transaction."""
    now = now or clock.now()
    rows = _claim(now, limit)
    result = DeliveryRound()
    connections: dict[int | None, object] = {}
    try:
        for row in rows:
            error = None
            try:
                connection = connections.get(row.mailbox_id)
                if connection is None:
                    connection = connections[row.mailbox_id] = smtp_connection(row.mailbox)
                connection.send_messages([email_of(row)])
            except (ConnectionProblem, smtplib.SMTPException, OSError) as problem:
                error = problem
                # A session that failed is not reused: the next message opens a fresh one.
                stale = connections.pop(row.mailbox_id, None)
                with contextlib.suppress(Exception):
                    if stale is not None:
                        stale.close()
            except Exception as problem:  # a fault of ours (a missing attachment file, ...)
                logger.exception("outbound message %s could not be built", row.pk)
                error = problem
            _record(row, error, result)
    finally:
        for connection in connections.values():
            with contextlib.suppress(Exception):
                connection.close()
    return result


def _record(row: OutboundMessage, error: Exception | None, result: DeliveryRound) -> None:
    now = clock.now()
    mine = OutboundMessage.objects.filter(pk=row.pk, attempts=row.attempts, status__in=DUE)
    if error is None:
        mine.update(status=Status.SENT, sent_at=now, next_attempt_at=None, last_error="")
        result.sent += 1
        return
    reason, permanent = _reason(error)
    pauses = retry_pauses()
    if not permanent and row.attempts <= len(pauses):
        mine.update(
            status=Status.RETRYING,
            next_attempt_at=now + pauses[row.attempts - 1],
            last_error=reason[:2000],
        )
        result.retrying += 1
        logger.info("outbound %s: attempt %s failed (%s)", row.pk, row.attempts, reason)
        return
    with transaction.atomic():
        if mine.update(status=Status.FAILED, next_attempt_at=None, last_error=reason[:2000]):
            _tell_the_ticket(row, reason)
    result.failed += 1
    logger.warning("outbound %s failed for good: %s", row.pk, reason)


def _tell_the_ticket(row: OutboundMessage, reason: str) -> None:
    """A message given up is never silent: a delivery failure on the timeline, and the
    owner is told."""
    tickets.record_notice(
        row.ticket_id,
        kind=Kind.BOUNCE,
        body=reason,
        data={
            "outbound": row.pk,
            "recipients": [*row.recipients, *row.cc],
            "permanent": True,
            "attempts": row.attempts,
        },
    )
    ticket = Ticket.objects.select_related("owner").get(pk=row.ticket_id)
    if ticket.owner_id is not None:
        with translation.override(_language_of(ticket.owner)):
            title = _("An email on #%(number)s could not be delivered") % {"number": ticket.number}
        notify([ticket.owner], kind="mail_failed", title=title, body=reason[:500], ticket=ticket)


def _language_of(user) -> str:
    profile = getattr(user, "agent", None)
    return getattr(profile, "language", "") or settings.LANGUAGE_CODE
