"""The ticket page's writes: the composer's send, its drafts, the heartbeats that tell two
agents they are on the same ticket, and the keyboard-shortcut switch.

Sending goes through ``sampark.tickets.services`` (they check access, the version the agent
read, and write the ticket's events); what is kept here is only the workspace's own state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sampark.core import clock
from sampark.core.errors import InvalidInput
from sampark.tickets import access
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket, TicketEvent

from ..models import Draft, TicketViewer

# A heartbeat older than this means the agent has left the page (the page beats every 12 s).
VIEWER_TTL = timedelta(seconds=30)


@dataclass(frozen=True)
class Composed:
    """What the composer sends: a public reply, an internal note or a logged call, with the
    time spent on it and, optionally, the status the ticket takes once it is sent."""

    kind: str
    body: str
    time_spent_minutes: int | None = None
    status: str = ""
    call_direction: str = ""
    call_minutes: int | None = None
    attachments: tuple[tickets.NewAttachment, ...] = ()


def _drafts_of(user, ticket_id: int):
    """The agent's draft on this ticket and on any ticket merged into it (a draft follows the
    merge to the surviving ticket)."""
    return Draft.objects.filter(
        Q(ticket_id=ticket_id) | Q(ticket__merged_into_id=ticket_id)
    ).filter(user=user)


@transaction.atomic
def send(user, ticket_id: int, composed: Composed, *, expected_version: int) -> TicketEvent:
    """Send what the composer holds, as the ticket was at ``expected_version`` (StaleVersion
    when it has changed since: nothing is sent blindly), then set the chosen status on the
    version the message made, all in one transaction; the draft goes once it is sent."""
    seconds = composed.time_spent_minutes * 60 if composed.time_spent_minutes is not None else None
    if composed.kind == Draft.Kind.CALL:
        event = tickets.log_call(
            ticket_id,
            agent=user,
            direction=composed.call_direction,
            duration_seconds=(composed.call_minutes or 0) * 60,
            summary=composed.body,
            time_spent=seconds,
            expected_version=expected_version,
        )
    elif composed.kind in (Draft.Kind.REPLY, Draft.Kind.NOTE):
        event = tickets.add_message(
            ticket_id,
            body=composed.body,
            public=composed.kind == Draft.Kind.REPLY,
            agent=user,
            time_spent=seconds,
            expected_version=expected_version,
            # The count tells the timeline which rows have files to read.
            data={"attachments": len(composed.attachments)} if composed.attachments else None,
            attachments=composed.attachments,
        )
    else:
        raise InvalidInput(_("Choose a reply, an internal note or a call."), field="kind")
    if composed.status:
        version = Ticket.objects.filter(pk=ticket_id).values_list("version", flat=True).get()
        tickets.update_ticket(
            ticket_id, actor=user, expected_version=version, status=composed.status
        )
    _drafts_of(user, ticket_id).delete()
    return event


@transaction.atomic
def save_draft(user, ticket_id: int, composed: Composed) -> Draft:
    """Keep the composer's content for this agent and ticket (one draft each), and note that
    the agent is replying. An empty composer keeps no draft."""
    access.require_visible(user, ticket_id)
    now = clock.now()
    # A draft brought along from a ticket merged into this one now lives here.
    _drafts_of(user, ticket_id).exclude(ticket_id=ticket_id).delete()
    draft = Draft(
        ticket_id=ticket_id,
        user=user,
        kind=composed.kind,
        body=composed.body,
        time_spent_minutes=composed.time_spent_minutes,
        status=composed.status,
        call_direction=composed.call_direction,
        call_minutes=composed.call_minutes,
        updated_at=now,
    )
    if not composed.body.strip():
        Draft.objects.filter(user=user, ticket_id=ticket_id).delete()
        _beat(user, ticket_id, TicketViewer.State.VIEWING, now)
        return draft
    Draft.objects.bulk_create(
        [draft],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=[
            "kind",
            "body",
            "time_spent_minutes",
            "status",
            "call_direction",
            "call_minutes",
            "updated_at",
        ],
    )
    _beat(user, ticket_id, TicketViewer.State.REPLYING, now)
    return draft


def discard_draft(user, ticket_id: int) -> None:
    _drafts_of(user, ticket_id).delete()


def _beat(user, ticket_id: int, state: str, now) -> None:
    TicketViewer.objects.bulk_create(
        [TicketViewer(user=user, ticket_id=ticket_id, state=state, seen_at=now)],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=["state", "seen_at"],
    )
    # Cheap cleaning: only this ticket's and this agent's old rows, each found by an index.
    cutoff = now - VIEWER_TTL
    TicketViewer.objects.filter(Q(ticket_id=ticket_id) | Q(user=user), seen_at__lt=cutoff).delete()


@transaction.atomic
def record_viewer(user, ticket_id: int, *, replying: bool) -> None:
    """The page's heartbeat: ``user`` has this ticket open now, and is writing on it or not."""
    access.require_visible(user, ticket_id)
    state = TicketViewer.State.REPLYING if replying else TicketViewer.State.VIEWING
    _beat(user, ticket_id, state, clock.now())
