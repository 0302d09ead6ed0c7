"""REST endpoints for the email sent on a ticket: each message's delivery state, and undo
send. The ticket goes through the access layer first: one outside the caller's scope answers
like a missing one."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema

from sampark.api.schema import PathId
from sampark.core.errors import NotFound
from sampark.tickets.api import _visible

from . import queries
from .services import outbound

router = Router(tags=["email"])


class OutboundOut(Schema):
    id: int
    ticket: int
    event: int | None
    kind: str
    state: str
    attempts: int
    seconds_left: int
    error: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    author: int | None
    to: list[str]
    cc: list[str]
    subject: str
    message_id: str


class UndoOut(Schema):
    outbound: OutboundOut
    text: str


def outbound_out(delivery: queries.Delivery) -> dict:
    return {
        "id": delivery.outbound_id,
        "ticket": delivery.ticket_id,
        "event": delivery.event_id,
        "kind": delivery.kind,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "seconds_left": delivery.seconds_left,
        "error": delivery.error,
        "next_attempt_at": delivery.next_attempt_at,
        "sent_at": delivery.sent_at,
        "author": delivery.author_id,
        "to": delivery.recipients,
        "cc": delivery.cc,
        "subject": delivery.subject,
        "message_id": delivery.message_id,
    }


@router.get(
    "/tickets/{ticket_id}/outbound",
    response=list[OutboundOut],
    summary="Email sent on a ticket, with its delivery state",
)
def list_outbound(request, ticket_id: PathId):
    """Replies and acknowledgements, newest first. ``state``: holding (in its undo window,
    ``seconds_left``), queued, retrying (``attempts`` failed, ``error`` the latest reason),
    sent, failed (``error`` says why) or withdrawn."""
    ticket = _visible(request, ticket_id)
    return [outbound_out(d) for d in queries.ticket_outbound(ticket.pk)]


@router.post(
    "/tickets/{ticket_id}/outbound/{outbound_id}/undo",
    response=UndoOut,
    summary="Take back a reply still in its undo window",
)
def undo_send(request, ticket_id: PathId, outbound_id: PathId):
    """Only its author, and only before it leaves (409 after). The reply is marked withdrawn
    on the timeline; its text is returned so that a tool can offer it again."""
    ticket = _visible(request, ticket_id)
    if queries.delivery(ticket.pk, outbound_id) is None:
        raise NotFound(_("No such message."))
    withdrawn = outbound.undo_send(request.auth, outbound_id)
    return {
        "outbound": outbound_out(queries.delivery(ticket.pk, outbound_id)),
        "text": withdrawn.text,
    }
