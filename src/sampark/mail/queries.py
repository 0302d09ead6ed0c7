"""Reads of the email channel: the mailboxes, the mail waiting for a person (served by the
partial index ``inbound_attention``), and what the ticket page and the API show of the email
sent on a ticket: each message's delivery state, in one query for a page of events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from sampark.api.pagination import decode_cursor, encode_cursor
from sampark.core import clock

from .models import InboundMessage, Mailbox, OutboundMessage

ATTENTION_PAGE = 50


def mailboxes():
    """Every mailbox, the default first, with its group."""
    return Mailbox.objects.select_related("group").order_by("-is_default", "address")


def mailbox_by_id(mailbox_id: int) -> Mailbox | None:
    return mailboxes().filter(pk=mailbox_id).first()


@dataclass(frozen=True, slots=True)
class AttentionPage:
    rows: list[InboundMessage]
    next_cursor: str | None


def attention_count() -> int:
    return InboundMessage.objects.filter(needs_attention=True).count()


def needing_attention(cursor: str | None = None, size: int | None = None) -> AttentionPage:
    """Flagged messages, newest first, a page at a time (keyset: the cursor is the last row's
    received time and id). InvalidInput for a cursor that is not one of ours."""
    size = size or ATTENTION_PAGE
    rows = InboundMessage.objects.filter(needs_attention=True).select_related("mailbox")
    if cursor:
        at, pk = decode_cursor(cursor, datetime, int)
        rows = rows.filter(Q(received_at__lt=at) | Q(received_at=at, id__lt=pk))
    page = list(rows.order_by("-received_at", "-id")[: size + 1])
    more = len(page) > size
    page = page[:size]
    last = page[-1] if more else None
    return AttentionPage(page, encode_cursor(last.received_at, last.pk) if last else None)


def flagged_message(inbound_id: int) -> InboundMessage | None:
    """A message waiting for a person; None for any other (dismissed, taken in, missing)."""
    return InboundMessage.objects.filter(pk=inbound_id, needs_attention=True).first()


Status = OutboundMessage.Status


@dataclass(frozen=True)
class Delivery:
    """Where one outbound message is. ``state``: "holding" (in its undo window, leaving in
    ``seconds_left``), "queued" (due, not sent yet), "retrying" (``attempts`` failed so far,
    ``error`` the latest reason), "sent", "failed" (given up, ``error`` says why) or
    "withdrawn" (taken back in its window, never sent)."""

    outbound_id: int
    ticket_id: int
    event_id: int | None
    kind: str
    state: str
    attempts: int
    seconds_left: int
    error: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    author_id: int | None
    recipients: list[str]
    cc: list[str]
    subject: str
    message_id: str

    @property
    def pending(self) -> bool:
        """Still changing on its own: the page asks again."""
        return self.state in ("holding", "queued", "retrying")

    @property
    def next_attempt(self) -> int:
        return self.attempts + 1


def delivery_of(row: OutboundMessage, now: datetime | None = None) -> Delivery:
    now = now or clock.now()
    state, seconds_left = row.status, 0
    if row.status == Status.CANCELLED:
        state = "withdrawn"
    elif row.status == Status.QUEUED and row.attempts == 0 and row.next_attempt_at > now:
        state = "holding"
        seconds_left = max(1, round((row.next_attempt_at - now).total_seconds()))
    return Delivery(
        outbound_id=row.pk,
        ticket_id=row.ticket_id,
        event_id=row.event_id,
        kind=row.kind,
        state=state,
        attempts=row.attempts,
        seconds_left=seconds_left,
        error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        author_id=row.author_id,
        recipients=list(row.recipients),
        cc=list(row.cc),
        subject=row.subject,
        message_id=row.message_id,
    )


_FIELDS = (
    "pk",
    "ticket_id",
    "event_id",
    "kind",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "sent_at",
    "author_id",
    "recipients",
    "cc",
    "subject",
    "message_id",
)


def _rows(rows: QuerySet) -> QuerySet:
    return rows.only(*(f for f in _FIELDS if f != "pk"))


def attach_deliveries(events) -> None:
    """Give each public reply among ``events`` its email's ``delivery`` (None when it sent
    no email): one query for the page."""
    ids = [event.pk for event in events if event.kind == "message_out"]
    found = {}
    if ids:
        now = clock.now()
        for row in _rows(OutboundMessage.objects.filter(event_id__in=ids)):
            found[row.event_id] = delivery_of(row, now)
    for event in events:
        event.delivery = found.get(event.pk)


def delivery(ticket_id: int, outbound_id: int) -> Delivery | None:
    row = _rows(OutboundMessage.objects.filter(pk=outbound_id, ticket_id=ticket_id)).first()
    return delivery_of(row) if row else None


def ticket_outbound(ticket_id: int, limit: int = 100) -> list[Delivery]:
    """The email sent (or to be sent) on a ticket, newest first."""
    now = clock.now()
    rows = _rows(OutboundMessage.objects.filter(ticket_id=ticket_id)).order_by("-id")[:limit]
    return [delivery_of(row, now) for row in rows]


def email_of(event_id: int) -> Delivery | None:
    """The email a reply event sent (or is holding), if it sent one."""
    row = _rows(OutboundMessage.objects.filter(event_id=event_id)).first()
    return delivery_of(row) if row else None
