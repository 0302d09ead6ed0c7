"""Reads of the email channel's screens: the mailboxes, and the mail waiting for a person
(served by the partial index ``inbound_attention``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from sampark.api.pagination import decode_cursor, encode_cursor

from .models import InboundMessage, Mailbox

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
